"""Importing programmes with their locations and teams: all or nothing, Dutch row errors,
re-import changes nothing, a later file updates instead of duplicating."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from schakelpunt.accounts.institution_importer import institution_import
from schakelpunt.accounts.models import Location, Programme, ProgrammeTeam
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from schakelpunt.students.tests.factories import StudentFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "core" / "examples" / "opleidingen.csv"
HEADER = "locatie;gemeente;team;crebo;opleiding;niveau;leerweg;einddatum\n"
ROW_1 = "Enschede;GM0153;Zorg;25498;Helpende Zorg en Welzijn;2;BOL;\n"
ROW_2 = "Enschede;;Zorg;25491;Verzorgende-IG;3;BBL;\n"
ROW_3 = "Hengelo;Hengelo;ICT;25604;Software developer;4;bol;\n"


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Opbouw", brin="25AB")
    admin = UserFactory(email="beheer@roc.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    return roc, admin


def run(school, text: str, encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    roc, admin = school
    return institution_import(actor=admin, institution=roc, data=text.encode(encoding))


def structure() -> set[tuple[str, str, str, str, str, int, str, date | None]]:
    return {
        (
            p.team.location.name,
            p.team.location.municipality.cbs_code,
            p.team.name,
            p.crebo,
            p.name,
            p.level,
            p.pathway,
            p.ended_on,
        )
        for p in Programme.objects.select_related("team__location__municipality")
    }


def test_an_empty_institution_gets_its_locations_teams_and_programmes(school):
    result = run(school, HEADER + ROW_1 + ROW_2 + ROW_3)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert (result.locations_created, result.teams_created) == (2, 2)
    assert structure() == {
        ("Enschede", "GM0153", "Zorg", "25498", "Helpende Zorg en Welzijn", 2, "BOL", None),
        ("Enschede", "GM0153", "Zorg", "25491", "Verzorgende-IG", 3, "BBL", None),
        # "Hengelo" is the municipality Hengelo (O.); bol is BOL.
        ("Hengelo", "GM0164", "ICT", "25604", "Software developer", 4, "BOL", None),
    }


def test_the_same_file_again_changes_nothing(school):
    run(school, HEADER + ROW_1 + ROW_2 + ROW_3)
    again = run(school, HEADER + ROW_1 + ROW_2 + ROW_3)
    assert again.ok
    assert again.summary() == "0 nieuw, 0 gewijzigd, 3 ongewijzigd."
    assert (Location.objects.count(), ProgrammeTeam.objects.count()) == (2, 2)
    assert Programme.objects.count() == 3


def test_a_later_file_updates_name_level_team_and_end_instead_of_duplicating(school):
    run(school, HEADER + ROW_1 + ROW_2)
    later = ROW_1.replace(";Zorg;", ";Zorg en Welzijn;").replace(
        "Helpende Zorg en Welzijn;2;BOL;", "Helpende Z&W;2;BOL;31-07-2030"
    )
    result = run(school, HEADER + later + ROW_2.replace(";3;", ";4;"))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    programme = Programme.objects.get(crebo="25498")
    assert (programme.name, programme.team.name, programme.ended_on) == (
        "Helpende Z&W",
        "Zorg en Welzijn",
        date(2030, 7, 31),
    )
    assert Programme.objects.get(crebo="25491").level == 4
    assert Programme.objects.count() == 2


def test_same_crebo_at_another_location_or_pathway_is_another_programme(school):
    other_location = "Hengelo;GM0164;Zorg;25498;Helpende Zorg en Welzijn;2;BOL;\n"
    bbl = ROW_1.replace(";BOL;", ";BBL;")
    result = run(school, HEADER + ROW_1 + other_location + bbl)
    assert (result.ok, result.created) == (True, 3)


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            ROW_3.replace(";Hengelo;", ";;"),
            "Regel 3: locatie 'Hengelo' is nieuw: vul de gemeente in",
        ),
        (ROW_3.replace(";Hengelo;", ";GM9999;"), "Regel 3: gemeente 'GM9999' is geen gemeente"),
        (ROW_3.replace(";Hengelo;", ";Atlantis;"), "Regel 3: gemeente 'Atlantis' is geen gemeente"),
        (ROW_3.replace("25604", "2560"), "Regel 3: crebo '2560' moet uit vijf cijfers bestaan."),
        (ROW_3.replace(";4;", ";5;"), "Regel 3: niveau '5' moet Entree, 1, 2, 3 of 4 zijn."),
        (ROW_3.replace(";bol;", ";DUAAL;"), "Regel 3: leerweg 'DUAAL' moet BOL of BBL zijn."),
        (ROW_3.replace(";ICT;", ";;"), "Regel 3: team ontbreekt."),
        (ROW_3.replace(";Software developer;", ";;"), "Regel 3: opleiding ontbreekt."),
        (
            ROW_3.replace(";bol;", ";bol;31-02-2027"),
            "Regel 3: einddatum '31-02-2027' is geen geldige datum",
        ),
        (
            ROW_1.replace("Helpende", "Andere naam"),
            "Regel 3: crebo 25498 (BOL) op locatie Enschede staat ook op regel 2.",
        ),
        (
            "Enschede;GM0164;Zorg;25400;X;2;BOL;\n",
            "Regel 3: locatie Enschede ligt volgens regel 2 in Enschede.",
        ),
        (ROW_3.rstrip("\n") + ";teveel\n", "Regel 3: deze regel heeft meer kolommen dan de kop."),
    ],
)
def test_one_bad_row_rejects_the_whole_file_with_a_dutch_message(school, bad_row, message):
    result = run(school, HEADER + ROW_1 + bad_row)
    assert not result.ok
    assert any(message in e for e in result.errors), result.errors
    assert Programme.objects.count() == 0  # not even the good first row
    assert Location.objects.count() == 0 and ProgrammeTeam.objects.count() == 0


def test_missing_columns_and_empty_files_are_refused(school):
    assert run(school, "locatie;team\nEnschede;Zorg\n").errors == [
        "Regel 1: kolom ontbreekt: gemeente, crebo, opleiding, niveau, leerweg. De eerste regel "
        "noemt de kolommen: locatie, gemeente, team, crebo, opleiding, niveau, leerweg, "
        "einddatum."
    ]
    assert run(school, "").errors == ["Het bestand is leeg."]
    assert run(school, "\n\n").errors == ["Het bestand is leeg."]
    assert run(school, HEADER).errors == ["Het bestand bevat geen opleidingen."]
    assert run(school, "\x00\x01binary").errors[0].startswith("Regel 1 bevat een NUL-teken")


def test_comma_separated_and_excel_on_windows_files_are_read(school):
    result = run(school, (HEADER + ROW_1.replace("Welzijn", "Wélzijn")).replace(";", ","), "cp1252")
    assert result.ok, result.errors
    assert Programme.objects.get().name == "Helpende Zorg en Wélzijn"


def test_apostrophes_are_text_not_quotes(school):
    rows = (
        "Den Bosch;'s-Hertogenbosch;Horeca;25400;Kok 'à la carte';2;BOL;\n"
        "Den Bosch;;Horeca;25401;';3;BOL;\n"
        "Den Bosch;;Horeca;25402;Gastheer;4;BOL;\n"
    )
    result = run(school, HEADER + rows)
    assert (result.ok, result.created) == (True, 3), result.errors
    assert Location.objects.get().municipality.cbs_code == "GM0796"
    assert set(Programme.objects.values_list("name", flat=True)) == {
        "Kok 'à la carte'",
        "'",
        "Gastheer",
    }


def test_an_xlsx_file_is_read_like_the_csv(school):
    book = Workbook()
    sheet = book.active
    sheet.append(["Locatie", "Gemeente", "Team", "Crebo", "Opleiding", "Niveau", "Leerweg", None])
    sheet.append(["Enschede", "GM0153", "Zorg", 25498, "Helpende Zorg en Welzijn", 2, "BOL"])
    sheet.append(["Enschede", None, "Entree", 25250, "Entree-opleiding", "Entree", "BOL"])
    buffer = io.BytesIO()
    book.save(buffer)
    roc, admin = school
    result = institution_import(actor=admin, institution=roc, data=buffer.getvalue())
    assert (result.ok, result.created) == (True, 2), result.errors
    assert Programme.objects.get(crebo="25250").level == 1
    broken = institution_import(actor=admin, institution=roc, data=b"PK\x03\x04 kapot")
    assert broken.errors == [
        "Het Excel-bestand kan niet worden gelezen. Sla het opnieuw op als .xlsx."
    ]


def test_ending_a_programme_that_still_has_students_is_refused(school):
    run(school, HEADER + ROW_1)
    StudentFactory(programme=Programme.objects.get())
    day = (timezone.localdate() + timedelta(days=30)).strftime("%d-%m-%Y")
    result = run(school, HEADER + ROW_1.replace(";BOL;", f";BOL;{day}"))
    assert result.errors == [
        f"Regel 2: opleiding 25498 (BOL) kan niet eindigen op {day}: daarna staan er nog 1 "
        "student(en) ingeschreven."
    ]
    assert Programme.objects.get().ended_on is None


def test_an_ended_team_takes_no_programme_in_use(school):
    run(school, HEADER + ROW_1)
    ProgrammeTeam.objects.update(ended_on=date(2020, 1, 1))
    result = run(school, HEADER + ROW_2)
    assert result.errors == ["Regel 2: team 'Zorg' op locatie Enschede is beëindigd."]


def test_only_the_functional_administrator_imports(school):
    roc, _admin = school
    coach = UserFactory()
    MembershipFactory(user=coach, organisation=roc, role=Role.CARE_COORDINATOR)
    with pytest.raises(PermissionDenied):
        institution_import(actor=coach, institution=roc, data=(HEADER + ROW_1).encode())
    other_admin = UserFactory()
    MembershipFactory(
        user=other_admin, organisation=OrganisationFactory(), role=Role.FUNCTIONAL_ADMIN
    )
    with pytest.raises(PermissionDenied):
        institution_import(actor=other_admin, institution=roc, data=(HEADER + ROW_1).encode())
    assert Programme.objects.count() == 0


def test_the_example_file_imports_into_an_empty_institution(school):
    result = run(school, EXAMPLE.read_text(encoding="utf-8"))
    assert result.ok, result.errors
    assert result.created == len(EXAMPLE.read_text().splitlines()) - 1
    assert run(school, EXAMPLE.read_text(encoding="utf-8")).created == 0


# --- Any valid file imports; importing it again changes nothing. ----------------------------

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéë ABC-'", min_size=1, max_size=30).filter(
    lambda s: s.strip() != ""
)
ROWS = st.lists(
    st.tuples(
        st.sampled_from(["Enschede", "Hengelo", "Almelo Centrum"]),
        st.sampled_from(["Team A", "Team B", "team a"]),
        st.integers(min_value=10000, max_value=99999).map(str),
        NAMES,
        st.sampled_from(["Entree", "entree", "1", "2", "3", "4", "Niveau 3"]),
        st.sampled_from(["BOL", "BBL", "bbl"]),
        st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2035, 12, 31))),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda r: (r[0], r[2], r[5].upper()),
)
MUNICIPALITY = {"Enschede": "GM0153", "Hengelo": "Hengelo", "Almelo Centrum": "almelo"}


def _file(rows, separator: str) -> str:  # type: ignore[no-untyped-def]
    lines = [separator.join(HEADER.strip().split(";"))]
    for location, team, crebo, name, level, pathway, ended in rows:
        cells = [location, MUNICIPALITY[location], team, crebo, name, level, pathway]
        cells.append(ended.strftime("%d-%m-%Y") if ended else "")
        lines.append(separator.join(f'"{c}"' if separator in c else c for c in cells))
    return "\n".join(lines) + "\n"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, separator=st.sampled_from([";", ","]))
def test_any_valid_file_imports_and_again_changes_nothing(school, rows, separator):
    Programme.objects.all().delete()
    ProgrammeTeam.objects.all().delete()
    Location.objects.all().delete()
    text = _file(rows, separator)
    first = run(school, text)
    assert first.ok, first.errors
    assert first.created == len(rows)
    before = structure()
    again = run(school, text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
    assert structure() == before


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, bad_at=st.integers(min_value=0, max_value=11), data=st.data())
def test_one_bad_row_anywhere_changes_nothing_and_names_its_line(school, rows, bad_at, data):
    Programme.objects.all().delete()
    ProgrammeTeam.objects.all().delete()
    Location.objects.all().delete()
    run(school, HEADER + ROW_1)
    before = structure()
    bad_at = bad_at % len(rows)
    spoil = data.draw(st.sampled_from(["crebo", "niveau", "leerweg"]))
    lines = _file(rows, ";").splitlines()
    cells = lines[bad_at + 1].split(";")
    index = {"crebo": 3, "niveau": 5, "leerweg": 6}[spoil]
    cells[index] = {"crebo": "12a45", "niveau": "7", "leerweg": "avond"}[spoil]
    lines[bad_at + 1] = ";".join(cells)
    result = run(school, "\n".join(lines) + "\n")
    assert not result.ok
    assert any(e.startswith(f"Regel {bad_at + 2}: {spoil} ") for e in result.errors), result.errors
    assert structure() == before


# --- The command line ------------------------------------------------------------------------


def test_command_line_import_by_name_or_brin(school, tmp_path, capsys):
    path = tmp_path / "opleidingen.csv"
    path.write_text(HEADER + ROW_1 + ROW_3)
    call_command(
        "institution", "import", str(path), institution="ROC Opbouw", as_user="beheer@roc.nl"
    )
    assert "2 nieuw, 0 gewijzigd, 0 ongewijzigd." in capsys.readouterr().out
    call_command("institution", "import", str(path), institution="25ab", as_user="beheer@roc.nl")
    assert "0 nieuw, 0 gewijzigd, 2 ongewijzigd." in capsys.readouterr().out
    path.write_text(HEADER + ROW_1 + ROW_2.replace("25491", "x"))
    with pytest.raises(CommandError, match="Niets geïmporteerd: 1 fout"):
        call_command(
            "institution", "import", str(path), institution="ROC Opbouw", as_user="beheer@roc.nl"
        )
    assert "Regel 3: crebo 'x' moet uit vijf cijfers bestaan." in capsys.readouterr().err
    assert Programme.objects.count() == 2


def test_command_line_refuses_unknown_institution_or_user(school, tmp_path):
    path = tmp_path / "opleidingen.csv"
    path.write_text(HEADER + ROW_1)
    with pytest.raises(CommandError, match="Instelling 'ROC Nergens' bestaat niet"):
        call_command(
            "institution", "import", str(path), institution="ROC Nergens", as_user="beheer@roc.nl"
        )
    with pytest.raises(CommandError, match=r"niemand@roc\.nl is geen functioneel beheerder"):
        call_command(
            "institution", "import", str(path), institution="ROC Opbouw", as_user="niemand@roc.nl"
        )
    with pytest.raises(CommandError, match=r"Kan .* niet lezen"):
        call_command(
            "institution",
            "import",
            str(tmp_path / "weg.csv"),
            institution="ROC Opbouw",
            as_user="beheer@roc.nl",
        )
    assert Programme.objects.count() == 0


# --- The student import refuses an ended programme ---------------------------------------

STUDENTS = (
    "studentnummer;voornaam;achternaam;geboortedatum;postcode;locatie;crebo;leerweg;"
    "startdatum;vooropleiding;uitschrijfdatum\n"
)


def test_the_student_import_takes_no_student_into_an_ended_programme(school):
    from schakelpunt.students.importer import student_import
    from schakelpunt.students.models import Student

    roc, admin = school
    run(school, HEADER + ROW_1.replace(";BOL;", ";BOL;31-12-2025"))
    staying = "100;Sanne;Berg;12-03-2008;7511 AB;Enschede;25498;BOL;2025-09-01;vmbo;\n"
    result = student_import(actor=admin, institution=roc, data=(STUDENTS + staying).encode())
    assert [str(e) for e in result.errors] == [
        "Regel 2: opleiding met crebo 25498 (BOL) op locatie Enschede is beëindigd op 31-12-2025."
    ]
    assert Student.objects.count() == 0
    # A student who left by the programme's last day is history, and still imports.
    left = staying.replace(";vmbo;", ";vmbo;2025-12-31")
    result = student_import(actor=admin, institution=roc, data=(STUDENTS + left).encode())
    assert (result.ok, result.created) == (True, 1), result.errors
