"""Who must agree before parts of a student's file are shared (AVG; WGBO for youth care).

From 16 the student decides alone. From 12 to 15 the student and a parent (or guardian)
both agree. Under 12 a parent decides; an MBO hardly has such students, but the rule stands.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from schakelpunt.students.models import Student

ALONE_FROM_AGE = 16
TOGETHER_FROM_AGE = 12


@dataclass(frozen=True)
class Signers:
    student: bool
    parent: bool

    @property
    def text(self) -> str:
        if self.student and self.parent:
            return _("De student én een ouder of voogd geven toestemming (12 tot 16 jaar).")
        if self.student:
            return _("De student beslist zelf (16 jaar of ouder).")
        return _("Een ouder of voogd geeft toestemming (jonger dan 12 jaar).")


def signers_for(student: Student, day: date) -> Signers:
    age = student.age_on(day)
    if age >= ALONE_FROM_AGE:
        return Signers(student=True, parent=False)
    if age >= TOGETHER_FROM_AGE:
        return Signers(student=True, parent=True)
    return Signers(student=False, parent=True)


def consent_problems(
    student: Student, day: date, *, student_agrees: bool, parent_name: str
) -> list[str]:
    """What is missing for a valid consent on `day`; empty when it is complete."""
    needed = signers_for(student, day)
    problems = []
    if needed.student and not student_agrees:
        problems.append(_("De student moet zelf instemmen met het delen."))
    if needed.parent and not parent_name.strip():
        problems.append(
            _("De student is jonger dan 16: vul de naam in van de ouder of voogd die instemt.")
        )
    return problems
