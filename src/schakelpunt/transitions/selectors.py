"""Reads of leaving and aftercare: the care team's aftercare work list."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import handovers_visible_to, students_for_user
from schakelpunt.accounts.models import User
from schakelpunt.students.models import Student

from .models import AftercareContact, Departure, HandoverRecord, IntakeConversation, NonArrival

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
    """Non-arrivals whose file the user may open (leerplicht/RMC of the residence area, the
    school's care team), and handed-over pupils who never enrolled, as the policy decides."""
    return (
        NonArrival.objects.filter(
            Q(student__in=students_for_user(user, part=Part.ENROLMENT))
            | Q(handover__in=handovers_visible_to(user))
        )
        .select_related(
            "student__residence_municipality",
            "student__programme",
            "handover__residence_municipality",
            "follow_up_by",
        )
        .order_by("follow_up_status", "-detected_on", "pk")
    )


@dataclass(frozen=True)
class TransitionsSection:
    """The transitions part of a student file: the VO school's handover with the intake
    conversations, and leaving school with its aftercare."""

    handovers: list[HandoverRecord]
    intakes: list[IntakeConversation]
    departures: list[Departure]


def file_section_transitions(
    *, student: Student, handover: bool, enrolment: bool
) -> TransitionsSection:
    """What the file shows of the student's transitions; the caller asked the access policy
    for `handover` (support, not for a provider) and `enrolment` (leaving and aftercare)."""
    handovers = list(HandoverRecord.objects.filter(student=student)) if handover else []
    return TransitionsSection(
        handovers=handovers,
        intakes=list(IntakeConversation.objects.filter(student=student)) if handovers else [],
        departures=(
            list(Departure.objects.filter(student=student).prefetch_related("contacts"))
            if enrolment
            else []
        ),
    )
