"""The absence days per school year on PostgreSQL (migration 0017 partitions the table):
list the partitions, make the coming school year's before it starts, and drop a whole past
school year at once when nobody's absence in it must still be kept.

A partition is named after its school year: signals_absencerecord_2025_2026 holds
1 August 2025 up to 31 July 2026. Days outside every year partition land in
signals_absencerecord_default, so an import never fails for want of a partition;
`partitions_ensure` moves them into their year once that partition exists.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from schakelpunt.privacy.retention import expiry_date
from schakelpunt.students.models import Student

from .calendar import is_school_year, school_year_bounds, school_year_of
from .models import AbsenceRecord

logger = logging.getLogger(__name__)

TABLE = AbsenceRecord._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
COLUMNS = "id, day, scheduled_hours, absent_hours, reason, student_id"


class PartitionError(ValueError):
    """Refused in Dutch: nothing was changed."""


@dataclass(frozen=True)
class AbsencePartition:
    name: str
    school_year: str  # "2025-2026"; "" for the DEFAULT partition
    rows: int


@dataclass(frozen=True)
class DroppedYear:
    school_year: str
    rows: int


def is_partitioned() -> bool:
    """True on PostgreSQL once migration 0017 ran."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [TABLE],
        )
        return cursor.fetchone() is not None


def _require_partitions() -> None:
    if not is_partitioned():
        raise PartitionError(
            _("Verzuim is alleen op PostgreSQL per schooljaar opgedeeld; hier is er niets te doen.")
        )


def partition_name(school_year: str) -> str:
    return f"{TABLE}_{school_year.replace('-', '_')}"


def _school_year_of_partition(name: str) -> str:
    return "" if name == DEFAULT_PARTITION else name.removeprefix(f"{TABLE}_").replace("_", "-")


def partitions_list() -> list[AbsencePartition]:
    """Every partition of the absence table, oldest school year first, DEFAULT last, with
    its exact number of rows."""
    _require_partitions()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
        found = []
        for name in names:
            cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608 - names from pg_class
            found.append(
                AbsencePartition(name, _school_year_of_partition(name), cursor.fetchone()[0])
            )
    return sorted(found, key=lambda p: (p.school_year == "", p.school_year))


def _create_year(school_year: str) -> None:
    """Make one school year's partition; days of it that waited in DEFAULT move into it
    (PostgreSQL refuses a new partition while DEFAULT holds rows of its range)."""
    first, last = school_year_bounds(school_year)
    name, end = partition_name(school_year), last + timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT_PARTITION}")
        cursor.execute(
            f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
            [first, end],
        )
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE day >= %s AND day < %s "  # noqa: S608
            f"RETURNING {COLUMNS}) INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM moved",
            [first, end],
        )
        moved = cursor.rowcount
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT")
    logger.info(
        "absence partition created", extra={"school_year": school_year, "rows_moved": moved}
    )


def partitions_ensure(*, today: date) -> list[str]:
    """The partitions of today's school year and the next one exist; returns the school
    years it made. Safe to run again (the yearly task does, in July)."""
    _require_partitions()
    present = {p.school_year for p in partitions_list()}
    this_year = school_year_of(today)
    next_year = school_year_of(school_year_bounds(this_year)[1] + timedelta(days=1))
    made = []
    with transaction.atomic():
        for school_year in (this_year, next_year):
            if school_year not in present:
                _create_year(school_year)
                made.append(school_year)
    return made


def _students_still_kept(first: date, last: date, today: date) -> int:
    """How many students with absence in [first, last] must keep it today: still enrolled,
    left but their retention (privacy/retention.py) has not expired, or under a legal hold."""
    students = Student.objects.filter(
        pk__in=AbsenceRecord.objects.filter(day__gte=first, day__lte=last).values("student_id")
    )
    kept = students.filter(left_on__isnull=True).count()
    kept += students.filter(left_on__isnull=False, legal_hold__isnull=False).count()
    for student in (
        students.filter(left_on__isnull=False, legal_hold__isnull=True)
        .only("left_on", "has_basic_qualification", "date_of_birth")
        .iterator(chunk_size=2000)
    ):
        expires = expiry_date(student)
        if expires is None or expires > today:
            kept += 1
    return kept


def partition_drop_year(*, school_year: str, today: date) -> DroppedYear:
    """Detach and drop one past school year's absence at once. Refused for the current
    year, for a year without a partition, and while the year still holds absence of a
    student whose retention has not expired."""
    _require_partitions()
    if not is_school_year(school_year):
        raise PartitionError(_("Geef het schooljaar als 2019-2020."))
    if school_year >= school_year_of(today):
        raise PartitionError(
            _("Schooljaar %(year)s is nog niet voorbij; alleen voorbije jaren kunnen weg.")
            % {"year": school_year}
        )
    partition = next((p for p in partitions_list() if p.school_year == school_year), None)
    if partition is None:
        raise PartitionError(_("Er is geen deel voor schooljaar %(year)s.") % {"year": school_year})
    first, last = school_year_bounds(school_year)
    with transaction.atomic():
        # Nothing is added to the year while it is checked and dropped.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {partition.name} IN SHARE MODE")
        kept = _students_still_kept(first, last, today)
        if kept:
            raise PartitionError(
                _(
                    "Schooljaar %(year)s bevat nog verzuim van %(count)s student(en) van wie de "
                    "bewaartermijn niet verlopen is (of die ingeschreven zijn of een blokkade "
                    "hebben); er is niets verwijderd."
                )
                % {"year": school_year, "count": kept}
            )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {partition.name}")  # noqa: S608
            rows = cursor.fetchone()[0]
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks on the year
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}")
            cursor.execute(f"DROP TABLE {partition.name}")
    logger.info("absence school year dropped", extra={"school_year": school_year, "rows": rows})
    return DroppedYear(school_year, rows)
