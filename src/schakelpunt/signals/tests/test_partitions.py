"""On PostgreSQL the absence days sit in one partition per school year (1 August - 31 July):
the migration moves existing days into them, an import upserts through them, an operator
lists them, makes the coming year's and drops a whole past year once nobody's absence in it
must be kept (privacy/retention.py)."""

import importlib
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from schakelpunt.accounts.tests.factories import UserFactory
from schakelpunt.privacy.models import LegalHold
from schakelpunt.signals.calendar import school_year_of
from schakelpunt.signals.models import AbsenceReasonCode, AbsenceRecord
from schakelpunt.signals.partitions import (
    DEFAULT_PARTITION,
    TABLE,
    PartitionError,
    partition_drop_year,
    partition_name,
    partitions_ensure,
    partitions_list,
)
from schakelpunt.signals.tasks import make_next_school_years_absence_partition
from schakelpunt.students.tests.factories import StudentFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's"
)
migration = importlib.import_module(
    "schakelpunt.signals.migrations.0017_absence_partitioned_by_school_year"
)


def absent(student, day: date) -> AbsenceRecord:  # type: ignore[no-untyped-def]
    return AbsenceRecord.objects.create(
        student=student,
        day=day,
        scheduled_hours=Decimal(6),
        absent_hours=Decimal(2),
        reason=AbsenceReasonCode.UNAUTHORISED,
    )


def partition_of(record: AbsenceRecord) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [record.pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def rows_per_year() -> dict[str, int]:
    return {p.school_year: p.rows for p in partitions_list()}


@on_postgresql
def test_the_migration_moves_existing_days_into_their_school_year(refdata):
    student = StudentFactory()
    with connection.schema_editor() as editor:
        migration.backward(None, editor)  # the table as it was before 0017
    days = [date(2021, 7, 31), date(2021, 8, 1), date(2023, 3, 1)]
    before = [absent(student, day) for day in days]
    with connection.schema_editor() as editor:
        migration.forward(None, editor)

    assert [partition_of(r) for r in before] == [
        partition_name("2020-2021"),
        partition_name("2021-2022"),
        partition_name("2022-2023"),
    ]
    counts = rows_per_year()
    # Every year from the oldest day on, today's and the next one: the years between too.
    this_year = school_year_of(date.today())  # noqa: DTZ011
    assert {"2020-2021", "2021-2022", "2022-2023", this_year, ""} <= counts.keys()
    assert counts["2020-2021"] == counts["2021-2022"] == counts["2022-2023"] == 1
    # The ids stay and new days go on after them.
    assert sorted(AbsenceRecord.objects.values_list("pk", flat=True)) == [r.pk for r in before]
    assert absent(student, date(2023, 3, 2)).pk > before[-1].pk


@on_postgresql
def test_a_day_beyond_every_year_waits_in_default_until_its_year_is_made(refdata):
    student = StudentFactory()
    far = absent(student, date(2090, 9, 1))
    assert partition_of(far) == DEFAULT_PARTITION

    assert partitions_ensure(today=date(2090, 8, 15)) == ["2090-2091", "2091-2092"]

    assert partition_of(far) == partition_name("2090-2091")
    assert rows_per_year()[""] == 0
    assert partitions_ensure(today=date(2090, 8, 15)) == []  # safe to run again


@on_postgresql
def test_one_day_per_student_still_holds_across_the_partitions(refdata):
    student = StudentFactory()
    first = absent(student, date.today())  # noqa: DTZ011
    # The import's set-based upsert names (student_id, day) as its conflict target.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (student_id, day, scheduled_hours, absent_hours, reason) "  # noqa: S608
            "VALUES (%s, %s, 6, 6, 'illness') ON CONFLICT (student_id, day) "
            "DO UPDATE SET absent_hours = EXCLUDED.absent_hours, reason = EXCLUDED.reason",
            [student.pk, first.day],
        )
    assert AbsenceRecord.objects.get().absent_hours == Decimal(6)
    with pytest.raises(Exception, match="absent_within_scheduled"):
        absent_too_much = AbsenceRecord(
            student=student, day=date(2030, 1, 2), scheduled_hours=1, absent_hours=2
        )
        absent_too_much.save()


@pytest.fixture
def past_year(refdata):  # type: ignore[no-untyped-def]
    """A partition for 2019-2020 (and 2020-2021), as a school that used Schakelpunt then."""
    partitions_ensure(today=date(2019, 9, 1))
    return "2019-2020"


@on_postgresql
def test_a_past_year_is_refused_while_it_holds_absence_of_an_enrolled_student(past_year):
    absent(StudentFactory(left_on=None), date(2020, 2, 3))

    with pytest.raises(CommandError, match=r"nog verzuim van 1 student\(en\)"):
        call_command("absence", "drop-year", past_year, "--confirm")

    assert rows_per_year()[past_year] == 1


@on_postgresql
def test_a_past_year_is_refused_while_a_legal_hold_keeps_a_student(past_year):
    student = StudentFactory(
        enrolled_on=date(2018, 8, 1), left_on=date(2020, 7, 1), has_basic_qualification=True
    )
    absent(student, date(2020, 2, 3))
    LegalHold.objects.create(student=student, reason="Klacht", set_by=UserFactory())

    with pytest.raises(PartitionError, match="blokkade"):
        partition_drop_year(school_year=past_year, today=date(2026, 12, 1))


@on_postgresql
def test_a_past_year_whose_students_retention_expired_is_dropped_at_once(past_year):
    left = StudentFactory(
        enrolled_on=date(2018, 8, 1), left_on=date(2020, 7, 1), has_basic_qualification=True
    )
    for day in (date(2019, 9, 2), date(2020, 2, 3), date(2020, 7, 31)):
        absent(left, day)
    later = absent(left, date(2020, 8, 1))  # the next school year stays
    out = StringIO()

    with pytest.raises(CommandError, match="--confirm"):
        call_command("absence", "drop-year", past_year)
    call_command("absence", "drop-year", past_year, "--confirm", stdout=out)

    assert out.getvalue() == "Schooljaar 2019-2020 verwijderd: 3 verzuimregels.\n"
    assert past_year not in rows_per_year()
    assert list(AbsenceRecord.objects.all()) == [later]


@on_postgresql
@pytest.mark.parametrize("year", ["2026", "2019-2021", "this year"])
def test_drop_year_refuses_this_year_and_anything_not_a_school_year(past_year, year):
    school_year = school_year_of(date.today()) if year == "this year" else year  # noqa: DTZ011
    with pytest.raises(PartitionError):
        partition_drop_year(school_year=school_year, today=date.today())  # noqa: DTZ011


@on_postgresql
def test_the_command_lists_the_partitions_with_their_rows(refdata):
    absent(StudentFactory(), date.today())  # noqa: DTZ011
    out = StringIO()
    call_command("absence", "partitions", stdout=out)
    lines = out.getvalue().splitlines()
    this_year = school_year_of(date.today())  # noqa: DTZ011
    assert f"{this_year}\t{partition_name(this_year)}\t1" in lines
    assert lines[-1] == f"overig\t{DEFAULT_PARTITION}\t0"


@on_postgresql
def test_the_yearly_task_makes_the_coming_school_year_in_july(refdata):
    with time_machine.travel(date(2095, 7, 1)):
        made = make_next_school_years_absence_partition.call_local()
    assert made == ["2094-2095", "2095-2096"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite keeps one table")
def test_on_sqlite_the_command_says_there_are_no_partitions(db):
    with pytest.raises(CommandError, match="alleen op PostgreSQL"):
        call_command("absence", "partitions")
