"""The school calendar: the region's holidays and the institution's own days off move the
16-uur-in-4-weken window exactly, and every change recomputes the reports (issue 17)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from schakelpunt.refdata.loader import load_school_holidays
from schakelpunt.refdata.models import RegionalHoliday
from schakelpunt.signals.calendar import (
    calendar_periods,
    own_holiday_remove,
    own_holiday_save,
    school_calendar,
)
from schakelpunt.signals.config import signal_settings_update
from schakelpunt.signals.daily import daily_signals_compute
from schakelpunt.signals.models import AbsenceRecord, AbsenceReport, SchoolHoliday, SignalSettings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2025, 11, 21)  # a Friday
# The student misses 4 hours without a valid reason on six Mondays (scheduled 6 hours).
MONDAYS = [
    date(2025, 10, 6),  # week 41
    date(2025, 10, 13),  # week 42
    date(2025, 10, 27),  # week 44 (week 43, 20–24 October, is herfstvakantie in Noord)
    date(2025, 11, 3),  # week 45
    date(2025, 11, 10),  # week 46
    date(2025, 11, 17),  # week 47
]


@pytest.fixture
def regional(db):  # type: ignore[no-untyped-def]
    """The official holidays per region (loaded by the migration; again after a
    transactional test emptied the tables)."""
    if not RegionalHoliday.objects.exists():
        load_school_holidays(RegionalHoliday=RegionalHoliday)


@pytest.fixture
def on_friday():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2025, 11, 21, 12, tzinfo=AMSTERDAM), tick=False):
        yield


@pytest.fixture
def absent_mondays(school, regional, on_friday):  # type: ignore[no-untyped-def]
    roc, admin, minor, _adult = school
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=minor,
            day=day,
            scheduled_hours=Decimal(6),
            absent_hours=Decimal(4),
            reason="unauthorised",
        )
        for day in MONDAYS
    )
    return roc, admin, minor


def reports(student):  # type: ignore[no-untyped-def]
    """The student's 16-uur-in-4-weken reports: start, threshold day, calendar version."""
    return sorted(
        AbsenceReport.objects.filter(student=student, kind="16_in_4").values_list(
            "start_date", "threshold_on", "calendar_version"
        )
    )


def version(roc):  # type: ignore[no-untyped-def]
    return SignalSettings.objects.get(institution=roc).calendar_version


def test_the_autumn_week_and_a_study_day_move_the_16_hour_window_exactly(absent_mondays):
    """Worked by hand. A window is the four school weeks up to and including the week of the
    day (a week without school days is skipped); the report starts on the first day of
    absence in the window and is due on the day the 16 hours are reached.

    1. Region Noord (herfstvakantie 18–26 October: week 43 has no school day).
       On Mon 3 Nov the four school weeks are weeks 45, 44, 42 and 41 (43 skipped): from Mon
       6 Oct. Counted: 6 Oct, 13 Oct, 27 Oct, 3 Nov = 4 × 4 = 16 hours -> report from 6 Oct,
       threshold 3 Nov. After it, a new report needs 16 new hours: 10 and 17 Nov give 8.
    2. Without that holiday (the school moves its autumn week to 27 Sep – 5 Oct, before any
       absence): on 3 Nov the window is weeks 45–42 (from 13 Oct): 13 Oct, 27 Oct, 3 Nov =
       12; on 10 Nov weeks 46–43 (from 20 Oct): 27 Oct, 3 Nov, 10 Nov = 12; on 17 Nov weeks
       47–44 (from 27 Oct): 27 Oct, 3, 10, 17 Nov = 16 -> report from 27 Oct, threshold
       17 Nov.
    3. Noord again, plus a study day on Mon 6 Oct: that day does not count. On 3 Nov (window
       from 6 Oct) 13 Oct, 27 Oct, 3 Nov = 12; on 10 Nov the window is weeks 46, 45, 44, 42
       (from 13 Oct): 13 Oct, 27 Oct, 3 Nov, 10 Nov = 16 -> report from 13 Oct, threshold
       10 Nov.
    Each change removes the report that no longer holds (none was reported to DUO yet) and
    stores the calendar version on the new one.
    """
    roc, admin, minor = absent_mondays
    daily_signals_compute(institution=roc, today=TODAY)
    assert reports(minor) == [(date(2025, 10, 6), date(2025, 11, 3), 0)]

    # Without the autumn week in the way (moved before any absence): the window moves.
    moved = own_holiday_save(
        actor=admin,
        institution=roc,
        expected_version=0,
        name="Herfstvakantie (eigen week)",
        start=date(2025, 9, 27),
        end=date(2025, 10, 5),
        replaces="herfst",
        school_year="2025-2026",
    )
    assert reports(minor) == [(date(2025, 10, 27), date(2025, 11, 17), 1)]

    own_holiday_remove(actor=admin, institution=roc, holiday_id=moved.pk, expected_version=1)
    assert reports(minor) == [(date(2025, 10, 6), date(2025, 11, 3), 2)]

    own_holiday_save(
        actor=admin,
        institution=roc,
        expected_version=2,
        name="Studiedag",
        start=date(2025, 10, 6),
    )
    assert reports(minor) == [(date(2025, 10, 13), date(2025, 11, 10), 3)]
    assert version(roc) == 3


