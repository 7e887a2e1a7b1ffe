"""Who must agree before sharing: from 16 the student alone, 12–15 with a parent."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schakelpunt.core.dates import years_before
from schakelpunt.referrals.consent import consent_problems, signers_for
from schakelpunt.students.models import Student

DAY = date(2026, 11, 24)


def _aged(years: int, extra_days: int = 0) -> Student:
    born = years_before(DAY, years)
    return Student(date_of_birth=date.fromordinal(born.toordinal() - extra_days))


@pytest.mark.parametrize(
    ("age", "student", "parent"),
    [(11, False, True), (12, True, True), (15, True, True), (16, True, False), (17, True, False)],
)
def test_who_signs_by_age(age: int, student: bool, parent: bool) -> None:
    signers = signers_for(_aged(age), DAY)
    assert (signers.student, signers.parent) == (student, parent)


def test_the_sixteenth_birthday_itself_counts() -> None:
    assert signers_for(_aged(16), DAY).parent is False
    day_before = Student(date_of_birth=date(DAY.year - 16, DAY.month, DAY.day + 1))
    assert signers_for(day_before, DAY).parent is True


def test_a_fifteen_year_old_needs_a_parent_and_their_own_yes() -> None:
    student = _aged(15)
    assert consent_problems(student, DAY, student_agrees=True, parent_name="") == [
        "De student is jonger dan 16: vul de naam in van de ouder of voogd die instemt."
    ]
    assert consent_problems(student, DAY, student_agrees=False, parent_name="Ria") == [
        "De student moet zelf instemmen met het delen."
    ]
    assert consent_problems(student, DAY, student_agrees=True, parent_name="Ria") == []


@given(age=st.integers(min_value=16, max_value=30), extra=st.integers(min_value=0, max_value=300))
def test_from_sixteen_the_student_alone_is_enough(age: int, extra: int) -> None:
    student = _aged(age, extra)
    assert consent_problems(student, DAY, student_agrees=True, parent_name="") == []
    assert consent_problems(student, DAY, student_agrees=False, parent_name="Ouder") != []
