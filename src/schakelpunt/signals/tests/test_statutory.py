"""The statutory absence rules, one table row per situation the law and DUO describe.

Sources: Leerplichtwet 1969 art. 21a (16 uur in 4 weken; langdurig relatief verzuim),
Wet RMC-functie / art. 8 Leerplichtwet (18 to 23 without startkwalificatie), DUO verzuimloket.
Calendar: school weeks from Monday 1 September 2025; autumn holiday 13 to 17 October 2025.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from schakelpunt.signals.statutory import (
    AbsenceDay,
    AbsenceReason,
    RegionOptions,
    ReportKind,
    SchoolCalendar,
    StudentFacts,
    long_absence,
    may_be_due,
    reports_due,
    sixteen_in_four,
)

CALENDAR = SchoolCalendar(holidays=((date(2025, 10, 13), date(2025, 10, 17)),))
WEEK_1 = date(2025, 9, 1)  # a Monday
MINOR = StudentFacts(date_of_birth=date(2009, 5, 1))  # 16
ADULT = StudentFacts(date_of_birth=date(2006, 5, 1))  # 19
UNAUTHORISED = AbsenceReason.UNAUTHORISED


def monday(week: int) -> date:
    return WEEK_1 + timedelta(weeks=week - 1)


def hours(
    day: date, absent: float, reason: AbsenceReason = UNAUTHORISED, scheduled: float = 8
) -> AbsenceDay:
    return AbsenceDay(day, Decimal(str(scheduled)), Decimal(str(absent)), reason)


def whole_days(start: date, end: date) -> list[AbsenceDay]:
    return [hours(d, 8) for d in CALENDAR.school_days(start, end)]


def kinds(reports):  # type: ignore[no-untyped-def]
    return [(r.kind, r.start, r.threshold_on, r.unauthorised_hours) for r in reports]


UNTIL = date(2026, 1, 31)


@pytest.mark.parametrize(
    ("case", "facts", "absences", "expected"),
    [
        (
            "16 hours spread over 4 school weeks: one report, from the first absence to the 16th hour",
            MINOR,
            [hours(monday(w), 4) for w in (1, 2, 3, 4)],
            [(ReportKind.SIXTEEN_IN_FOUR, monday(1), monday(4), Decimal(16))],
        ),
        (
            "the same hours over 5 school weeks: never 16 within 4, no report",
            MINOR,
            [hours(monday(w), 4) for w in (1, 3, 5, 7)],
            [],
        ),
        (
            "a holiday week does not count: weeks 6, 8, 9 and 10 are 4 school weeks (7 is the autumn holiday)",
            MINOR,
            [hours(monday(w), 4) for w in (6, 8, 9, 10)],  # week 7 (13 Oct) is the autumn holiday
            [(ReportKind.SIXTEEN_IN_FOUR, monday(6), monday(10), Decimal(16))],
        ),
        (
            "illness, suspension and other authorised absence never count",
            MINOR,
            [
                hours(monday(1), 8, AbsenceReason.ILLNESS),
                hours(monday(2), 8, AbsenceReason.SUSPENSION),
                hours(monday(3), 8, AbsenceReason.OTHER_AUTHORISED),
            ],
            [],
        ),
        (
            "32 hours in separate bursts: a new report for each further 16 hours",
            MINOR,
            [
                hours(monday(1), 8),
                hours(monday(1) + timedelta(days=1), 8),
                hours(monday(3), 8),
                hours(monday(3) + timedelta(days=2), 8),
            ],
            [
                (ReportKind.SIXTEEN_IN_FOUR, monday(1), monday(1) + timedelta(days=1), Decimal(16)),
                (ReportKind.SIXTEEN_IN_FOUR, monday(3), monday(3) + timedelta(days=2), Decimal(16)),
            ],
        ),
        (
            "a startkwalificatie ends the obligation from that day",
            StudentFacts(date(2009, 5, 1), basic_qualification_on=monday(2)),
            [hours(monday(1), 8), hours(monday(2), 8), hours(monday(3), 8)],
            [],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_sixteen_hours_in_four_weeks(case, facts, absences, expected):
    found = [
        r
        for r in reports_due(facts, absences, CALENDAR, until=UNTIL)
        if r.kind == ReportKind.SIXTEEN_IN_FOUR
    ]
    assert kinds(found) == expected, case


def test_18th_birthday_in_the_middle_of_the_window():
    turning_18 = StudentFacts(date_of_birth=monday(2).replace(year=2007))
    absences = [
        hours(monday(1), 8),
        hours(monday(1) + timedelta(days=1), 2),
        hours(monday(3), 8),
        hours(monday(3) + timedelta(days=1), 8),
    ]
    # Only the 10 hours before the birthday count: no report.
    assert reports_due(turning_18, absences, CALENDAR, until=UNTIL) == []
    # Where the region agreed to report 18+ too, all hours count.
    agreed = reports_due(
        turning_18,
        absences,
        CALENDAR,
        until=UNTIL,
        options=RegionOptions(sixteen_in_four_for_adults=True),
    )
    assert [r.kind for r in agreed] == [ReportKind.SIXTEEN_IN_FOUR]
    assert agreed[0].threshold_on == monday(3)


def test_continuous_absence_is_reported_at_most_once_per_7_days():
    absences = whole_days(monday(1), monday(3) + timedelta(days=4))  # 3 weeks, 8 h a day
    found = [
        r
        for r in reports_due(MINOR, absences, CALENDAR, until=UNTIL)
        if r.kind == ReportKind.SIXTEEN_IN_FOUR
    ]
    ends = [r.threshold_on for r in found]
    # 16 hours on Tuesday of week 1; the next 16 are reached on Thursday, but the student is
    # continuously absent, so the next report waits 7 days: Tuesday of week 2, then week 3.
    assert ends == [
        monday(1) + timedelta(days=1),
        monday(2) + timedelta(days=1),
        monday(3) + timedelta(days=1),
    ]
    assert all(b - a >= timedelta(days=7) for a, b in itertools.pairwise(ends))


def test_long_term_relative_absence_needs_more_than_four_weeks():
    four_weeks = whole_days(monday(1), monday(4) + timedelta(days=4))
    found = [
        r
        for r in reports_due(MINOR, four_weeks, CALENDAR, until=UNTIL)
        if r.kind == ReportKind.LONG_TERM_RELATIVE
    ]
    assert found == []
    longer = [*four_weeks, hours(monday(5), 8)]
    found = [
        r
        for r in reports_due(MINOR, longer, CALENDAR, until=UNTIL)
        if r.kind == ReportKind.LONG_TERM_RELATIVE
    ]
    assert kinds(found) == [(ReportKind.LONG_TERM_RELATIVE, monday(1), monday(5), Decimal(168))]


def test_holiday_week_neither_breaks_nor_counts_in_long_absence():
    absences = whole_days(monday(5), monday(10) + timedelta(days=4))  # weeks 5–10, 7 is holiday
    found = [
        r
        for r in reports_due(MINOR, absences, CALENDAR, until=UNTIL)
        if r.kind == ReportKind.LONG_TERM_RELATIVE
    ]
    # Four school weeks from week 5 are weeks 5, 6, 8, 9; the first day after is Monday week 10.
    assert [(r.start, r.threshold_on) for r in found] == [(monday(5), monday(10))]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (ADULT, [(ReportKind.RMC, monday(1), monday(4) + timedelta(days=4), Decimal(160))]),
        (StudentFacts(date(2002, 5, 1)), []),  # 23: no longer reported
        (StudentFacts(date(2006, 5, 1), basic_qualification_on=date(2024, 7, 1)), []),
    ],
    ids=["19 without startkwalificatie", "23 years old", "has a startkwalificatie"],
)
def test_rmc_report_after_four_uninterrupted_school_weeks(facts, expected):
    absences = whole_days(monday(1), monday(4) + timedelta(days=4))
    found = [
        r for r in reports_due(facts, absences, CALENDAR, until=UNTIL) if r.kind == ReportKind.RMC
    ]
    assert kinds(found) == expected


def test_rmc_needs_the_absence_to_be_uninterrupted():
    absences = [
        a for a in whole_days(monday(1), monday(4) + timedelta(days=4)) if a.day != monday(3)
    ]  # one day back at school
    assert [
        r for r in reports_due(ADULT, absences, CALENDAR, until=UNTIL) if r.kind == ReportKind.RMC
    ] == []


def test_every_report_carries_the_rules_version():
    found = reports_due(MINOR, [hours(monday(w), 4) for w in (1, 2, 3, 4)], CALENDAR, until=UNTIL)
    assert {r.rules_version for r in found} == {"2026.1"}


def test_a_long_absence_ends_on_the_first_school_day_back():
    # Weeks 1 to 5 absent all day: langdurig relatief verzuim from Monday week 5.
    absences = whole_days(monday(1), monday(5) + timedelta(days=4))
    back = monday(6)

    def long_report(facts: StudentFacts, until: date):  # type: ignore[no-untyped-def]
        (found,) = [
            r
            for r in reports_due(facts, absences, CALENDAR, until=until)
            if r.kind != ReportKind.SIXTEEN_IN_FOUR
        ]
        return found

    # While the absence lasts (and on the day back itself, before anything is known of it)
    # the report has its threshold day but no end date.
    for until in (monday(5) + timedelta(days=4), back):
        lasting = long_report(MINOR, until)
        assert (lasting.threshold_on, lasting.end_date) == (monday(5), None)
    # The morning after the student came back: the end date is the day back.
    assert long_report(MINOR, back + timedelta(days=1)).end_date == back
    # A record of that day (partly absent) tells it the same day.
    absences.append(hours(back, 2))
    assert long_report(MINOR, back).end_date == back
    absences.pop()
    # Deregistered while still absent: the end date is the day of deregistration.
    left = monday(5) + timedelta(days=3)
    gone = StudentFacts(MINOR.date_of_birth, left_on=left)
    assert long_report(gone, left).end_date == left
    assert long_report(gone, left - timedelta(days=1)).end_date is None
    # RMC (19): the same.
    rmc = long_report(ADULT, back + timedelta(days=1))
    assert (rmc.kind, rmc.threshold_on, rmc.end_date) == (
        ReportKind.RMC,
        monday(4) + timedelta(days=4),
        back,
    )


def test_sixteen_hours_in_four_weeks_ends_on_its_threshold_day():
    found = reports_due(MINOR, [hours(monday(w), 4) for w in (1, 2, 3, 4)], CALENDAR, until=UNTIL)
    assert [(r.threshold_on, r.end_date) for r in found] == [(monday(4), monday(4))]


def test_hours_after_the_startkwalificatie_do_not_count():
    absences = [hours(monday(w), 4) for w in (1, 2, 3, 4)]
    before = StudentFacts(MINOR.date_of_birth, basic_qualification_on=monday(4) + timedelta(1))
    after = StudentFacts(MINOR.date_of_birth, basic_qualification_on=monday(4))
    assert kinds(reports_due(before, absences, CALENDAR, until=UNTIL)) == [
        (ReportKind.SIXTEEN_IN_FOUR, monday(1), monday(4), Decimal(16))
    ]
    assert reports_due(after, absences, CALENDAR, until=UNTIL) == []


SPAN = 70  # ten weeks from WEEK_1


@st.composite
def absences_and_calendars(draw: st.DrawFn) -> tuple[SchoolCalendar, list[AbsenceDay]]:
    """Days of ten weeks (weekends too), mostly whole days without valid reason, and holidays
    that may leave a school week with a single school day."""
    offsets = st.integers(0, SPAN - 1)
    holidays = tuple(
        (WEEK_1 + timedelta(days=a), WEEK_1 + timedelta(days=a + n))
        for a, n in draw(st.lists(st.tuples(offsets, st.integers(0, 5)), max_size=8))
    )
    reasons = st.sampled_from([UNAUTHORISED] * 3 + list(AbsenceReason))
    records = []
    for offset in sorted(draw(st.sets(offsets, max_size=30))):
        scheduled = draw(st.integers(0, 8))
        absent = draw(st.sampled_from([scheduled, scheduled, draw(st.integers(0, scheduled))]))
        records.append(
            AbsenceDay(
                WEEK_1 + timedelta(days=offset),
                Decimal(scheduled),
                Decimal(absent),
                draw(reasons),
            )
        )
    return SchoolCalendar(holidays), records


def counts(absences: list[AbsenceDay]) -> tuple[int, int]:
    """What the morning run has the database count: tenths of hours and whole days absent
    without valid reason."""
    tenths = sum(
        int(a.absent_hours * 10)
        for a in absences
        if a.reason == UNAUTHORISED and a.absent_hours > 0
    )
    return tenths, sum(1 for a in absences if a.whole_day_unauthorised)


@examples(max_examples=500, deadline=None)
@given(absences_and_calendars(), st.sampled_from([MINOR, ADULT]), st.booleans())
def test_the_morning_runs_shortcut_never_skips_a_report(
    found: tuple[SchoolCalendar, list[AbsenceDay]], facts: StudentFacts, for_adults: bool
) -> None:
    """The morning run asks the rules only for the kinds of report that `may_be_due` lets
    through: every report due is of a kind among them."""
    calendar, absences = found
    until = WEEK_1 + timedelta(days=SPAN)
    options = RegionOptions(sixteen_in_four_for_adults=for_adults)
    asked = may_be_due(
        *counts(absences), shortest_long_absence=calendar.shortest_long_absence(WEEK_1, until)
    )
    assert asked.sixteen_in_four or not sixteen_in_four(
        facts, absences, calendar, until=until, options=options
    )
    assert asked.long_absence or not long_absence(facts, absences, calendar, until=until)
    assert reports_due(facts, absences, calendar, until=until, options=options, asked=asked) == (
        reports_due(facts, absences, calendar, until=until, options=options)
    )


@examples(max_examples=300, deadline=None)
@given(absences_and_calendars(), st.data(), st.sampled_from([MINOR, ADULT]), st.booleans())
def test_a_long_absence_is_never_shorter_than_the_calendar_allows(
    found: tuple[SchoolCalendar, list[AbsenceDay]],
    data: st.DataObject,
    facts: StudentFacts,
    alone: bool,
) -> None:
    """Whatever the holidays, a long absence holds at least the calendar's
    `shortest_long_absence` whole days, so the morning run may skip students with fewer.
    Tried with absences of about four school weeks from any school day, alone or among other
    records."""
    calendar, others = found[0], [] if alone else found[1]
    until = WEEK_1 + timedelta(days=SPAN)
    first = data.draw(st.sampled_from(calendar.school_days(WEEK_1, until)))
    weeks_later = calendar.add_school_weeks(first, 4)
    last = data.draw(st.sampled_from([-2, -1, 0, 1]))  # around the last day of the 4 weeks
    run = calendar.school_days(first, weeks_later + timedelta(days=last))
    absences = sorted({a.day: a for a in [*others, *(hours(d, 8) for d in run)]}.values())
    if long_absence(facts, absences, calendar, until=until):
        assert counts(absences)[1] >= calendar.shortest_long_absence(WEEK_1, until)


def test_the_shortcut_lets_through_the_smallest_reports() -> None:
    """The bounds are tight: exactly 16 hours make a report, and so does every school day of
    four school weeks absent, however few school days holidays leave in them."""
    sixteen = [hours(monday(1), 8), hours(monday(1) + timedelta(days=1), 8)]
    assert reports_due(MINOR, sixteen, CALENDAR, until=monday(2))
    assert may_be_due(*counts(sixteen)).sixteen_in_four
    only_mondays = SchoolCalendar(
        tuple((monday(w) + timedelta(days=1), monday(w) + timedelta(days=4)) for w in range(1, 7))
    )
    four_mondays = [hours(monday(w), 3, scheduled=3) for w in range(1, 5)]
    assert [r.kind for r in reports_due(ADULT, four_mondays, only_mondays, until=monday(6))] == [
        ReportKind.RMC
    ]
    assert only_mondays.shortest_long_absence(monday(1), monday(6)) == 4
    assert may_be_due(*counts(four_mondays), shortest_long_absence=4).long_absence
    # Without short weeks, four school weeks are 20 school days: the 20th day absent makes
    # the RMC report, and the shortcut asks for exactly that many.
    twenty = whole_days(monday(1), monday(4) + timedelta(days=4))
    assert CALENDAR.shortest_long_absence(monday(1), UNTIL) == len(twenty) == 20
    assert [r.kind for r in reports_due(ADULT, twenty, CALENDAR, until=UNTIL)] == [ReportKind.RMC]
    assert reports_due(ADULT, twenty[:-1], CALENDAR, until=UNTIL) == []
