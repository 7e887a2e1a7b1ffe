"""Reads about the student file."""

from dataclasses import dataclass
from datetime import date

from schakelpunt.access.policy import (
    ADULT_AGE,
    StudentAccess,
    guardian_may_be_involved,
    is_consent_only,
    may_see_guardian_contact,
)

from .models import Guardian, Student


@dataclass(frozen=True)
class GuardianView:
    guardian: Guardian
    involved: bool
    contact_shown: bool  # may the viewer see this person's phone and e-mail?


def guardians_for(student: Student, today: date, access: StudentAccess) -> list[GuardianView]:
    """The guardians the viewer may know of, with whether school may involve them today. A
    provider hears only of those whose contact details the student agreed to share."""
    views = []
    for g in student.guardians.all():
        involved = guardian_may_be_involved(student, g.student_consents, today)
        shown = may_see_guardian_contact(access, g.student_consents, involved)
        views.append(GuardianView(g, involved, shown))
    if is_consent_only(access):
        return [v for v in views if v.contact_shown]
    return views


def is_adult(student: Student, today: date) -> bool:
    return student.age_on(today) >= ADULT_AGE
