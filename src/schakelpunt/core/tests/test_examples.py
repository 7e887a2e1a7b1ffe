"""The example import files, downloaded as a functional administrator would, go through their
importers on a fresh institution without a single error (CSV, and Excel where the importer
reads it); they name every column the importer knows, and docs/ describes each one."""

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from tests.world import client_for

from schakelpunt.accounts import institution_importer, invitation_importer
from schakelpunt.accounts.models import Location, Membership, Programme, ProgrammeTeam
from schakelpunt.accounts.roles import Role
from schakelpunt.core.examples import EXAMPLES, example_get
from schakelpunt.core.first_install import FirstInstall, first_install
from schakelpunt.signals import calendar as school_calendar
from schakelpunt.signals import importer as absence_importer
from schakelpunt.signals.models import AbsenceRecord, SchoolHoliday
from schakelpunt.students import importer as student_importer
from schakelpunt.students.models import Student

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[4] / "docs"
# The columns each importer knows, so an example shows them all.
COLUMNS = {
    "opleidingen": institution_importer.REQUIRED + institution_importer.OPTIONAL,
    "studenten": student_importer.REQUIRED + student_importer.OPTIONAL,
    "verzuim": absence_importer.REQUIRED,
    "vakanties": school_calendar.REQUIRED + school_calendar.OPTIONAL,
    "uitnodigingen": invitation_importer.REQUIRED + invitation_importer.OPTIONAL,
}


def column_name(name: str) -> str:
    """As the importers match a header: no case, `_` or a space alike."""
    return " ".join(name.replace("_", " ").lower().split())


@pytest.fixture
def fresh() -> FirstInstall:
    """An institution as `schakelpunt setup` leaves it: nothing in it but its administrator."""
    return first_install(
        institution_name="ROC Voorbeeld",
        brin="",
        municipality="GM0153",
        admin_email="beheer@roc-voorbeeld.nl",
        admin_first_name="Fatima",
        admin_last_name="El Amrani",
        password="een-lang-eigen-wachtwoord-2026",
        base_url="http://testserver",
    )


def download(client: Client, name: str, extension: str = "csv") -> bytes:
    response = client.get(f"/voorbeelden/{name}.{extension}")
    assert response.status_code == 200
    assert f'filename="voorbeeld-{name}.{extension}"' in response["Content-Disposition"]
    return response.content


