"""A large absence file on PostgreSQL goes in with COPY and is checked in SQL: the same
answers as the row checks (Dutch errors with line numbers, all or nothing, the same file again
changes nothing, the access log names whose absence changed)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.signals.importer import absence_import
from schakelpunt.signals.models import AbsenceRecord

HEADER = "studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n"
MONDAY = date(2025, 9, 1)
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY needs PostgreSQL"
)


def weeks(number: str, n: int, absent: str = "0") -> list[str]:
    return [
        f"{number};{(MONDAY + timedelta(days=i)).isoformat()};6;{absent};nee;ongeoorloofd\n"
        for i in range(n)
    ]


def run(school, text: str, encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    roc, admin, *_ = school
    return absence_import(actor=admin, institution=roc, data=text.encode(encoding))


def logged() -> list[int]:
    return sorted(
        AccessLogEntry.objects.filter(action="change", part="absence").values_list(
            "student_id", flat=True
        )
    )


def test_new_days_then_the_same_file_then_one_changed_day(school, way):
    _roc, _admin, minor, adult = school
    text = HEADER + "".join(weeks("200", 30) + weeks("201", 30, "2"))
    first = run(school, text)
    assert (first.ok, first.created, first.replaced, first.unchanged) == (True, 60, 0, 0)
    assert logged() == sorted([minor.pk, adult.pk])
    ids = sorted(AbsenceRecord.objects.values_list("pk", flat=True))
    again = run(school, text)
    assert (again.ok, again.created, again.replaced, again.unchanged) == (True, 0, 0, 60)
    assert logged() == sorted([minor.pk, adult.pk])  # the no-op logs nobody
    assert sorted(AbsenceRecord.objects.values_list("pk", flat=True)) == ids
    later = run(school, text.replace(f"201;{MONDAY.isoformat()};6;2;", f"201;{MONDAY};6;5;"))
    assert (later.created, later.replaced, later.unchanged) == (0, 1, 59)
    assert AbsenceRecord.objects.get(student=adult, day=MONDAY).absent_hours == 5
    assert logged() == sorted([minor.pk, adult.pk, adult.pk])


def test_a_day_twice_in_the_file_is_refused_even_when_both_match_what_is_stored(school, way):
    """ON CONFLICT alone would let this through: the staged days have a key of their own."""
    text = HEADER + "".join(weeks("200", 5))
    assert run(school, text).created == 5
    twice = run(school, text + weeks("200", 1)[0])
    assert twice.errors == ["Regel 7: dezelfde student en datum staan ook op regel 2."]
    assert AbsenceRecord.objects.count() == 5


def test_bad_rows_in_a_large_file_are_named_by_line_and_nothing_changes(school, way):
    good = weeks("200", 40)
    bad = [
        (3, "999;2025-09-01;8;4;nee;ongeoorloofd\n", "studentnummer '999' is onbekend"),
        (
            10,
            "201;31-02-2025;8;4;nee;ongeoorloofd\n",
            "datum '31-02-2025' is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ)",
        ),
        (20, "201;2025-09-02;8;9;nee;ongeoorloofd\n", "afwezige_uren is meer dan"),
        (25, "201;2025-09-03;8;x;nee;ongeoorloofd\n", "afwezige_uren 'x' is geen geldig aantal"),
        (30, "201;2025-09-04;8;4;nee;spijbelen\n", "reden 'spijbelen' moet zijn"),
        (35, "201;2025-09-05;8\n", "3 kolommen, de kop heeft er 6."),
    ]
    for at, line, _message in bad:
        good.insert(at - 2, line)
    result = run(school, HEADER + "".join(good))
    assert [e.split(":", 1)[0] for e in result.errors] == [f"Regel {at}" for at, *_ in bad]
    for error, (_at, _line, message) in zip(result.errors, bad, strict=True):
        assert message in error
    assert not AbsenceRecord.objects.exists()
    assert logged() == []


def test_windows_excel_csv_with_empty_columns_commas_and_dutch_dates(school, way):
    """cp1252, `;;` to the right of every line, `1,5` hours and 01-09-2025 dates."""
    header = HEADER.rstrip("\n") + ";;\n"
    rows = [
        f"200;{(MONDAY + timedelta(days=i)).strftime('%d-%m-%Y')};6;1,5;ja;Ziek;;\n"
        for i in range(20)
    ]
    result = run(
        school, header + "".join(rows) + "201;2025-09-01;6;0;nee;ongeoorloofd;é;\n", "cp1252"
    )
    assert result.errors == ["Regel 22: 7 kolommen, de kop heeft er 6."]
    result = run(school, header + "".join(rows), "cp1252")
    assert (result.ok, result.created) == (True, 20)
    stored = AbsenceRecord.objects.get(day=MONDAY)
    assert (stored.absent_hours, stored.reason) == (Decimal("1.5"), "illness")


@needs_postgres
def test_copy_reports_progress_while_reading_and_saving(school, monkeypatch):
    monkeypatch.setattr("schakelpunt.signals.importer.COPY_FROM_BYTES", 0)
    seen: list[tuple[str, int, int]] = []
    roc, admin, *_ = school
    absence_import(
        actor=admin,
        institution=roc,
        data=(HEADER + "".join(weeks("200", 50))).encode(),
        progress=lambda *p: seen.append(p),
    )
    assert ("check", 50, 50) in seen
    assert seen[-1] == ("save", 50, 50)
    assert all(total == 50 for _phase, _done, total in seen)
