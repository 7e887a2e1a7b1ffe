"""Early warning: each factor fires on its own facts and says why, with the numbers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from schakelpunt.signals.daily import schedule_for
from schakelpunt.signals.early_warning import (
    ATTENDANCE_CODES,
    DEFAULTS,
    Profile,
    Schedule,
    Thresholds,
    attendance_factors,
    personal_factors,
    profile_factors,
)
from schakelpunt.signals.statutory import (
    AbsenceDay,
    AbsenceReason,
    SchoolCalendar,
    StudentFacts,
    birthday,
)

CALENDAR = SchoolCalendar()
TODAY = date(2025, 11, 28)  # a Friday
U, ILL = AbsenceReason.UNAUTHORISED, AbsenceReason.ILLNESS


SCHEDULE = Schedule(date(2025, 9, 1), Decimal(6))  # every school day, 6 hours


def term(absent: dict[date, tuple[float, AbsenceReason]]) -> list[AbsenceDay]:
    """The recorded absences; every other school day from 1 September was attended."""
    return [
        AbsenceDay(d, Decimal(6), Decimal(str(hours)), reason)
        for d, (hours, reason) in sorted(absent.items())
    ]


def codes(factors) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in factors}


def last_weeks(weekday: int | None = None, hours: float = 6, n: int = 20):  # type: ignore[no-untyped-def]
    days = [
        d
        for d in CALENDAR.school_days(TODAY - timedelta(days=27), TODAY)
        if weekday is None or d.weekday() == weekday
    ]
    return dict.fromkeys(days[:n], (hours, U))


@pytest.mark.parametrize(
    ("case", "absent", "expected"),
    [
        ("never absent", {}, set()),
        (
            "suddenly often absent",
            dict.fromkeys(list(last_weeks())[:8], (3, U)),
            {"rising_absence"},
        ),
        (
            "three whole days in a row",
            {TODAY - timedelta(days=i): (6, U) for i in range(3)},
            {"consecutive_days", "rising_absence"},
        ),
        (
            "three days ill in a row is not a warning",
            {TODAY - timedelta(days=i): (6, ILL) for i in range(3)},
            set(),
        ),
        (
            "mostly on Mondays",
            {TODAY - timedelta(days=4 + 7 * w): (2, U) for w in range(6)},
            {"weekday_pattern"},
        ),
        (
            "four Mondays are not yet a pattern",
            {TODAY - timedelta(days=4 + 7 * w): (2, U) for w in range(4)},
            set(),
        ),
    ],
)
def test_attendance_factors(case, absent, expected):
    found = attendance_factors(term(absent), SCHEDULE, CALENDAR, today=TODAY)
    assert codes(found) == expected, (case, [f.explanation for f in found])


def test_a_weekday_pattern_needs_an_absent_day_whatever_the_setting():
    """Set to 0 days (the database allows it), the pattern rule does not divide by zero for a
    student whose records hold no unauthorised absence."""
    ill = term({TODAY - timedelta(days=i): (6, ILL) for i in range(2)})
    zero = Thresholds(weekday_min_days=0)
    assert "weekday_pattern" not in codes(
        attendance_factors(ill, SCHEDULE, CALENDAR, today=TODAY, thresholds=zero)
    )


def test_chronic_absence_is_ten_percent_of_all_hours_any_reason():
    every_tenth = {
        d: (6, ILL)
        for i, d in enumerate(CALENDAR.school_days(date(2025, 9, 1), TODAY))
        if i % 9 == 0
    }
    found = attendance_factors(term(every_tenth), SCHEDULE, CALENDAR, today=TODAY)
    chronic = [f for f in found if f.code == "chronic_absence"]
    assert chronic and "van de lesuren gemist" in chronic[0].explanation


def test_explanations_carry_the_numbers():
    found = attendance_factors(
        term(dict.fromkeys(list(last_weeks())[:8], (3, U))), SCHEDULE, CALENDAR, today=TODAY
    )
    rising = next(f for f in found if f.code == "rising_absence")
    assert rising.explanation == "Ongeoorloofd verzuim laatste 4 weken 20%, daarvoor 0%."


def test_one_day_a_week_student_counts_only_their_school_days():
    """BBL: at school on Tuesdays only. Three missed Tuesdays in a row are three days in a row,
    and half of their Tuesdays missed is chronic, but 'mostly on Tuesday' is no pattern."""
    bbl = Schedule(date(2025, 9, 1), Decimal(7), frozenset({1}))
    tuesdays = [d for d in CALENDAR.school_days(date(2025, 9, 1), TODAY) if d.weekday() == 1]
    absent = [AbsenceDay(d, Decimal(7), Decimal(7), U) for d in tuesdays[-6:]]
    assert codes(attendance_factors(absent, bbl, CALENDAR, today=TODAY)) == {
        "consecutive_days",
        "chronic_absence",
        "rising_absence",
    }
    chronic = next(
        f
        for f in attendance_factors(absent, bbl, CALENDAR, today=TODAY)
        if f.code == "chronic_absence"
    )
    assert (
        chronic.explanation
        == f"Chronisch verzuim: {round(600 / len(tuesdays))}% van de lesuren gemist."
    )


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (Profile(StudentFacts(date(2008, 1, 1)), 4, "vmbo", date(2024, 9, 1), False), set()),
        (
            Profile(StudentFacts(date(2008, 1, 1)), 1, "pro", date(2024, 9, 1), False),
            {"transition_background", "low_level"},
        ),
        (
            Profile(StudentFacts(date(2008, 1, 1)), 3, "vmbo", date(2025, 10, 1), False),
            {"first_weeks"},
        ),
        (Profile(StudentFacts(date(2008, 2, 10)), 4, "vmbo", date(2024, 9, 1), True), {"turns_18"}),
        (Profile(StudentFacts(date(2008, 2, 10)), 4, "vmbo", date(2024, 9, 1), False), set()),
        (Profile(StudentFacts(date(2003, 1, 5)), 4, "mbo", date(2024, 9, 1), False), {"turns_23"}),
        (
            Profile(
                StudentFacts(date(2003, 1, 5), basic_qualification_on=date(2022, 7, 1)),
                4,
                "mbo",
                date(2024, 9, 1),
                False,
            ),
            set(),
        ),
        (
            Profile(
                StudentFacts(date(2008, 1, 1)), 4, "vmbo", date(2024, 9, 1), False, open_concerns=2
            ),
            {"open_concerns"},
        ),
    ],
    ids=[
        "nothing",
        "PrO at Entree",
        "week 9",
        "turns 18 in support",
        "turns 18 no support",
        "turns 23 without SQ",
        "turns 23 with SQ",
        "open concerns",
    ],
)
def test_profile_factors(profile, expected):
    assert codes(profile_factors(profile, today=TODAY)) == expected


@given(
    born=st.dates(date(1995, 1, 1), date(2012, 12, 31)),
    today=st.dates(date(2024, 1, 1), date(2031, 12, 31)),
    in_support=st.booleans(),
)
def test_a_coming_18th_or_23rd_birthday_is_named_on_every_date(
    born: date, today: date, in_support: bool
) -> None:
    """Within the months ahead, the 18th birthday of a student in support and the 23rd of one
    without a startkwalificatie are named, whatever the dates (29 February and the turn of
    the year included); any other birthday is not."""
    horizon = today + timedelta(days=round(DEFAULTS.birthday_months_ahead * 30.5))
    profile = Profile(StudentFacts(born), 3, "vmbo", date(2023, 8, 21), in_support)
    codes = {f.code for f in personal_factors(profile, today=today)}
    assert ("turns_18" in codes) == (in_support and today <= birthday(born, 18) <= horizon)
    assert ("turns_23" in codes) == (today <= birthday(born, 23) <= horizon)


YEAR_START = date(2025, 8, 1)


@st.composite
def school_years(draw: st.DrawFn) -> tuple[SchoolCalendar, date, date, list[AbsenceDay]]:
    """A calendar with holidays, a day in the school year, a student enrolled on a day up to
    it and their records (from before the year's start on, weekends and holidays too): runs
    of whole days, part days, days with no hours, days absent without valid reason."""
    holidays = tuple(
        (YEAR_START + timedelta(days=a), YEAR_START + timedelta(days=a + n))
        for a, n in draw(st.lists(st.tuples(st.integers(0, 330), st.integers(0, 20)), max_size=6))
    )
    today = draw(st.dates(date(2025, 9, 1), date(2026, 7, 15)))
    enrolled = draw(st.dates(date(2025, 6, 1), today))
    reasons = st.sampled_from([U] * 4 + list(AbsenceReason))
    first = (date(2025, 7, 1) - today).days
    days: set[date] = set()
    for back, length in draw(st.lists(st.tuples(st.integers(first, 0), st.integers(1, 8)))):
        days.update(today + timedelta(days=min(0, back + i)) for i in range(length))
    records = []
    for day in sorted(days):
        scheduled = draw(st.sampled_from([0, 5, 40, 60, 60, 60, 80]))
        absent = draw(st.sampled_from([scheduled, scheduled, draw(st.integers(0, scheduled))]))
        records.append(
            AbsenceDay(day, Decimal(scheduled) / 10, Decimal(absent) / 10, draw(reasons))
        )
    return SchoolCalendar(holidays), today, enrolled, records


THRESHOLDS = st.builds(
    Thresholds,
    recent_weeks=st.integers(1, 6),
    recent_rate_min=st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.10"), Decimal("0.3")]),
    rise_factor=st.sampled_from([Decimal(1), Decimal(2)]),
    consecutive_days=st.integers(0, 5),
    chronic_share=st.sampled_from([Decimal(0), Decimal("0.02"), Decimal("0.10"), Decimal("0.3")]),
    weekday_min_days=st.integers(0, 8),
)


@examples(max_examples=500, deadline=None)
@given(school_years(), THRESHOLDS)
def test_the_attendance_rules_answer_for_any_year_and_any_settings(
    year: tuple[SchoolCalendar, date, date, list[AbsenceDay]], thresholds: Thresholds
) -> None:
    """Whatever the calendar, the records (before the school year, on weekends and holidays,
    without hours) and the settings an institution may store, the rules answer for every
    student the morning run asks about, with attendance factors that say why."""
    calendar, today, enrolled, records = year
    this_year = [r for r in records if r.day >= YEAR_START]
    if not this_year:
        return  # the morning run asks only about students with records this year
    schedule = schedule_for(max(YEAR_START, enrolled), "bol", this_year)
    found = attendance_factors(this_year, schedule, calendar, today=today, thresholds=thresholds)
    assert {f.code for f in found} <= ATTENDANCE_CODES
    assert all(f.explanation.endswith(".") for f in found)
