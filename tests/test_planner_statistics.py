"""After an import the query planner knows how big the tables are now (issue 16: without
statistics SQLite walked every student of the school through the wrong index)."""

from collections.abc import Callable

import pytest
from django.db import connection

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.signals.importer import absence_import
from schakelpunt.students.importer import student_import


def analysed(table: str) -> Callable[[], int]:
    """A counter of the planner statistics taken of `table`, reset where the database lets us."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])

    def count() -> int:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
                if not cursor.fetchone():
                    return 0
                cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            else:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table]
                )
            row = cursor.fetchone()
            return int(row[0]) if row else 0

    return count


@pytest.fixture
def school(refdata):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Statistiek")
    location = LocationFactory(institution=roc, name="Enschede")
    ProgrammeFactory(team=ProgrammeTeamFactory(location=location), crebo="25901", pathway="BOL")
    admin = UserFactory(email="beheer@statistiek.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    return roc, admin


STUDENTS = (
    "studentnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;bsn;postcode;locatie;"
    "crebo;leerweg;startdatum;vooropleiding;startkwalificatie\n"
    "100;Sanne;van der;Berg;12-03-2008;111222333;7511 AB;Enschede;25901;BOL;2025-09-01;vmbo;nee\n"
)
ABSENCE = (
    "studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n"
    "100;2025-09-01;8;4;nee;ongeoorloofd\n"
)


def test_a_students_import_refreshes_the_planner_statistics(
    school, django_capture_on_commit_callbacks
):
    roc, admin = school
    count = analysed("students_student")
    before = count()
    with django_capture_on_commit_callbacks(execute=True):
        result = student_import(actor=admin, institution=roc, data=STUDENTS.encode())
    assert result.ok
    assert count() > before


def test_an_absence_import_refreshes_the_planner_statistics(
    school, django_capture_on_commit_callbacks
):
    roc, admin = school
    with django_capture_on_commit_callbacks(execute=True):
        student_import(actor=admin, institution=roc, data=STUDENTS.encode())
    count = analysed("signals_absencerecord")
    before = count()
    with django_capture_on_commit_callbacks(execute=True):
        result = absence_import(actor=admin, institution=roc, data=ABSENCE.encode())
    assert result.ok
    assert count() > before