def test_region_change_recomputes_and_a_reported_report_stays(absent_mondays):
    """Zuid has its autumn week a week earlier (11–19 October: week 42, whose Monday 13 Oct
    then does not count). On 3 Nov the window is weeks 45, 44, 43, 41 (from 6 Oct): 6 Oct,
    27 Oct, 3 Nov = 12; on 10 Nov weeks 46–43: 27 Oct, 3 Nov, 10 Nov = 12; on 17 Nov weeks
    47–44: 27 Oct, 3, 10, 17 Nov = 16 -> report from 27 Oct, threshold 17 Nov."""
    roc, admin, minor = absent_mondays
    daily_signals_compute(institution=roc, today=TODAY)
    AbsenceReport.objects.filter(student=minor).update(
        reported_on=date(2025, 11, 4), reference="DUO-1"
    )
    settings = signal_settings_update(
        actor=admin, institution=roc, expected_version=0, values={"holiday_region": "zuid"}
    )
    assert settings.calendar_version == 1
    # Reported to DUO: it stays as it was (made with calendar version 0).
    assert reports(minor) == [
        (date(2025, 10, 6), date(2025, 11, 3), 0),
        (date(2025, 10, 27), date(2025, 11, 17), 1),
    ]


def test_an_unreported_report_that_no_longer_holds_is_replaced(absent_mondays):
    roc, admin, minor = absent_mondays
    daily_signals_compute(institution=roc, today=TODAY)
    signal_settings_update(
        actor=admin, institution=roc, expected_version=0, values={"holiday_region": "zuid"}
    )
    assert reports(minor) == [(date(2025, 10, 27), date(2025, 11, 17), 1)]
    # Another setting is no calendar change.
    signal_settings_update(
        actor=admin, institution=roc, expected_version=1, values={"consecutive_days": 4}
    )
    assert version(roc) == 1


def test_the_calendar_is_the_regions_holidays_with_the_own_changes(school, regional, on_friday):
    roc, admin, _minor, _adult = school
    calendar = school_calendar(roc)
    assert calendar.is_holiday(date(2025, 10, 22))  # herfstvakantie Noord
    assert calendar.is_holiday(date(2025, 12, 24))  # kerstvakantie, every region
    assert not calendar.is_school_week(date(2025, 10, 20))
    assert calendar.is_school_day(date(2025, 10, 15))
    own_holiday_save(
        actor=admin,
        institution=roc,
        expected_version=0,
        name="Herfst op eigen data",
        start=date(2025, 10, 11),
        end=date(2025, 10, 19),
        replaces="herfst",
        school_year="2025-2026",
    )
    calendar = school_calendar(roc)
    assert not calendar.is_holiday(date(2025, 10, 22))
    assert calendar.is_holiday(date(2025, 10, 15))
    periods = calendar_periods(roc, school_year="2025-2026")
    assert [(p.name, p.replaced) for p in periods][:2] == [
        ("Herfst op eigen data", False),
        ("Herfstvakantie", True),
    ]


def test_a_stale_form_and_bad_dates_change_nothing(school, regional, on_friday):
    roc, admin, _minor, _adult = school
    own_holiday_save(
        actor=admin, institution=roc, expected_version=0, name="Studiedag", start=date(2025, 9, 3)
    )
    with pytest.raises(ValidationError, match="Iemand anders heeft de schoolkalender"):
        own_holiday_save(
            actor=admin,
            institution=roc,
            expected_version=0,  # the page showed version 0; it is 1 now
            name="Studiedag 2",
            start=date(2025, 9, 4),
        )
    with pytest.raises(ValidationError, match="De laatste dag ligt voor de eerste dag"):
        own_holiday_save(
            actor=admin,
            institution=roc,
            expected_version=1,
            name="Omgekeerd",
            start=date(2025, 9, 10),
            end=date(2025, 9, 8),
        )
    with pytest.raises(ValidationError, match="geen meivakantie om te vervangen"):
        own_holiday_save(
            actor=admin,
            institution=roc,
            expected_version=1,
            name="Mei",
            start=date(2029, 4, 28),
            end=date(2029, 5, 6),
            replaces="mei",
            school_year="2028-2029",
        )
    assert list(SchoolHoliday.objects.values_list("name", flat=True)) == ["Studiedag"]
    assert version(roc) == 1


def test_every_region_has_the_five_holidays_in_each_school_year(regional):
    for region in ("noord", "midden", "zuid"):
        for school_year in ("2025-2026", "2026-2027", "2027-2028"):
            names = set(
                RegionalHoliday.objects.filter(region=region, school_year=school_year).values_list(
                    "name", flat=True
                )
            )
            assert names == {"herfst", "kerst", "voorjaar", "mei", "zomer"}
    # Kerst and mei are the same everywhere.
    for name in ("kerst", "mei"):
        assert (
            RegionalHoliday.objects.filter(name=name)
            .values_list("school_year", "start", "end")
            .distinct()
            .count()
            == 3
        )
    # The migration loaded them; loading again changes nothing.
    again = load_school_holidays(RegionalHoliday=RegionalHoliday)
    assert (again.created, again.updated, again.total) == (0, 0, 45)


def test_the_monitor_counts_only_the_school_days_of_the_real_calendar(school, regional):
    """October 2025 has 23 weekdays; herfstvakantie Noord takes Monday 20 to Friday 24 out:
    18 school days. The student's usual day is 6 hours (the one recorded day)."""
    from schakelpunt.monitor import indicators
    from schakelpunt.monitor.periods import parse_period

    _roc, _admin, minor, _adult = school
    AbsenceRecord.objects.create(
        student=minor,
        day=date(2025, 10, 1),
        scheduled_hours=Decimal(6),
        absent_hours=Decimal(3),
        reason="unauthorised",
    )
    students = minor.__class__.objects.filter(pk=minor.pk)
    result = indicators.attendance(students, parse_period("2025-10"), today=date(2025, 11, 21))
    assert result.scheduled_hours == 18 * 6
    assert result.unauthorised_hours == 3
