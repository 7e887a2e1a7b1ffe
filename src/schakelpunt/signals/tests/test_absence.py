"""Absence import and the statutory reports computed from it, end to end."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schakelpunt.signals.daily import statutory_reports_compute
from schakelpunt.signals.importer import absence_import
from schakelpunt.signals.models import AbsenceRecord, AbsenceReport, SchoolHoliday

HEADER = "studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n"
MONDAY = date(2025, 9, 1)


def row(
    number: str, day: date, absent: float, reason: str = "ongeoorloofd", scheduled: float = 8
) -> str:
    authorised = "nee" if reason == "ongeoorloofd" else "ja"
    return f"{number};{day.isoformat()};{scheduled};{absent};{authorised};{reason}\n"


def run(school, text: str):  # type: ignore[no-untyped-def]
    roc, admin, *_ = school
    return absence_import(actor=admin, institution=roc, data=text.encode())


def test_import_then_same_file_again_changes_nothing(school):
    text = HEADER + row("200", MONDAY, 4) + row("201", MONDAY, 8, "ziek")
    first = run(school, text)
    assert (first.ok, first.created, first.replaced, first.unchanged) == (True, 2, 0, 0)
    ids = list(AbsenceRecord.objects.order_by("pk").values_list("pk", flat=True))
    again = run(school, text)
    assert (again.created, again.replaced, again.unchanged) == (0, 0, 2)
    assert list(AbsenceRecord.objects.order_by("pk").values_list("pk", flat=True)) == ids


def test_a_later_file_for_the_same_days_replaces_them(school):
    run(school, HEADER + row("200", MONDAY, 4))
    result = run(school, HEADER + row("200", MONDAY, 8, "ziek"))
    assert (result.created, result.replaced) == (0, 1)
    record = AbsenceRecord.objects.get()
    assert (record.absent_hours, record.reason) == (8, "illness")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("999;2025-09-01;8;4;nee;ongeoorloofd\n", "Regel 3: studentnummer '999' is onbekend"),
        ("200;31-02-2025;8;4;nee;ongeoorloofd\n", "datum '31-02-2025' is geen geldige datum"),
        ("200;2025-09-02;8;9;nee;ongeoorloofd\n", "afwezige_uren is meer dan geroosterde_uren"),
        ("200;2025-09-02;8;4;ja;ongeoorloofd\n", "geoorloofd en reden spreken elkaar tegen"),
        ("200;2025-09-02;8;4;nee;spijbelen\n", "reden 'spijbelen' moet zijn"),
        ("200;2025-09-01;8;2;nee;ongeoorloofd\n", "dezelfde student en datum staan ook op regel 2"),
        ("200;2025-09-02;8\n", "Regel 3: 3 kolommen, de kop heeft er 6."),
    ],
)
def test_one_bad_row_rejects_the_file_and_changes_nothing(school, bad, message):
    result = run(school, HEADER + row("200", MONDAY, 4) + bad)
    assert not result.ok
    assert any(message in e for e in result.errors), result.errors
    assert not AbsenceRecord.objects.exists()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(st.text(alphabet="0123456789-;.,abjnezo ", max_size=10), min_size=1, max_size=7),
        min_size=1,
        max_size=5,
    )
)
def test_any_malformed_file_leaves_the_database_unchanged(school, cells):
    before = AbsenceRecord.objects.count()
    result = run(school, HEADER + "".join(";".join(r) + "\n" for r in cells))
    if not result.ok:
        assert AbsenceRecord.objects.count() == before


def test_reports_are_computed_from_the_records_with_the_institutions_holidays(school):
    roc, *_ = school
    # The school's own autumn week, instead of its region's (Noord: 18 to 26 October).
    SchoolHoliday.objects.create(
        institution=roc,
        name="Herfstvakantie",
        start=date(2025, 10, 13),
        end=date(2025, 10, 17),
        school_year="2025-2026",
        replaces="herfst",
    )
    lines = [row("200", MONDAY + timedelta(weeks=w), 4) for w in (5, 7, 8, 9)]
    # Weeks (0-based) 5, 7, 8, 9 start 6 Oct, 20 Oct, 27 Oct, 3 Nov; the holiday week (13 Oct)
    # sits between and does not count, so these are 4 consecutive school weeks: 16 hours.
    lines += [
        row("201", d, 8)
        for d in (MONDAY + timedelta(days=i) for i in range(0, 28))
        if d.weekday() < 5
    ]  # the adult: 4 weeks absent all day
    assert run(school, HEADER + "".join(lines)).ok
    reports = statutory_reports_compute(institution=roc, on_date=date(2025, 12, 1))
    found = {
        (r.student.student_number, r.kind, r.start_date, r.threshold_on, r.end_date)
        for r in reports
    }
    sixteen_on = MONDAY + timedelta(weeks=9)
    assert ("200", "16_in_4", MONDAY + timedelta(weeks=5), sixteen_on, sixteen_on) in found
    # The RMC report: 4 school weeks reached on the fourth Friday; the absence ended on the
    # Monday after (no absence recorded that day).
    back = MONDAY + timedelta(days=28)
    assert ("201", "rmc", MONDAY, MONDAY + timedelta(days=25), back) in found
    again = statutory_reports_compute(institution=roc, on_date=date(2025, 12, 1))
    assert len(again) == len(reports) == AbsenceReport.objects.count()  # idempotent


def test_a_negative_hour_written_past_the_importers_does_not_hide_a_report(school):
    """The importers refuse negative hours, but a row written another way (a repair in the
    database) must not hide 18 real hours from the morning run's shortcut: the report is
    made on the day the 16th hour was reached."""
    roc, *_ = school
    three_days = "".join(row("200", MONDAY + timedelta(days=i), 6, scheduled=6) for i in range(3))
    assert run(school, HEADER + three_days).ok
    student = AbsenceRecord.objects.first().student  # type: ignore[union-attr]
    AbsenceRecord.objects.create(
        student=student,
        day=MONDAY + timedelta(days=3),
        scheduled_hours=Decimal(6),
        absent_hours=Decimal(-5),
        reason="unauthorised",
    )
    reports = statutory_reports_compute(institution=roc, on_date=date(2025, 12, 1))
    assert [(r.kind, r.threshold_on, r.unauthorised_hours) for r in reports] == [
        ("16_in_4", MONDAY + timedelta(days=2), Decimal(18))
    ]


def test_cli_imports_and_lists_open_reports_as_csv(school, tmp_path, capsys):
    path = tmp_path / "verzuim.csv"
    path.write_text(HEADER + "".join(row("200", MONDAY + timedelta(weeks=w), 4) for w in range(4)))
    call_command(
        "absence", "import", str(path), institution="ROC Verzuim", as_user="beheer@verzuim.nl"
    )
    assert "4 nieuw, 0 vervangen, 0 ongewijzigd." in capsys.readouterr().out
    call_command("absence", "reports", institution="ROC Verzuim", date=date(2025, 10, 1))
    lines = capsys.readouterr().out.strip().splitlines()
    assert (
        lines[0]
        == "studentnummer;soort melding;begindatum;drempel bereikt op;einddatum;ongeoorloofde uren;"
        "versie regels"
    )
    assert lines[1] == "200;16_in_4;2025-09-01;2025-09-22;2025-09-22;16.0;2026.1"
    path.write_text(HEADER + "200;2025-09-01;8;x;nee;ongeoorloofd\n")
    with pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command(
            "absence", "import", str(path), institution="ROC Verzuim", as_user="beheer@verzuim.nl"
        )
