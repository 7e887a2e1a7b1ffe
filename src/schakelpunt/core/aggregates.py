"""Counts for roles that see aggregates only. Every count is published through the monitor's
cell-key method (`schakelpunt.monitor.suppression`, decision 0020): small numbers never leave
this module, not even by subtracting one count from another."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import institution_scope, municipality_scope
from schakelpunt.accounts.models import Level, Membership, User
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.core.dates import years_before
from schakelpunt.monitor.indicators import supported_records
from schakelpunt.monitor.periods import Period
from schakelpunt.monitor.selectors import population, running_school_year
from schakelpunt.monitor.suppression import (
    ATOM_FIELDS,
    THRESHOLD,
    Cell,
    Records,
    forget_atoms,
    is_small,
    protect,
    publish,
    remember_atoms,
)

# One rule for every aggregate (see schakelpunt.monitor.suppression).
SUPPRESSION_THRESHOLD = THRESHOLD


def suppress(count: int) -> int | None:
    """Counts of 1–4 are hidden; 0 and 5+ are shown (for figures staff see of their own
    students; aggregate roles get published counts)."""
    return None if is_small(count) else count


def _students(queryset: "object") -> Records:
    return Records.of_students(queryset.values_list("pk", flat=True))  # type: ignore[attr-defined]


def resident_students_by_level(*, user: User, today: date | None = None) -> dict[str, list[Cell]]:
    """Students per level in the running school year, for each municipality the user advises
    or governs (its residents) and each institution they govern: the monitor's population
    (`monitor.selectors.population`), so the start page and the monitor say the same."""
    result: dict[str, list[Cell]] = {}
    period = running_school_year(today or timezone.localdate())
    memberships = (
        Membership.objects.active()
        .filter(user=user, role__in=[Role.MUNICIPAL_ADVISOR, Role.GOVERNANCE])
        .select_related("organisation__municipality")
    )
    forget_atoms()
    for m in memberships:
        org = m.organisation
        if org.kind == OrganisationKind.MUNICIPALITY and org.municipality is not None:
            scope = municipality_scope(org.municipality)
            name = str(org.municipality)
        elif org.kind == OrganisationKind.MBO_INSTITUTION:
            scope = institution_scope(org)
            name = str(org)
        else:
            continue
        # One read of the population with each student's level and atom, not one per level
        # and then the atoms again by id.
        rows = list(population(scope, period).values_list("pk", "programme__level", *ATOM_FIELDS))
        remember_atoms((pk, *atom) for pk, _level, *atom in rows)
        per_level: dict[object, list[int]] = {}
        for pk, level, *_atom in rows:
            per_level.setdefault(level, []).append(pk)
        title = _("%(name)s, schooljaar %(period)s") % {"name": name, "period": period.code}
        result[title] = protect(
            [
                (str(level.label), Records.of_students(per_level.get(level.value, [])))
                for level in Level
            ]
        )
    return result


@dataclass(frozen=True)
class Table:
    title: str
    cells: list[Cell]


@dataclass(frozen=True)
class MunicipalOverview:
    municipality: str
    period: Period
    total: Cell
    tables: list[Table]


def _referred_students(referrals: "object") -> Records:
    return Records.of_students(referrals.values_list("student_id", flat=True).distinct())  # type: ignore[attr-defined]


def municipal_overviews(*, user: User, today: date) -> list[MunicipalOverview]:
    """For each municipality the user advises: the students living there who study at the
    region's schools in the running school year (the monitor's population, so both give the
    same total), by school, age, support and referral. Published counts only."""
    from schakelpunt.directory.models import Law
    from schakelpunt.directory.selectors import law_token
    from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES, Referral
    from schakelpunt.referrals.selectors import overdue_q

    result: list[MunicipalOverview] = []
    period = running_school_year(today)
    forget_atoms()
    memberships = (
        Membership.objects.active()
        .filter(user=user, role=Role.MUNICIPAL_ADVISOR)
        .select_related("organisation__municipality")
    )
    for m in memberships:
        home = m.organisation.municipality
        if m.organisation.kind != OrganisationKind.MUNICIPALITY or home is None:
            continue
        scope = municipality_scope(home)
        students = population(scope, period)
        remember_atoms(students.values_list("pk", *ATOM_FIELDS))  # one read, not by id
        schools = sorted(set(students.values_list("institution__name", flat=True)))
        under_18 = students.filter(date_of_birth__gt=years_before(today, 18))
        from_18 = students.filter(date_of_birth__lte=years_before(today, 18))
        referrals = Referral.objects.filter(
            student__in=students, status__in=REFERRAL_ACTIVE_STATUSES
        )
        overdue = Referral.objects.filter(student__in=students).filter(overdue_q(today))
        tables = [
            Table(
                str(_("Per school")),
                protect(
                    [(name, _students(students.filter(institution__name=name))) for name in schools]
                ),
            ),
            Table(
                str(_("Per leeftijd")),
                protect(
                    [
                        (str(_("jonger dan 18 (Jeugdwet)")), _students(under_18)),
                        (
                            str(_("18 tot 23")),
                            _students(from_18.filter(date_of_birth__gt=years_before(today, 23))),
                        ),
                        (
                            str(_("23 en ouder")),
                            _students(students.filter(date_of_birth__lte=years_before(today, 23))),
                        ),
                    ]
                ),
            ),
            Table(
                str(_("Ondersteuning en hulp")),
                protect(
                    [
                        (
                            str(_("met een ondersteuningstraject dit schooljaar")),
                            supported_records(scope.students, period),
                        ),
                        (str(_("met lopende hulp na verwijzing")), _referred_students(referrals)),
                        *[
                            (
                                str(_("waarvan onder %(law)s") % {"law": law.label}),
                                _referred_students(
                                    referrals.filter(service__search_text__contains=law_token(law))
                                ),
                            )
                            for law in (Law.JEUGDWET, Law.WMO, Law.PARTICIPATIEWET)
                        ],
                        (
                            str(_("eerste contact na verwijzing te laat")),
                            Records("referral", dict(overdue.values_list("pk", "student_id"))),
                        ),
                    ]
                ),
            ),
        ]
        total = publish(_students(students))
        result.append(MunicipalOverview(home.name, period, Cell(str(_("Totaal")), total), tables))
    return result
