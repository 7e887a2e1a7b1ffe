"""The official public holidays (Koningsdag, Hemelvaartsdag, …) are days off in every
school calendar, so absence on them does not count for 16 uur in 4 weken (issue 17)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from tests.world import client_for

from schakelpunt.refdata.loader import load_school_holidays
from schakelpunt.refdata.models import RegionalHoliday
from schakelpunt.signals.calendar import calendar_missing, school_calendar
from schakelpunt.signals.statutory import (
    UNAUTHORISED,
    AbsenceDay,
    SchoolCalendar,
    StudentFacts,
    sixteen_in_four,
)

KONINGSDAG = date(2027, 4, 27)  # a Tuesday; meivakantie 2027 is 1–9 May in every region
MINOR = StudentFacts(date_of_birth=date(2011, 6, 1))  # 15 in April 2027


@pytest.fixture
def regional(db):  # type: ignore[no-untyped-def]
    if not RegionalHoliday.objects.exists():
        load_school_holidays(RegionalHoliday=RegionalHoliday)


def four_hours_on(*days: date) -> list[AbsenceDay]:
    return [AbsenceDay(d, Decimal(6), Decimal(4), UNAUTHORISED) for d in days]


def test_a_four_week_window_with_koningsdag_has_one_school_day_fewer(school, regional):
    """Worked by hand, region Noord. On Fri 30 April 2027 the four school weeks are weeks
    14–17: Mon 5 April – Fri 30 April (Tweede Paasdag, 29 March, lies in week 13). 20
    weekdays, less Koningsdag (Tue 27 April) = 19 school days.

    Four hours of unauthorised absence on the Tuesdays 6, 13, 20 and 27 April make 16 hours
    only if Koningsdag were a school day: the school is closed, so 12 hours and no report.
    """
    roc, *_ = school
    calendar = school_calendar(roc)
    without = SchoolCalendar(
        holidays=tuple((s, e) for s, e in calendar.holidays if not s == e == KONINGSDAG)
    )
    friday = date(2027, 4, 30)
    assert calendar.window_start(friday) == without.window_start(friday) == date(2027, 4, 5)
    assert len(without.school_days(date(2027, 4, 5), friday)) == 20
    assert len(calendar.school_days(date(2027, 4, 5), friday)) == 19
    assert not calendar.is_school_day(KONINGSDAG)
    tuesdays = four_hours_on(date(2027, 4, 6), date(2027, 4, 13), date(2027, 4, 20), KONINGSDAG)
    assert [r.threshold_on for r in sixteen_in_four(MINOR, tuesdays, without, until=friday)] == [
        KONINGSDAG
    ]
    assert sixteen_in_four(MINOR, tuesdays, calendar, until=friday) == []


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 6),  # Tweede Paasdag
        date(2026, 4, 27),  # Koningsdag
        date(2026, 5, 14),  # Hemelvaartsdag
        date(2026, 5, 25),  # Tweede Pinksterdag
        date(2027, 3, 29),
        date(2027, 5, 6),
        date(2027, 5, 17),
        date(2028, 4, 17),
        date(2028, 4, 27),
        date(2028, 5, 25),
        date(2028, 6, 5),
    ],
)
def test_the_public_holidays_are_days_off_in_every_calendar(school, regional, day):
    roc, *_ = school
    assert day.weekday() < 5
    assert not school_calendar(roc).is_school_day(day)


def test_the_calendar_screen_shows_them_as_feestdag(school, regional):
    _roc, admin, *_ = school
    page = client_for(admin).get(reverse("calendar:overview"), {"schooljaar": "2026-2027"})
    body = page.content.decode()
    row = body.split('<th scope="row">Koningsdag', 1)[1].split("</tr>", 1)[0]
    assert "dinsdag 27 april 2027" in row
    assert "Officiële feestdag (Rijksoverheid)" in row


def test_public_holidays_alone_are_no_school_calendar(school):
    """Without a region and own holidays the calendar is still missing (the warning stays)."""
    roc, *_ = school
    roc.signal_settings.holiday_region = ""
    roc.signal_settings.save()
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))):
        assert calendar_missing(roc, date(2026, 9, 15))
