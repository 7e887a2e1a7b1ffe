"""Importing students: all or nothing, Dutch row errors, re-import is a no-op."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schakelpunt.accounts.models import Location, Programme, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.students.bsn import bsn_is_valid, bsn_masked
from schakelpunt.students.importer import student_import
from schakelpunt.students.models import Student

HEADER = (
    "studentnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;bsn;postcode;locatie;"
    "crebo;leerweg;startdatum;vooropleiding;startkwalificatie\n"
)
ROW_1 = (
    "100;Sanne;van der;Berg;12-03-2008;111222333;7511 AB;Enschede;25901;BOL;2025-09-01;vmbo;nee\n"
)
ROW_2 = "101;Daan;;Jansen;2007-06-30;;7553ab;Enschede;25901;BOL;01-09-2025;vso;nee\n"


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Import")
    location = LocationFactory(institution=roc, name="Enschede")
    ProgrammeFactory(team=ProgrammeTeamFactory(location=location), crebo="25901", pathway="BOL")
    admin = UserFactory(email="beheer@roc.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    return roc, admin


def run(school, text: str, encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    roc, admin = school
    return student_import(actor=admin, institution=roc, data=text.encode(encoding))


def test_import_creates_students_with_residence_and_programme(school):
    result = run(school, HEADER + ROW_1 + ROW_2)
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    sanne = Student.objects.get(student_number="100")
    assert (sanne.name_prefix, sanne.last_name, sanne.full_name) == (
        "van der",
        "Berg",
        "Sanne van der Berg",
    )
    assert sanne.residence_municipality is not None
    assert sanne.residence_municipality.cbs_code == "GM0153"
    assert sanne.bsn == "111222333" and sanne.bsn_masked == "••••••333"
    daan = Student.objects.get(student_number="101")
    assert daan.postcode == "7553 AB"
    assert daan.residence_municipality.cbs_code == "GM0164"
    assert daan.programme.crebo == "25901"


def test_importing_the_same_file_again_changes_nothing(school):
    run(school, HEADER + ROW_1 + ROW_2)
    again = run(school, HEADER + ROW_1 + ROW_2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Student.objects.count() == 2


def test_a_later_file_updates_instead_of_duplicating(school):
    run(school, HEADER + ROW_1 + ROW_2)
    moved = ROW_2.replace("7553ab", "1011 AB")
    result = run(school, HEADER + ROW_1 + moved)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Student.objects.get(student_number="101").residence_municipality.cbs_code == "GM0363"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            ROW_2.replace("2007-06-30", "31-02-2007"),
            "Regel 3: geboortedatum '31-02-2007' is geen geldige datum",
        ),
        (
            ROW_2.replace(";;7553ab", ";123456789;7553ab"),
            "Regel 3: bsn klopt niet (de elfproef faalt).",
        ),
        (ROW_2.replace("7553ab", "75xx"), "Regel 3: postcode '75xx' is geen Nederlandse postcode."),
        (
            ROW_2.replace(";Enschede;", ";Hengelo;"),
            "Regel 3: locatie 'Hengelo' bestaat niet bij deze instelling.",
        ),
        (
            ROW_2.replace(";25901;BOL;", ";25999;BOL;"),
            "Regel 3: geen opleiding met crebo 25999 (BOL) op locatie Enschede.",
        ),
        (ROW_2.replace(";BOL;", ";XYZ;"), "Regel 3: leerweg 'XYZ' moet BOL of BBL zijn."),
        (ROW_2.replace(";vso;", ";mavo;"), "Regel 3: vooropleiding 'mavo' is onbekend"),
        (
            ROW_2.replace(";nee\n", ";misschien\n"),
            "Regel 3: startkwalificatie 'misschien' moet ja of nee zijn.",
        ),
        (ROW_2.replace("101;", "100;", 1), "Regel 3: studentnummer 100 staat ook op regel 2."),
        (ROW_2.replace("101;Daan", "101;"), "Regel 3: voornaam ontbreekt."),
        (ROW_2.replace("2007-06-30", "2020-01-01"), "onwaarschijnlijke leeftijd"),
        (
            "102;Extra;;Kolom;2007-01-01;;7511AB;Enschede;25901;BOL;2025-09-01;vmbo;nee;teveel\n",
            "Regel 3: deze regel heeft meer kolommen dan de kop.",
        ),
    ],
)
def test_one_bad_row_rejects_the_whole_file_with_a_dutch_message(school, bad_row, message):
    result = run(school, HEADER + ROW_1 + bad_row)
    assert not result.ok
    assert any(message in str(e) for e in result.errors), [str(e) for e in result.errors]
    assert Student.objects.count() == 0  # not even the good first row


def test_missing_columns_and_empty_files_are_refused(school):
    assert str(run(school, "studentnummer;voornaam\n1;A\n").errors[0]).startswith(
        "Regel 1: kolom ontbreekt: achternaam, geboortedatum"
    )
    assert str(run(school, "").errors[0]) == "Het bestand is leeg."
    assert str(run(school, HEADER).errors[0]) == "Het bestand bevat geen studenten."


def test_a_file_saved_by_excel_on_windows_is_read(school):
    result = run(school, HEADER + ROW_1.replace("Sanne", "Zoë"), encoding="cp1252")
    assert result.ok
    assert Student.objects.get().first_name == "Zoë"


@pytest.mark.parametrize(
    ("bsn", "valid"),
    [
        ("111222333", True),
        ("123456782", True),
        ("12345678", False),
        ("123456789", False),
        ("000000000", False),
        ("11122233a", False),
        ("1112223333", False),
    ],
)
def test_bsn_elfproef(bsn, valid):
    assert bsn_is_valid(bsn) is valid
    assert bsn_masked("123456782") == "••••••782"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(st.text(alphabet="ab12-;,.\"' \n/", max_size=12), min_size=13, max_size=13),
        min_size=1,
        max_size=4,
    )
)
def test_any_malformed_file_is_refused_and_changes_nothing(school, cells):
    body = "".join(";".join(row) + "\n" for row in cells)
    before = Student.objects.count()
    result = run(school, HEADER + body)
    if not result.ok:
        assert Student.objects.count() == before
        assert all(str(e) for e in result.errors)


def test_functional_admin_imports_through_the_screen_and_others_cannot(school):
    roc, admin = school
    client = Client()
    client.force_login(admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("export.csv", (HEADER + ROW_1 + ROW_2).encode())
    page = client.post("/studenten/importeren/", {"institution": roc.pk, "file": upload})
    assert "Ingelezen: 2 nieuw, 0 bijgewerkt, 0 ongewijzigd." in page.content.decode()
    bad = SimpleUploadedFile("export.csv", (HEADER + ROW_2.replace("7553ab", "x")).encode())
    page = client.post("/studenten/importeren/", {"institution": roc.pk, "file": bad})
    assert "Niets geïmporteerd: 1 fout" in page.content.decode()
    coach = UserFactory()
    MembershipFactory(
        user=coach, organisation=roc, role=Role.COACH, programme_team=Programme.objects.get().team
    )
    other = Client()
    other.force_login(coach)
    assert other.get("/studenten/importeren/").status_code == 404


def test_command_line_import(school, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text(HEADER + ROW_1)
    call_command("students", "import", str(path), institution="ROC Import", as_user="beheer@roc.nl")
    assert "1 nieuw, 0 bijgewerkt, 0 ongewijzigd." in capsys.readouterr().out
    path.write_text(HEADER + ROW_1.replace("Sanne", ""))
    with pytest.raises(CommandError, match="Niets geïmporteerd: 1 fout"):
        call_command(
            "students", "import", str(path), institution="ROC Import", as_user="beheer@roc.nl"
        )
    assert "Regel 2: voornaam ontbreekt." in capsys.readouterr().err
    assert Location.objects.count() == 1 and User.objects.count() == 1


def test_after_an_import_the_administrator_is_told_where_the_students_are_counted(school):
    """The functional administrator opens no student file (need-to-know): an empty student
    list must not look like a failed import, and both pages point to the counts."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    roc, admin = school
    client = Client()
    client.force_login(admin)
    upload = SimpleUploadedFile("export.csv", (HEADER + ROW_1 + ROW_2).encode())
    page = client.post("/studenten/importeren/", {"institution": roc.pk, "file": upload})
    text = page.content.decode()
    assert "Ingelezen: 2 nieuw" in text
    assert 'href="/beheer/instelling/">Opbouw van de instelling</a>' in text

    text = client.get("/studenten/").content.decode()
    assert "Uw rol geeft geen toegang tot studentdossiers" in text
    assert 'href="/beheer/instelling/">Opbouw van de instelling</a>' in text
    assert "Geen studenten gevonden" not in text
    assert "0 studenten" not in text
    assert "2 studenten ingeschreven." in client.get("/beheer/instelling/").content.decode()

    # The coach of the programme's team does see them, without the explanation.
    coach = UserFactory()
    MembershipFactory(
        user=coach, organisation=roc, role=Role.COACH, programme_team=Programme.objects.get().team
    )
    other = Client()
    other.force_login(coach)
    text = other.get("/studenten/").content.decode()
    assert "2 studenten" in text
    assert "Uw rol geeft geen toegang" not in text
