"""Importing an institution's own days off from an Excel workbook: the same rows as a CSV give
the same calendar, whether Excel made dates of the cells or kept them as text."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.world import client_for

from schakelpunt.core.tests.excel import TEXT, TYPED, csv_file, workbook
from schakelpunt.refdata.loader import load_school_holidays
from schakelpunt.refdata.models import RegionalHoliday
from schakelpunt.signals.calendar import holiday_import, parse_holidays, school_calendar
from schakelpunt.signals.models import SchoolHoliday

HEADER = ["naam", "eerste dag", "laatste dag", "vervangt"]
# A study day, two extra days off and the institution's own autumn week.
ROWS = [
    HEADER,
    ["Studiedag", "18-11-2026", "18-11-2026", ""],
    ["Goede Vrijdag en Tweede Paasdag", "2027-03-26", "2027-03-29", ""],
    ["Tweede Pinksterdag", "17-05-2027", "17-05-2027", ""],
    ["Herfstvakantie (eigen week)", "2026-10-24", "2026-11-01", "herfstvakantie"],
]


@pytest.fixture
def regional(db):  # type: ignore[no-untyped-def]
    if not RegionalHoliday.objects.exists():
        load_school_holidays(RegionalHoliday=RegionalHoliday)


def rows_of(roc):  # type: ignore[no-untyped-def]
    return sorted(
        SchoolHoliday.objects.filter(institution=roc).values_list(
            "name", "start", "end", "school_year", "replaces"
        )
    )


def test_excel_with_excel_dates_gives_the_calendar_of_the_csv(school, regional):
    roc, admin, _minor, _adult = school
    result = holiday_import(actor=admin, institution=roc, data=workbook(ROWS, TYPED))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    calendar = school_calendar(roc)
    assert calendar.is_holiday(date(2026, 11, 18))  # the study day
    assert calendar.is_holiday(date(2027, 3, 29))  # Tweede Paasdag
    assert calendar.is_holiday(date(2026, 10, 28))  # the own autumn week
    assert not calendar.is_holiday(date(2026, 11, 17))
    imported = rows_of(roc)
    assert ("Herfstvakantie (eigen week)", date(2026, 10, 24), date(2026, 11, 1)) in [
        row[:3] for row in imported
    ]
    for same in (csv_file(ROWS), workbook(ROWS, TEXT)):
        again = holiday_import(actor=admin, institution=roc, data=same)
        assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    assert rows_of(roc) == imported


def test_a_bad_row_in_excel_names_its_row_and_nothing_changes(school, regional):
    roc, admin, _minor, _adult = school
    rows = [
        HEADER,
        ["Studiedag", "18-11-2026", "18-11-2026", ""],
        ["", "", "", ""],
        ["Verkeerd om", "10-12-2026", "08-12-2026", ""],
        ["Geen datum", "31-02-2027", "", ""],
    ]
    result = holiday_import(actor=admin, institution=roc, data=workbook(rows))
    assert [str(e) for e in result.errors] == [
        "Regel 4: de laatste dag ligt voor de eerste dag.",
        "Regel 5: eerste dag '31-02-2027' is geen geldige datum (gebruik JJJJ-MM-DD of "
        "DD-MM-JJJJ).",
        "Regel 5: laatste dag ontbreekt.",
    ]
    assert rows_of(roc) == []


def test_the_calendar_screen_takes_an_excel_file(school, regional):
    roc, admin, _minor, _adult = school
    client = client_for(admin)
    page = client.get(reverse("calendar:overview"), {"schooljaar": "2026-2027"}).content.decode()
    assert "Bestand met vrije dagen (CSV of Excel)" in page
    assert 'accept=".csv,.txt,.xlsx"' in page
    upload = SimpleUploadedFile(
        "vakanties.xlsx", workbook([HEADER, ["Studiedag", "2026-11-18", "2026-11-18", ""]])
    )
    done = client.post(
        reverse("calendar:import"), {"import-file": upload, "schooljaar": "2026-2027"}, follow=True
    )
    assert "Ingelezen: 1 toegevoegd, 0 gewijzigd, 0 al bekend." in done.content.decode()
    assert rows_of(roc)[0][:3] == ("Studiedag", date(2026, 11, 18), date(2026, 11, 18))


periods = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["Studiedag", "Extra vrij", "", "1"]),
            st.integers(min_value=-400, max_value=330),  # days after 1 August 2026
            st.integers(min_value=-2, max_value=20),  # length in days, minus one
            st.sampled_from(["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]),
            st.sampled_from(["", "herfstvakantie", "kerst", "Voorjaarsvakantie", "pasen"]),
        ).map(
            lambda p: [
                p[0],
                (date(2026, 8, 1) + timedelta(days=p[1])).strftime(p[3]),
                (date(2026, 8, 1) + timedelta(days=p[1] + p[2])).strftime(p[3]),
                p[4],
            ]
        ),
        st.just(["", "", "", ""]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=periods, how=st.sampled_from([TEXT, TYPED]))
def test_csv_and_excel_of_any_periods_give_the_same_result(school, regional, rows, how):
    roc, admin, _minor, _adult = school
    table = [HEADER, *rows]
    from_csv = parse_holidays(csv_file(table), roc, "noord")
    from_excel = parse_holidays(workbook(table, how), roc, "noord")
    assert from_excel == from_csv
    if from_excel[1]:
        return
    SchoolHoliday.objects.filter(institution=roc).delete()
    first = holiday_import(actor=admin, institution=roc, data=workbook(table, how))
    assert first.ok
    imported = rows_of(roc)
    again = holiday_import(actor=admin, institution=roc, data=csv_file(table))
    assert (again.ok, again.created, again.updated) == (True, 0, 0)
    assert rows_of(roc) == imported
