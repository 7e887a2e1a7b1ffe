"""The look-back ('How good is our signalling?') leaves out a student whose objection to the
early warning was upheld: the early warning is off for them, there as in the daily run."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.privacy.models import Objection, RequestStatus
from schakelpunt.privacy.register import Activity
from schakelpunt.signals.models import AbsenceRecord
from schakelpunt.signals.quality import quality_compute
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

START, END = date(2025, 8, 1), date(2026, 7, 31)


def whole_days(student: Student, first: date, n: int) -> None:
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=student,
            day=first + timedelta(days=i),
            scheduled_hours=Decimal(6),
            absent_hours=Decimal(6),
            reason="unauthorised",
        )
        for i in range(n)
    )


def objection(student: Student, status: str, activity: str = Activity.EARLY_WARNING) -> None:
    Objection.objects.create(
        student=student,
        activity=activity,
        reason="Ik wil niet dat de school dit over mij berekent.",
        requested_by=UserFactory(),
        deadline=date(2025, 9, 30),
        status=status,
    )


def test_a_student_whose_objection_was_upheld_is_not_in_the_look_back() -> None:
    roc = OrganisationFactory(name="ROC Bezwaar")
    location = LocationFactory(institution=roc, name="Almelo")
    programme = ProgrammeFactory(team=ProgrammeTeamFactory(location=location), level=3)

    def student(name: str, **extra: object) -> Student:
        made: Student = StudentFactory(
            programme=programme,
            first_name=name,
            date_of_birth=date(2008, 5, 1),
            enrolled_on=date(2025, 8, 25),
            has_basic_qualification=False,
            **extra,
        )
        return made

    ayla = student("Ayla", left_on=date(2026, 1, 15))  # absent a week, left: objected, upheld
    whole_days(ayla, date(2025, 10, 6), 5)
    objection(ayla, RequestStatus.GRANTED)
    bas = student("Bas", left_on=date(2026, 3, 1))  # left, never a sign; objection refused
    objection(bas, RequestStatus.REFUSED)
    cas = student("Cas")  # absent four days, stayed; objection still open: still counted
    whole_days(cas, date(2025, 11, 3), 4)
    objection(cas, RequestStatus.OPEN)
    dana = student("Dana")  # objected to something else, upheld: the early warning still runs
    whole_days(dana, date(2025, 11, 3), 5)
    objection(dana, RequestStatus.GRANTED, Activity.SUPPORT)

    run = quality_compute(institution=roc, start=START, end=END)

    # Without Ayla: Bas left unflagged, Cas and Dana were flagged and stayed.
    assert run.groups["overall"] == {
        "students": 3,
        "flagged": 2,
        "leavers": 1,
        "flagged_leavers": 0,
        "median_lead_days": None,
    }
    assert run.groups["location"]["Almelo"] == run.groups["overall"]
