"""The published counts the start page and the municipal overview show of a population: built
here, next to the dashboards, so that the night run and the demo build keep them
(`snapshots.levels_for`, `snapshots.overview_for`) and a page view only reads them. Labels are
keys, translated where they are shown, so kept figures read well in every language."""

from datetime import date
from typing import Any

from schakelpunt.access.policy import Scope
from schakelpunt.accounts.models import Level
from schakelpunt.core.dates import years_before
from schakelpunt.directory.models import Law
from schakelpunt.directory.selectors import law_token
from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES, Referral
from schakelpunt.referrals.selectors import overdue_q

from .indicators import supported_records
from .periods import Period
from .selectors import population
from .suppression import ATOM_FIELDS, Records, forget_atoms, publish, remember_atoms

AGE_GROUPS = ("under_18", "18_to_23", "23_plus")
LAWS = (Law.JEUGDWET, Law.WMO, Law.PARTICIPATIEWET)


def levels(scope: Scope, period: Period) -> dict[str, int]:
    """Published count of the population per level (its value as text), every level listed."""
    forget_atoms()
    # One read of the population with each student's level and atom, not one per level and
    # then the atoms again by id.
    rows = list(population(scope, period).values_list("pk", "programme__level", *ATOM_FIELDS))
    remember_atoms((pk, *atom) for pk, _level, *atom in rows)
    per_level: dict[object, list[int]] = {}
    for pk, level, *_atom in rows:
        per_level.setdefault(level, []).append(pk)
    return {
        str(level.value): publish(Records.of_students(per_level.get(level.value, [])))
        for level in Level
    }


def _students(queryset: Any) -> Records:
    return Records.of_students(queryset.values_list("pk", flat=True))


def _referred_students(referrals: Any) -> Records:
    return Records.of_students(referrals.values_list("student_id", flat=True).distinct())


def municipal(scope: Scope, period: Period, today: date) -> dict[str, Any]:
    """The residents of a municipality in the period: total, per school, per age (on `today`)
    and their support and help after referral; published counts only."""
    forget_atoms()
    students = population(scope, period)
    rows = list(students.values_list("pk", "institution__name", "date_of_birth", *ATOM_FIELDS))
    remember_atoms((pk, *atom) for pk, _school, _born, *atom in rows)  # one read, not by id
    per_school: dict[str, list[int]] = {}
    ages: dict[str, list[int]] = {group: [] for group in AGE_GROUPS}
    turned_18, turned_23 = years_before(today, 18), years_before(today, 23)
    for pk, school, born, *_atom in rows:
        per_school.setdefault(school, []).append(pk)
        group = "under_18" if born > turned_18 else "18_to_23" if born > turned_23 else "23_plus"
        ages[group].append(pk)
    referrals = Referral.objects.filter(student__in=students, status__in=REFERRAL_ACTIVE_STATUSES)
    overdue = Referral.objects.filter(student__in=students).filter(overdue_q(today))
    support = {
        "supported": supported_records(scope.students, period),
        "referred": _referred_students(referrals),
        **{
            f"law:{law.value}": _referred_students(
                referrals.filter(service__search_text__contains=law_token(law))
            )
            for law in LAWS
        },
        "overdue": Records("referral", dict(overdue.values_list("pk", "student_id"))),
    }
    return {
        "total": publish(Records.of_students(pk for pk, *_rest in rows)),
        "schools": [
            [name, publish(Records.of_students(pks))] for name, pks in sorted(per_school.items())
        ],
        # Lists of pairs, not objects: PostgreSQL's jsonb does not keep the order of keys.
        "ages": [[group, publish(Records.of_students(pks))] for group, pks in ages.items()],
        "support": [[key, publish(records)] for key, records in support.items()],
    }
