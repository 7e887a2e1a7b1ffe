"""Counts for roles that see aggregates only. Small numbers never leave this module."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext as _

from schakelpunt.accounts.models import Level, Membership, User
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.core.dates import years_before
from schakelpunt.monitor.suppression import THRESHOLD, Cell, is_small, protect, protect_total
from schakelpunt.students.models import Student

# One rule for every aggregate (see schakelpunt.monitor.suppression).
SUPPRESSION_THRESHOLD = THRESHOLD


def suppress(count: int) -> int | None:
    """Counts of 1–4 are hidden; 0 and 5+ are shown."""
    return None if is_small(count) else count


def resident_students_by_level(*, user: User) -> dict[str, list[Cell]]:
    """Enrolled students per level, for each municipality the user advises or governs."""
    result: dict[str, list[Cell]] = {}
    memberships = (
        Membership.objects.active()
        .filter(user=user, role__in=[Role.MUNICIPAL_ADVISOR, Role.GOVERNANCE])
        .select_related("organisation__municipality")
    )
    for m in memberships:
        org = m.organisation
        students = Student.objects.filter(left_on__isnull=True)
        if org.kind == OrganisationKind.MUNICIPALITY and org.municipality_id:
            students = students.filter(residence_municipality_id=org.municipality_id)
            title = str(org.municipality)
        elif org.kind == OrganisationKind.MBO_INSTITUTION:
            students = students.filter(institution=org)
            title = str(org)
        else:
            continue
        counts = dict(students.values_list("programme__level").annotate(n=Count("pk")).order_by())
        cells = [Cell(str(level.label), suppress(counts.get(level.value, 0))) for level in Level]
        result[title] = cells
    return result


@dataclass(frozen=True)
class Table:
    title: str
    cells: list[Cell]


@dataclass(frozen=True)
class MunicipalOverview:
    municipality: str
    total: Cell
    tables: list[Table]


def _cells(labels: list[tuple[str, int]]) -> list[Cell]:
    return [Cell(label, suppress(count)) for label, count in labels]


def municipal_overviews(*, user: User, today: date) -> list[MunicipalOverview]:
    """For each municipality the user advises: the students living there who study at the
    region's schools, by school, age, support and referral. Counts only, small ones hidden."""
    from schakelpunt.directory.models import Law
    from schakelpunt.directory.selectors import law_token
    from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES, Referral
    from schakelpunt.referrals.selectors import overdue_q
    from schakelpunt.support.models import Trajectory, TrajectoryState

    result: list[MunicipalOverview] = []
    memberships = (
        Membership.objects.active()
        .filter(user=user, role=Role.MUNICIPAL_ADVISOR)
        .select_related("organisation__municipality")
    )
    for m in memberships:
        home = m.organisation.municipality
        if m.organisation.kind != OrganisationKind.MUNICIPALITY or home is None:
            continue
        students = Student.objects.filter(left_on__isnull=True, residence_municipality=home)
        by_school = (
            students.values_list("institution__name")
            .annotate(n=Count("pk"))
            .order_by("institution__name")
        )
        under_18 = students.filter(date_of_birth__gt=years_before(today, 18)).count()
        under_23 = students.filter(date_of_birth__gt=years_before(today, 23)).count()
        total = students.count()
        supported = Trajectory.objects.filter(student__in=students).exclude(
            state=TrajectoryState.CLOSED
        )
        referrals = Referral.objects.filter(
            student__in=students, status__in=REFERRAL_ACTIVE_STATUSES
        )
        tables = [
            Table(str(_("Per school")), protect([(name, n) for name, n in by_school])),
            Table(
                str(_("Per leeftijd")),
                protect(
                    [
                        (str(_("jonger dan 18 (Jeugdwet)")), under_18),
                        (str(_("18 tot 23")), under_23 - under_18),
                        (str(_("23 en ouder")), total - under_23),
                    ]
                ),
            ),
            Table(
                str(_("Ondersteuning en hulp")),
                _cells(
                    [
                        (str(_("met een lopend ondersteuningstraject")), supported.count()),
                        (
                            str(_("met lopende hulp na verwijzing")),
                            referrals.values("student").distinct().count(),
                        ),
                        *[
                            (
                                str(_("waarvan onder %(law)s") % {"law": law.label}),
                                referrals.filter(service__search_text__contains=law_token(law))
                                .values("student")
                                .distinct()
                                .count(),
                            )
                            for law in (Law.JEUGDWET, Law.WMO, Law.PARTICIPATIEWET)
                        ],
                        (
                            str(_("eerste contact na verwijzing te laat")),
                            Referral.objects.filter(student__in=students)
                            .filter(overdue_q(today))
                            .count(),
                        ),
                    ]
                ),
            ),
        ]
        shown_total = protect_total(total)
        result.append(
            MunicipalOverview(home.name, Cell(str(_("Totaal")), shown_total.count), tables)
        )
    return result
