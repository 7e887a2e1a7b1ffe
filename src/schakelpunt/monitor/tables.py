"""Indicator tables for the monitor: one row per value of a breakdown, published counts.

Each column's records are found once for the whole population and split by the students'
value of the breakdown; every count, the total row's too, is published through
`suppression.publish` (the cell-key method), and a rate is computed from published counts.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from schakelpunt.students.models import Student

from . import indicators as ind
from .periods import Period
from .suppression import Cell, Records, forget_atoms, protect, publish

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


def _referred(students: QuerySet[Student], period: Period) -> Records:
    return ind.referred_records(students, period)[0]


def _reports(students: QuerySet[Student], period: Period) -> Records:
    found = Records.empty("report")
    for records in ind.statutory_report_records(students, period).values():
        found = found | records
    return found


# Column code → (heading, the records it counts).
COLUMNS: dict[str, tuple[object, Callable[[QuerySet[Student], Period], Records]]] = {
    "ingeschreven": (_("Ingeschreven"), ind.enrolled_records),
    "vsv": (_("VSV"), ind.early_leaver_records),
    "ondersteuning": (_("Met ondersteuning"), ind.supported_records),
    "verwezen": (_("Verwezen"), _referred),
    "meldingen": (_("Verzuimmeldingen"), _reports),
}


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    vsv_rate: str
    reach_rate: str


def rate(part: int | None, whole: int | None) -> str:
    """A share of two published counts, when both may be read."""
    if part is None or whole is None or whole < 5 or (0 < part < 5):
        return "—"
    return f"{min(part, whole) / whole * 100:.1f}%".replace(".", ",")


def _row(label: str, cells: list[Cell]) -> Row:
    return Row(
        label,
        cells,
        rate(cells[1].count, cells[0].count),
        rate(cells[2].count, cells[0].count),
    )


def indicator_table(
    students: QuerySet[Student], period: Period, breakdown: str
) -> tuple[list[Row], Row]:
    """Rows per breakdown value (largest first) and the total row, every count published."""
    forget_atoms()
    field = BREAKDOWNS[breakdown][1]
    value_of = {pk: v for pk, v in students.values_list("pk", field) if v is not None}
    values = sorted(set(value_of.values()), key=str)
    columns = [count(students, period) for _heading, count in COLUMNS.values()]
    # Each column's records per value, in one pass.
    split: list[dict[object, dict[int, int]]] = []
    for records in columns:
        per_value: dict[object, dict[int, int]] = {v: {} for v in values}
        for pk, student in records.rows.items():
            if (value := value_of.get(student)) is not None:
                per_value[value][pk] = student
        split.append(per_value)
    rows = []
    for v in values:
        cells = protect(
            [(str(v), Records(records.kind, split[i][v])) for i, records in enumerate(columns)]
        )
        label = LEVEL_NAMES.get(v, str(v)) if breakdown == "niveau" else str(v)
        rows.append(_row(label, cells))
    rows.sort(key=lambda row: -(row.cells[0].count or 0))
    total = _row(str(_("Totaal")), [Cell("", publish(records)) for records in columns])
    return rows, total