def test_every_example_imports_without_errors_in_order_on_a_fresh_institution(
    fresh: FirstInstall,
) -> None:
    admin, institution = fresh.admin, fresh.institution
    client = client_for(admin)
    from_excel: set[str] = set()  # the examples also imported as their .xlsx

    programmes = institution_importer.institution_import(
        actor=admin, institution=institution, data=download(client, "opleidingen")
    )
    assert programmes.errors == []
    assert programmes.created == Programme.objects.count() > 0
    again = institution_importer.institution_import(
        actor=admin, institution=institution, data=download(client, "opleidingen", "xlsx")
    )
    assert again.errors == []
    assert (again.created, again.updated) == (0, 0)  # the Excel example is the same file
    from_excel.add("opleidingen")

    holidays = school_calendar.holiday_import(
        actor=admin, institution=institution, data=download(client, "vakanties")
    )
    assert holidays.errors == []
    assert SchoolHoliday.objects.filter(institution=institution).exists()
    again_holidays = school_calendar.holiday_import(
        actor=admin, institution=institution, data=download(client, "vakanties", "xlsx")
    )
    assert again_holidays.errors == []
    assert (again_holidays.created, again_holidays.updated) == (0, 0)
    assert again_holidays.unchanged == holidays.created
    from_excel.add("vakanties")

    students = student_importer.student_import(
        actor=admin, institution=institution, data=download(client, "studenten")
    )
    assert students.errors == []
    assert students.created == Student.objects.filter(institution=institution).count() > 0
    again_students = student_importer.student_import(
        actor=admin, institution=institution, data=download(client, "studenten", "xlsx")
    )
    assert again_students.errors == []
    assert (again_students.created, again_students.updated) == (0, 0)
    assert again_students.unchanged == students.created
    from_excel.add("studenten")

    absence = absence_importer.absence_import(
        actor=admin, institution=institution, data=download(client, "verzuim")
    )
    assert absence.errors == []
    assert absence.created == AbsenceRecord.objects.count() > 0
    again_absence = absence_importer.absence_import(
        actor=admin, institution=institution, data=download(client, "verzuim", "xlsx")
    )
    assert again_absence.errors == []
    assert (again_absence.created, again_absence.replaced) == (0, 0)
    from_excel.add("verzuim")

    invited = invitation_importer.invitation_import(
        actor=admin, data=download(client, "uitnodigingen"), base_url="http://testserver"
    )
    assert invited.errors == []
    assert invited.invited > 0
    # The invited students are linked to the records the students example made.
    student_numbers = {
        row["studentnummer"]
        for row in csv.DictReader(
            io.StringIO(download(client, "uitnodigingen").decode("utf-8-sig")), delimiter=";"
        )
        if row["studentnummer"]
    }
    assert student_numbers
    assert (
        set(Student.objects.filter(user__isnull=False).values_list("student_number", flat=True))
        == student_numbers
    )
    coaches = Membership.objects.filter(role=Role.COACH, organisation=institution)
    assert coaches.exists()
    assert all(c.programme_team in ProgrammeTeam.objects.all() for c in coaches)
    assert Location.objects.filter(institution=institution).count() >= 2
    # Every Excel example offered went through its importer above.
    assert from_excel == {e.name for e in EXAMPLES.values() if e.xlsx}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_an_example_shows_every_column_its_importer_knows_and_docs_describe_them(
    name: str,
) -> None:
    example = example_get(name)
    assert example is not None, f"core/examples/{name}.csv ontbreekt"
    rows = list(csv.reader(io.StringIO(example.path.read_text(encoding="utf-8")), delimiter=";"))
    assert sorted(map(column_name, rows[0])) == sorted(map(column_name, COLUMNS[name]))
    assert all(len(row) == len(rows[0]) for row in rows[1:])
    doc = (DOCS / example.doc).read_text(encoding="utf-8")
    assert f"/voorbeelden/{name}.csv" in doc
    for column in rows[0]:
        assert f"`{column}`" in doc, f"docs/{example.doc} beschrijft de kolom {column} niet"


def test_examples_are_for_logged_in_people_and_only_the_known_ones(fresh: FirstInstall) -> None:
    anonymous = Client().get("/voorbeelden/studenten.csv")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/account/inloggen/")
    client = client_for(fresh.admin)
    assert client.get("/voorbeelden/bestaat-niet.csv").status_code == 404
    # The invitations importer reads CSV only: no Excel example that it would refuse.
    assert client.get("/voorbeelden/uitnodigingen.xlsx").status_code == 404
    assert client.get("/voorbeelden/studenten.xlsx").status_code == 200
    # The CSV opens in Excel with its accents: UTF-8 with the byte order mark.
    assert download(client, "studenten").startswith(b"\xef\xbb\xbf")


def test_the_import_screens_link_to_their_examples(fresh: FirstInstall) -> None:
    client = client_for(fresh.admin)
    students = client.get("/studenten/importeren/").content.decode()
    assert 'href="/voorbeelden/studenten.csv"' in students
    assert 'href="/voorbeelden/studenten.xlsx"' in students
    assert 'accept=".csv,.txt,.xlsx"' in students
    calendar = client.get("/schoolkalender/").content.decode()
    assert 'href="/voorbeelden/vakanties.csv"' in calendar
    assert 'href="/voorbeelden/vakanties.xlsx"' in calendar
    absence = client.get("/verzuim/importeren/").content.decode()
    assert "Nog geen verzuim ingelezen" in absence  # the first time: what comes first
    assert 'href="/voorbeelden/verzuim.csv"' in absence
    assert 'href="/voorbeelden/verzuim.xlsx"' in absence
