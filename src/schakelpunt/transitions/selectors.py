"""Reads of leaving and aftercare: the care team's aftercare work list."""

from datetime import date, timedelta

from django.db.models import QuerySet

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import students_for_user
from schakelpunt.accounts.models import User

from .models import AftercareContact, NonArrival

SOON_DAYS = 14


def aftercare_due(user: User, today: date) -> QuerySet[AftercareContact]:
    """Open aftercare contacts of the user's students, due within two weeks or overdue."""
    students = students_for_user(user, part=Part.SUPPORT, action=Action.CHANGE)
    return (
        AftercareContact.objects.filter(
            done_on__isnull=True,
            departure__returned_on__isnull=True,
            departure__student__in=students,
            due_on__lte=today + timedelta(days=SOON_DAYS),
        )
        .select_related("departure__student")
        .order_by("due_on", "pk")
    )


def non_arrivals_for(user: User) -> QuerySet[NonArrival]:
    """Non-arrivals whose file the user may open: leerplicht/RMC of the residence area, and
    the school's own care team."""
    return (
        NonArrival.objects.filter(student__in=students_for_user(user, part=Part.ENROLMENT))
        .select_related("student__residence_municipality", "student__programme", "follow_up_by")
        .order_by("follow_up_status", "-detected_on", "pk")
    )
