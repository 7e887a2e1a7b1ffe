"""Spreadsheet formulas in exported data: imported as text, shown as text, exported as text.

A student imported as `=HYPERLINK(…)` must not become a link (or a command) in the
spreadsheet of whoever opens an export; on screen and in the database the name stays as given.
"""

import csv
import inspect
import io
import re
from datetime import date, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook
from tests.world import World, client_for

from schakelpunt.accounts.models import Location, Programme
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.core.exports import csv_text, spreadsheet_safe
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

SRC = Path(__file__).resolve().parents[2]
LINK = '=HYPERLINK("http://x","klik")'
COMMAND = "+cmd|' /C calc'!A0"
SUM = "@SUM(1)"
MINUS = "-2+3"
MONDAY = date(2025, 9, 1)


def _import_students(world: World) -> dict[str, Student]:
    """Through the upload screen, as the functional administrator."""
    programme = Programme.objects.filter(team__name="T1").select_related("team").first()
    assert programme is not None
    born = (timezone.localdate() - timedelta(days=17 * 365)).isoformat()
    enrolment = ["7511 AB", "L1", programme.crebo, programme.pathway, "2025-08-01", "vmbo"]
    rows = [
        [
            "studentnummer",
            "voornaam",
            "tussenvoegsel",
            "achternaam",
            "geboortedatum",
            "postcode",
            "locatie",
            "crebo",
            "leerweg",
            "startdatum",
            "vooropleiding",
        ],
        [SUM, LINK, "", COMMAND, born, *enrolment],
        [MINUS, "Tab", SUM, "Formule", born, *enrolment],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    upload = SimpleUploadedFile("studenten.csv", out.getvalue().encode())
    admin = client_for(world.users["admin"])
    page = admin.post(
        reverse("students:import"),
        {"institution": programme.team.location.institution_id, "file": upload},
    )
    assert page.status_code == 200
    assert Student.objects.filter(student_number__in=[SUM, MINUS]).count() == 2, page.content
    return {s.student_number: s for s in Student.objects.filter(student_number__in=[SUM, MINUS])}


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_neutralising_keeps_numbers_and_plain_text():
    assert spreadsheet_safe(LINK) == "'" + LINK
    assert spreadsheet_safe(COMMAND) == "'" + COMMAND
    assert spreadsheet_safe(SUM) == "'" + SUM
    assert spreadsheet_safe(MINUS) == "'" + MINUS
    assert spreadsheet_safe("\tx") == "'\tx"
    assert spreadsheet_safe("\rx") == "'\rx"
    # Numbers are values, not formulas: they stay as they are.
    assert spreadsheet_safe("-1.234,5") == "-1.234,5"
    assert spreadsheet_safe("-1+1") == "'-1+1"
    assert [spreadsheet_safe(v) for v in (-2, -2.5, "-2", "-2,5", "-3 %", "+4", "0")] == [
        -2,
        -2.5,
        "-2",
        "-2,5",
        "-3 %",
        "+4",
        "0",
    ]
    assert spreadsheet_safe("Anna") == "Anna"
    assert csv_text([["a", "=1+1"]]) == "a;'=1+1\r\n"


def test_imported_formulas_are_text_in_every_student_and_absence_export(
    world: World, tmp_path, capsys
):
    students = _import_students(world)
    care = client_for(world.users["care_l1"])
    # On screen the name is as entered (and escaped as any text).
    file_page = care.get(reverse("students:detail", args=[students[SUM].pk])).content.decode()
    assert escape(LINK) in file_page and escape(COMMAND) in file_page
    assert Student.objects.get(pk=students[SUM].pk).first_name == LINK

    # The student export.
    rows = _csv(care.get(reverse("students:export")).content)
    exported = {row[0]: row for row in rows[1:]}
    assert exported["'" + SUM][1:4] == ["'" + LINK, "", "'" + COMMAND]
    assert exported["'" + MINUS][1:4] == ["Tab", "'" + SUM, "Formule"]

    # Absence through the real importer, then the reports from the command line …
    absence = tmp_path / "verzuim.csv"
    absence.write_text(
        "studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n"
        + "".join(
            f"{SUM};{(MONDAY + timedelta(weeks=w)).isoformat()};8;4;nee;ongeoorloofd\n"
            for w in range(4)
        )
    )
    call_command(
        "absence", "import", str(absence), institution="ROC Een", as_user="admin@example.nl"
    )
    capsys.readouterr()
    call_command("absence", "reports", institution="ROC Een", date=date(2025, 10, 1))
    cli_rows = _csv(capsys.readouterr().out.encode())
    assert [row[0] for row in cli_rows[1:] if row[0].endswith(SUM)] == ["'" + SUM]
    # … and from the worklist screen.
    screen_rows = _csv(care.get(reverse("signals:export")).content)
    assert "'" + SUM in [row[0] for row in screen_rows[1:]]
    assert SUM not in [row[0] for row in screen_rows[1:]]
    assert escape(SUM) in care.get(reverse("signals:worklist")).content.decode()


def _monitor_world(world: World) -> None:
    Location.objects.filter(name="L1").update(name=LINK)
    enschede = municipality("GM0153")
    programme = Programme.objects.filter(team__name="T1").first()
    start = timezone.localdate() - timedelta(days=30)
    for _i in range(12):
        StudentFactory(programme=programme, residence_municipality=enschede, enrolled_on=start)


def test_the_monitor_csv_and_excel_hold_a_formula_name_as_text(world: World):
    _monitor_world(world)
    advisor = client_for(world.users["municipal"])
    url = reverse("monitor:monitor")
    page = advisor.get(url, {"uitsplitsing": "locatie"}).content.decode()
    assert escape(LINK) in page
    rows = _csv(advisor.get(url, {"uitsplitsing": "locatie", "formaat": "csv"}).content)
    labels = [row[0] for row in rows]
    assert "'" + LINK in labels and LINK not in labels
    body = advisor.get(url, {"uitsplitsing": "locatie", "formaat": "xlsx"}).content
    book = load_workbook(io.BytesIO(body))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    linked = [c for c in cells if isinstance(c.value, str) and LINK in c.value]
    assert linked, "the location is in the Excel file"
    assert all(c.data_type == "s" and c.value == "'" + LINK for c in linked)
    assert not [c for c in cells if c.data_type == "f"]
    # Counts are still numbers a spreadsheet can add.
    assert any(isinstance(c.value, int) for c in cells)


# Every view that answers with a file a spreadsheet opens; a new one must be added here
# (and tested above) or this list fails.
SPREADSHEET_VIEWS = {
    "schakelpunt.students.views.student_export",
    "schakelpunt.signals.views.worklist_export",
    "schakelpunt.monitor.views.monitor",
    "schakelpunt.funding.views.overview",  # through monitor.exports.csv_download, as above
    # The example import files: fixed files from the repository, no data of anyone; the
    # Excel one goes through core.exports like the rest (test_examples.py reads them).
    "schakelpunt.core.example_views.example_download",
    # The register of processing activities: texts from the code, no one's data; written with
    # core.exports.csv_writer (privacy/tests/test_register_outputs.py reads it).
    "schakelpunt.privacy.register_views.register_download",
}


def test_no_export_writes_csv_or_excel_around_the_helper():
    """csv.writer and openpyxl's Workbook are used only in core/exports.py."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts
        and path != SRC / "core" / "exports.py"
        and re.search(r"csv\.(?:Dict)?[wW]riter\(|\bWorkbook\(", path.read_text())
    ]
    assert not offenders, f"write CSV/XLSX with schakelpunt.core.exports: {offenders}"


def test_every_spreadsheet_download_is_known():
    """Each URL whose view writes CSV or Excel is one of the views tested above."""
    views = set()
    for pattern in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(pattern.callback)
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        if re.search(r"text/csv|spreadsheetml|csv_download|workbook\(", source):
            views.add(f"{view.__module__}.{view.__name__}")
    assert views == SPREADSHEET_VIEWS


def _patterns(patterns):  # type: ignore[no-untyped-def]
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _patterns(p.url_patterns)
        else:
            yield p
