"""Indicator tables for the monitor: one row per value of a breakdown, protected counts.

Every count passes `suppression.protect` per column (the total row is shown, so a lone small
cell takes a second one with it); a rate is shown only when both its counts are shown.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from schakelpunt.students.models import Student

from . import indicators as ind
from .periods import Period
from .suppression import Cell, protect, protect_total

# Breakdown code → (label, Student field to group by).
BREAKDOWNS: dict[str, tuple[object, str]] = {
    "instelling": (_("Instelling"), "institution__name"),
    "locatie": (_("Locatie"), "location__name"),
    "niveau": (_("Niveau"), "programme__level"),
    "opleiding": (_("Opleiding"), "programme__name"),
    "gemeente": (_("Woongemeente"), "residence_municipality__name"),
    "regio": (_("RMC-regio"), "residence_municipality__rmc_region__name"),
}
LEVEL_NAMES = {1: "Entree", 2: "Niveau 2", 3: "Niveau 3", 4: "Niveau 4"}


def _referred(students: QuerySet[Student], period: Period) -> int:
    return ind.referred_share(students, period).part


def _reports(students: QuerySet[Student], period: Period) -> int:
    return sum(ind.statutory_reports(students, period).values())


# Column code → (heading, count function).
COLUMNS: dict[str, tuple[object, Callable[[QuerySet[Student], Period], int]]] = {
    "ingeschreven": (_("Ingeschreven"), ind.enrolled),
    "vsv": (_("VSV"), ind.early_leavers),
    "ondersteuning": (_("Met ondersteuning"), ind.supported),
    "verwezen": (_("Verwezen"), _referred),
    "meldingen": (_("Verzuimmeldingen"), _reports),
}


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    vsv_rate: str
    reach_rate: str


def _rate(part: Cell, whole: Cell) -> str:
    if part.count is None or whole.count is None or not whole.count:
        return "—"
    return f"{part.count / whole.count * 100:.1f}%".replace(".", ",")


def indicator_table(
    students: QuerySet[Student], period: Period, breakdown: str
) -> tuple[list[Row], Row]:
    """Rows per breakdown value (largest first) and the total row, every count protected."""
    field = BREAKDOWNS[breakdown][1]
    values = [
        v
        for v in students.values_list(field, flat=True).distinct().order_by(field)
        if v is not None
    ]
    raw = {v: [count(students.filter(**{field: v}), period) for count in _counts()] for v in values}
    totals = [count(students, period) for count in _counts()]
    # Protect each column over the rows (the total is shown beneath it).
    columns = [protect([(str(v), raw[v][i]) for v in values]) for i in range(len(COLUMNS))]
    rows = []
    for r, v in enumerate(values):
        cells = [columns[i][r] for i in range(len(COLUMNS))]
        label = LEVEL_NAMES.get(v, str(v)) if breakdown == "niveau" else str(v)
        rows.append(Row(label, cells, _rate(cells[1], cells[0]), _rate(cells[2], cells[0])))
    rows.sort(key=lambda row: -(row.cells[0].count or 0))
    total_cells = [protect_total(n) for n in totals]
    total = Row(
        str(_("Totaal")),
        total_cells,
        _rate(total_cells[1], total_cells[0]),
        _rate(total_cells[2], total_cells[0]),
    )
    return rows, total


def _counts() -> list[Callable[[QuerySet[Student], Period], int]]:
    return [count for _heading, count in COLUMNS.values()]
