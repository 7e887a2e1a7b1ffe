"""Importing students from an Excel workbook: the same rows as a CSV give the same students,
whatever Excel made of the cells; all or nothing, with the sheet's row numbers in the errors."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.core.tests.excel import PADDED, TEXT, TYPED, csv_file, workbook
from schakelpunt.students.importer import FIELDS, parse_students, student_import
from schakelpunt.students.models import Student

HEADER = [
    "studentnummer",
    "voornaam",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "bsn",
    "telefoon",
    "postcode",
    "locatie",
    "crebo",
    "leerweg",
    "startdatum",
    "vooropleiding",
    "startkwalificatie",
    "startkwalificatie_datum",
    "uitschrijfdatum",
]
SANNE = [
    "2025001", "Sanne", "van der", "Berg", "14-03-2009", "111222333", "0612345678", "7511 JE",
    "Enschede", "25901", "BOL", "01-09-2025", "vmbo", "nee", "", "",
]  # fmt: skip
DAAN = [
    "0012345", "Daan", "", "Jansen", "2007-06-30", "012345672", "", "7553ab",
    "Enschede", "25901", "BBL", "2024-09-01", "havo", "ja", "10-07-2024", "15-06-2026",
]  # fmt: skip
ROWS = [HEADER, SANNE, DAAN]


@pytest.fixture
def school(refdata):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Excel")
    location = LocationFactory(institution=roc, name="Enschede")
    team = ProgrammeTeamFactory(location=location)
    ProgrammeFactory(team=team, crebo="25901", pathway="BOL")
    ProgrammeFactory(team=team, crebo="25901", pathway="BBL")
    admin = UserFactory(email="beheer@roc-excel.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    return roc, admin


def run(school, data: bytes):  # type: ignore[no-untyped-def]
    roc, admin = school
    return student_import(actor=admin, institution=roc, data=data)


def students() -> list[tuple[object, ...]]:
    return sorted(Student.objects.values_list("student_number", *FIELDS))


def test_an_excel_file_gives_the_students_its_csv_gives(school):
    # Excel made numbers of the student number, BSN and crebo, and dates of the dates; Daan's
    # number and phone were typed in a text column, his BSN shows its zero through `000…`.
    result = run(school, workbook(ROWS, PADDED))
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    sanne = Student.objects.get(student_number="2025001")
    assert (sanne.date_of_birth, sanne.bsn, sanne.phone, sanne.postcode) == (
        date(2009, 3, 14),
        "111222333",
        "0612345678",
        "7511 JE",
    )
    assert sanne.programme.pathway == "BOL"
    daan = Student.objects.get(student_number="0012345")
    assert daan.bsn == "012345672"
    assert (daan.has_basic_qualification, daan.basic_qualification_on) == (True, date(2024, 7, 10))
    assert (daan.enrolled_on, daan.left_on) == (date(2024, 9, 1), date(2026, 6, 15))
    imported = students()
    # The CSV of the same rows, and the same sheet typed as text, change nothing.
    for same in (csv_file(ROWS), workbook(ROWS, TEXT)):
        again = run(school, same)
        assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, 2)
    assert students() == imported


def test_importing_the_excel_file_again_changes_nothing(school):
    data = workbook(ROWS)
    assert run(school, data).created == 2
    imported = students()
    again = run(school, data)
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, 2)
    assert students() == imported


def test_a_bad_row_in_excel_names_its_row_and_nothing_is_saved(school):
    bad = [*DAAN[:4], "31-02-2007", *DAAN[5:]]  # no date, so Excel keeps the text
    empty = [""] * len(HEADER)  # an empty row in between: Excel's row numbers still count
    result = run(school, workbook([HEADER, SANNE, empty, bad]))
    assert [str(e) for e in result.errors] == [
        "Regel 4: geboortedatum '31-02-2007' is geen geldige datum (gebruik JJJJ-MM-DD of "
        "DD-MM-JJJJ)."
    ]
    assert Student.objects.count() == 0
    longer = run(school, workbook([HEADER, SANNE, [*DAAN, "teveel"]]))
    assert [str(e) for e in longer.errors] == [
        "Regel 3: deze regel heeft meer kolommen dan de kop."
    ]
    missing = run(school, workbook([HEADER[1:], SANNE[1:]]))
    assert [str(e) for e in missing.errors] == ["Regel 1: kolom ontbreekt: studentnummer."]
    assert Student.objects.count() == 0


def test_a_file_that_is_no_workbook_is_refused_with_a_dutch_message(school):
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("foto.txt", "dit is geen werkmap")
    broken = workbook(ROWS)[:2000]  # cut off halfway
    for data in (other.getvalue(), broken):
        result = run(school, data)
        assert [str(e) for e in result.errors] == [
            "Het Excel-bestand kan niet worden gelezen. Sla het opnieuw op als .xlsx."
        ]
    assert Student.objects.count() == 0


def test_the_import_screen_takes_an_excel_file(school):
    roc, admin = school
    client = Client()
    client.force_login(admin)
    page = client.get("/studenten/importeren/").content.decode()
    assert 'accept=".csv,.txt,.xlsx"' in page
    assert "CSV- of Excel-bestand" in page
    upload = SimpleUploadedFile("export.xlsx", workbook(ROWS))
    page = client.post("/studenten/importeren/", {"institution": roc.pk, "file": upload})
    assert "Ingelezen: 2 nieuw, 0 bijgewerkt, 0 ongewijzigd." in page.content.decode()
    assert Student.objects.count() == 2


def test_the_command_takes_an_excel_file(school, tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook(ROWS))
    call_command(
        "students", "import", str(path), institution="ROC Excel", as_user="beheer@roc-excel.nl"
    )
    assert "2 nieuw, 0 bijgewerkt, 0 ongewijzigd." in capsys.readouterr().out
    path.write_bytes(workbook([HEADER, [*SANNE[:1], "", *SANNE[2:]]]))
    with pytest.raises(CommandError, match="Niets geïmporteerd: 1 fout"):
        call_command(
            "students", "import", str(path), institution="ROC Excel", as_user="beheer@roc-excel.nl"
        )
    assert "Regel 2: voornaam ontbreekt." in capsys.readouterr().err


# Cells as a student information system might export them, right and wrong.
CELLS = {
    "studentnummer": ["100", "101", "0102", "2025001", "", "abc", " 103"],
    "voornaam": ["Sanne", "Zoë", "", "Jan Willem"],
    "tussenvoegsel": ["", "van der", "de"],
    "achternaam": ["Berg", "El Idrissi", ""],
    "geboortedatum": ["12-03-2008", "2008-03-12", "12/03/2008", "1-9-2007", "31-02-2007", "", "x"],
    "bsn": ["", "111222333", "123456789", "012345672", "12345672"],
    "telefoon": ["", "0612345678", "06-12345678"],
    "postcode": ["7511 AB", "7553ab", "1011AB", "75xx", "7511", ""],
    "locatie": ["Enschede", "enschede", "Hengelo", ""],
    "crebo": ["25901", "25999", ""],
    "leerweg": ["BOL", "bbl", "XYZ"],
    "startdatum": ["2025-09-01", "01-09-2025", "1-9-2025", ""],
    "vooropleiding": ["vmbo", "VSO", "mavo", ""],
    "startkwalificatie": ["ja", "nee", "", "misschien", "1", "0", "WAAR", "onwaar"],
    "startkwalificatie_datum": ["", "2024-07-10", "10-07-2024", "2099-01-01"],
    "uitschrijfdatum": ["", "15-06-2026", "2020-01-01"],
}
rows_strategy = st.lists(
    st.one_of(
        st.tuples(*[st.sampled_from(CELLS[column]) for column in HEADER]).map(list),
        st.just([""] * len(HEADER)),  # an empty row
        st.tuples(*[st.sampled_from(CELLS[column]) for column in HEADER]).map(
            lambda row: [*row, "teveel"]  # a cell right of the header
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, how=st.sampled_from([TEXT, TYPED, PADDED]))
def test_csv_and_excel_of_any_rows_give_the_same_result(school, rows, how):
    roc, _admin = school
    table = [HEADER, *rows]
    from_csv = parse_students(csv_file(table), roc)
    from_excel = parse_students(workbook(table, how), roc)
    assert from_excel == from_csv
    checked, errors = from_excel
    if errors:
        assert checked == []
        return
    # A file that imports: the Excel import and then the CSV is a no-op, and the other way.
    excel = run(school, workbook(table, how))
    assert excel.ok
    again = run(school, csv_file(table))
    assert (again.ok, again.created, again.updated) == (True, 0, 0)
    assert run(school, workbook(table, how)).unchanged == again.unchanged
