"""Files that are no readable table give a specific Dutch message, never a 500, and change nothing.

Every importer through the entry its users take: the upload screens (students, absence,
handover) and the command line (students, absence, sociale kaart).
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.accounts.models import Organisation
from schakelpunt.directory.hsds import directory_export_json
from schakelpunt.directory.models import DirectoryOrganisation, Service
from schakelpunt.directory.tests.factories import full_directory
from schakelpunt.signals.models import AbsenceImportJob, AbsenceRecord
from schakelpunt.students.models import Student
from schakelpunt.transitions.models import HandoverRecord

MILLION = "x" * 1_000_000
STUDENTS = (
    "studentnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;postcode;locatie;crebo;"
    "leerweg;startdatum;vooropleiding\n"
    "900;{name};;Nieuw;2009-01-01;7511 AB;L1;25901;BOL;2025-08-01;vmbo\n"
)
ABSENCE = (
    "studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n"
    "{name};2025-09-01;8;4;nee;ongeoorloofd\n"
)
HANDOVER = (
    "vo_school;voornaam;tussenvoegsel;achternaam;geboortedatum;schoolsoort;diploma_verwacht;"
    "toestemming;studentnummer;ondersteuning;wat_werkte;mentor;mentor_email\n"
    "Het Esch College;{name};;Nieuw;2009-01-01;vmbo-k;ja;ja;;;;;\n"
)

# What is wrong with the file, and (a part of) the message that says so.
BAD_CSV = {
    "long": (
        lambda template: template.format(name=MILLION).encode(),
        "een veld is langer dan 131.072 tekens",
    ),
    "undecodable": (
        lambda template: template.format(name="Jo").encode() + b"\x81\x8d\x90;\xff\n",
        "bevat tekens die geen UTF-8 en geen Windows-1252 zijn",
    ),
    "utf16": (
        lambda template: template.format(name="Jo").encode("utf-16"),
        "opgeslagen als UTF-16",
    ),
    "binary": (
        lambda template: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "NUL-teken",
    ),
}


def _file(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _roc() -> Organisation:
    return Organisation.objects.get(name="ROC Een")


@pytest.mark.parametrize("bad", BAD_CSV)
def test_student_import_screen_and_command(world: World, tmp_path: Path, bad: str) -> None:
    make, message = BAD_CSV[bad]
    data = make(STUDENTS)
    before = list(Student.objects.values_list("pk", "first_name", "last_name"))
    page = client_for(world.users["admin"]).post(
        reverse("students:import"),
        {"institution": _roc().pk, "file": _file("studenten.csv", data)},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Niets geïmporteerd: 1 fout" in html and message in html
    path = tmp_path / "studenten.csv"
    path.write_bytes(data)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command(
            "students",
            "import",
            str(path),
            institution="ROC Een",
            as_user="admin@example.nl",
            stderr=errors,
        )
    assert message in errors.getvalue()
    assert list(Student.objects.values_list("pk", "first_name", "last_name")) == before


@pytest.mark.parametrize("bad", BAD_CSV)
def test_absence_import_screen_and_command(
    world: World, tmp_path: Path, bad: str, django_capture_on_commit_callbacks
) -> None:
    make, message = BAD_CSV[bad]
    data = make(ABSENCE)
    officer = client_for(world.users["absence"])
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            reverse("signals:import"),
            {"institution": _roc().pk, "file": _file("verzuim.csv", data)},
        )
    assert response.status_code == 302
    job = AbsenceImportJob.objects.get()
    assert job.errors and message in job.errors[0], job.errors
    assert message in officer.get(response["Location"]).content.decode()
    path = tmp_path / "verzuim.csv"
    path.write_bytes(data)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command(
            "absence",
            "import",
            str(path),
            institution="ROC Een",
            as_user="absence@example.nl",
            stderr=errors,
        )
    assert message in errors.getvalue()
    assert not AbsenceRecord.objects.exists()


@pytest.mark.parametrize("bad", BAD_CSV)
def test_handover_file_screen(world: World, bad: str) -> None:
    make, message = BAD_CSV[bad]
    care = client_for(world.users["care_l1"])
    page = care.post(reverse("intake:incoming"), {"file": _file("overdracht.csv", make(HANDOVER))})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not HandoverRecord.objects.exists()


BAD_JSON = {
    "deep": (b"[" * 100_000 + b"]" * 100_000, "dieper genest dan 32 niveaus"),
    "deep-object": (b'{"a":' * 50 + b"1" + b"}" * 50, "dieper genest dan 32 niveaus"),
    "utf16": (json.dumps({"organizations": [], "services": []}).encode("utf-16"), "UTF-16"),
    "undecodable": (b'[{"name": "Zorg \xff\xfe"}]', "geen UTF-8-tekst (regel 1)"),
}


@pytest.mark.parametrize("bad", BAD_JSON)
def test_sociale_kaart_import_command(refdata: None, tmp_path: Path, bad: str) -> None:
    data, message = BAD_JSON[bad]
    path = tmp_path / "kaart.json"
    path.write_bytes(data)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command("directory", "import", str(path), stderr=errors)
    assert message in errors.getvalue()
    assert not DirectoryOrganisation.objects.exists() and not Service.objects.exists()


def test_sociale_kaart_with_a_name_of_a_million_characters(refdata: None, tmp_path: Path) -> None:
    full_directory()
    document = json.loads(directory_export_json())
    for model in (Service, DirectoryOrganisation):
        model.objects.all().delete()
    document["organizations"][0]["name"] = MILLION
    path = tmp_path / "kaart.json"
    path.write_text(json.dumps(document))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command("directory", "import", str(path), stderr=errors)
    assert "naam is langer dan 200 tekens (1.000.000)" in errors.getvalue()
    assert not DirectoryOrganisation.objects.exists() and not Service.objects.exists()


def test_an_apostrophe_in_a_field_never_merges_rows() -> None:
    """A cell with only an apostrophe ("'s-Hertogenbosch" cut short, a typing slip) once made
    the separator sniffer take ' for a quote character: two rows became one."""
    from schakelpunt.core.csvfiles import export_reader

    rows = list(export_reader("a;b\n';x\n1;'\n2;y\n"))
    assert [(r["a"], r["b"]) for r in rows] == [("'", "x"), ("1", "'"), ("2", "y")]
