"""Counts for roles that see aggregates only. Every count is published through the monitor's
cell-key method (`schakelpunt.monitor.suppression`, decision 0020): small numbers never leave
this module, not even by subtracting one count from another."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.access.policy import institution_scope, municipality_scope
from schakelpunt.accounts.models import Level, Membership, User
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.directory.models import Law
from schakelpunt.monitor.periods import Period
from schakelpunt.monitor.selectors import running_school_year
from schakelpunt.monitor.snapshots import levels_for, overview_for
from schakelpunt.monitor.suppression import THRESHOLD, Cell, is_small

# One rule for every aggregate (see schakelpunt.monitor.suppression).
SUPPRESSION_THRESHOLD = THRESHOLD


def suppress(count: int) -> int | None:
    """Counts of 1–4 are hidden; 0 and 5+ are shown (for figures staff see of their own
    students; aggregate roles get published counts)."""
    return None if is_small(count) else count


@dataclass(frozen=True)
class Table:
    title: str
    cells: list[Cell]


@dataclass(frozen=True)
class LevelTable(Table):
    computed_at: datetime | None  # None: computed for this answer, not kept


def resident_students_by_level(*, user: User, today: date | None = None) -> list[LevelTable]:
    """Students per level in the running school year, for each municipality the user advises
    or governs (its residents) and each institution they govern: the monitor's population
    (`monitor.selectors.population`), so the start page and the monitor say the same. Read
    from the figures the monitor keeps; computed (not stored) when none are kept."""
    result: list[LevelTable] = []
    period = running_school_year(today or timezone.localdate())
    memberships = (
        Membership.objects.active()
        .filter(user=user, role__in=[Role.MUNICIPAL_ADVISOR, Role.GOVERNANCE])
        .select_related("organisation__municipality")
    )
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
        counts, at = levels_for(scope, period)
        title = _("%(name)s, schooljaar %(period)s") % {"name": name, "period": period.code}
        cells = [Cell(str(level.label), counts[str(level.value)]) for level in Level]
        result.append(LevelTable(title, cells, at))
    return result


@dataclass(frozen=True)
class MunicipalOverview:
    municipality: str
    period: Period
    total: Cell
    tables: list[Table]
    computed_at: datetime | None  # None: computed for this answer, not kept


AGE_LABELS = {
    "under_18": gettext_lazy("jonger dan 18 (Jeugdwet)"),
    "18_to_23": gettext_lazy("18 tot 23"),
    "23_plus": gettext_lazy("23 en ouder"),
}


def _support_label(key: str) -> str:
    if key.startswith("law:"):
        return _("waarvan onder %(law)s") % {"law": Law(key.removeprefix("law:")).label}
    return str(
        {
            "supported": _("met een ondersteuningstraject dit schooljaar"),
            "referred": _("met lopende hulp na verwijzing"),
            "overdue": _("eerste contact na verwijzing te laat"),
        }[key]
    )


def municipal_overviews(*, user: User, today: date) -> list[MunicipalOverview]:
    """For each municipality the user advises: the students living there who study at the
    region's schools in the running school year (the monitor's population, so both give the
    same total), by school, age, support and referral. Published counts only, read from the
    figures the monitor keeps; computed (not stored) when none are kept."""
    result: list[MunicipalOverview] = []
    period = running_school_year(today)
    memberships = (
        Membership.objects.active()
        .filter(user=user, role=Role.MUNICIPAL_ADVISOR)
        .select_related("organisation__municipality")
    )
    for m in memberships:
        home = m.organisation.municipality
        if m.organisation.kind != OrganisationKind.MUNICIPALITY or home is None:
            continue
        data, at = overview_for(municipality_scope(home), period)
        tables = [
            Table(str(_("Per school")), [Cell(name, count) for name, count in data["schools"]]),
            Table(
                str(_("Per leeftijd")),
                [Cell(str(AGE_LABELS[key]), count) for key, count in data["ages"]],
            ),
            Table(
                str(_("Ondersteuning en hulp")),
                [Cell(_support_label(key), count) for key, count in data["support"]],
            ),
        ]
        total = Cell(str(_("Totaal")), data["total"])
        result.append(MunicipalOverview(home.name, period, total, tables, at))
    return result
