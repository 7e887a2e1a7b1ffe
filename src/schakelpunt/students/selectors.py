"""Reads about the student file."""

from dataclasses import dataclass
from datetime import date

from schakelpunt.access.policy import ADULT_AGE, guardian_may_be_involved

from .models import Guardian, Student


@dataclass(frozen=True)
class GuardianView:
    guardian: Guardian
    involved: bool


def guardians_for(student: Student, today: date) -> list[GuardianView]:
    """Every guardian with whether school may involve them today."""
    return [
        GuardianView(g, guardian_may_be_involved(student, g.student_consents, today))
        for g in student.guardians.all()
    ]


def is_adult(student: Student, today: date) -> bool:
    return student.age_on(today) >= ADULT_AGE
