"""Statutory absence reports (DUO verzuimloket): which students must be reported, and why.

Pure functions over plain facts, so the rules can be read, tested and versioned on their own.
Each report carries RULES_VERSION; when the law changes, add a new version, keep the old one.

Rules (Leerplichtwet 1969 art. 21a, 18 and 8; Wet RMC-functie; DUO "verzuimloket"):
- 16 uur in 4 weken: a student under 18 without a startkwalificatie is absent without valid
  reason for at least 16 hours within 4 consecutive school weeks (holiday weeks do not count).
  Start: the first day of absence in that window; end: the day the 16 hours are reached. Each
  further 16 hours is a new report; during continuous absence at most one report per 7 days.
  Only hours before the 18th birthday count.
- Langdurig relatief verzuim: under 18 without startkwalificatie, absent without valid reason
  for more than 4 school weeks in a row.
- RMC: 18 up to 23 without startkwalificatie, absent without valid reason for 4 school weeks in
  a row; goes to the RMC of the residence region.
  For both: the threshold day is the day the rule was met; the end date is the day the student
  returned (the first school day after the absence) or was deregistered, empty while the
  absence lasts.
- Optional (the region agreed to it): 16 uur in 4 weken also for 18+.
Illness and suspension never count as absence without valid reason.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

RULES_VERSION = "2026.1"
HOURS_THRESHOLD = Decimal(16)
SCHOOL_WEEKS_IN_WINDOW = 4
MIN_DAYS_BETWEEN_REPORTS = 7
ADULT_AGE = 18
RMC_UPPER_AGE = 23


class AbsenceReason(StrEnum):
    ILLNESS = "illness"
    SUSPENSION = "suspension"
    OTHER_AUTHORISED = "other_authorised"
    UNAUTHORISED = "unauthorised"


# Reason codes as stored, to their enum member (a dict look-up is cheaper than the call).
REASON_OF = {reason.value: reason for reason in AbsenceReason}


class ReportKind(StrEnum):
    SIXTEEN_IN_FOUR = "16_in_4"
    LONG_TERM_RELATIVE = "long_relative"
    RMC = "rmc"


UNAUTHORISED = AbsenceReason.UNAUTHORISED
ZERO = Decimal(0)


class AbsenceDay(NamedTuple):
    """One recorded school day of a student. A tuple: the morning run builds millions."""

    day: date
    scheduled_hours: Decimal
    absent_hours: Decimal
    reason: AbsenceReason

    @property
    def unauthorised_hours(self) -> Decimal:
        return self.absent_hours if self.reason == UNAUTHORISED else ZERO

    @property
    def whole_day_unauthorised(self) -> bool:
        return self.reason == UNAUTHORISED and 0 < self.scheduled_hours <= self.absent_hours


@lru_cache(maxsize=1 << 16)
def birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + age, month=3, day=1)


class StudentFacts(NamedTuple):
    date_of_birth: date
    # The day a startkwalificatie was obtained; None: the student has none.
    basic_qualification_on: date | None = None
    # The day the student was deregistered; None: still enrolled.
    left_on: date | None = None

    def birthday(self, age: int) -> date:
        return birthday(self.date_of_birth, age)

    def qualified_on(self, day: date) -> bool:
        return self.basic_qualification_on is not None and self.basic_qualification_on <= day


@dataclass(frozen=True)
class SchoolCalendar:
    """School days: Monday to Friday outside the institution's holidays."""

    holidays: tuple[tuple[date, date], ...] = ()

    @cached_property
    def holiday_days(self) -> frozenset[date]:
        return frozenset(
            start + timedelta(days=i)
            for start, end in self.holidays
            for i in range((end - start).days + 1)
        )

    def is_holiday(self, day: date) -> bool:
        return day in self.holiday_days

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def week_start(self, day: date) -> date:
        return day - timedelta(days=day.weekday())

    def is_school_week(self, monday: date) -> bool:
        return any(self.is_school_day(monday + timedelta(days=i)) for i in range(5))

    def memo(self, name: str) -> dict[Any, Any]:
        """Answers per calendar: the rules ask the same questions for many students."""
        memo: dict[Any, Any] = self.__dict__.setdefault(name, {})
        return memo

    def school_weeks_back(self, day: date, count: int) -> date:
        """The Monday of the `count`-th school week counting back from `day`'s week (incl.)."""
        memo = self.memo("_weeks_back")
        if (day, count) not in memo:
            monday = self.week_start(day)
            found = 0
            while True:
                if self.is_school_week(monday):
                    found += 1
                    if found == count:
                        break
                monday -= timedelta(days=7)
            memo[(day, count)] = monday
        return memo[(day, count)]

    def add_school_weeks(self, day: date, weeks: int) -> date:
        """The same weekday `weeks` school weeks later; holiday weeks are skipped."""
        memo = self.memo("_weeks_ahead")
        if (day, weeks) not in memo:
            monday = self.week_start(day)
            found = 0
            while found < weeks:
                monday += timedelta(days=7)
                if self.is_school_week(monday):
                    found += 1
            memo[(day, weeks)] = monday + (day - self.week_start(day))
        return memo[(day, weeks)]

    def next_school_day(self, day: date) -> date:
        memo = self.memo("_next")
        found: date | None = memo.get(day)
        if found is None:
            found = day + timedelta(days=1)
            while not self.is_school_day(found):
                found += timedelta(days=1)
            memo[day] = found
        return found

    def window_start(self, day: date) -> date:
        """The Monday of the four-school-week window that ends in `day`'s week."""
        memo = self.memo("_window")
        found: date | None = memo.get(day)
        if found is None:
            found = memo[day] = self.school_weeks_back(day, SCHOOL_WEEKS_IN_WINDOW)
        return found

    def four_weeks_from(self, start: date) -> tuple[date, date]:
        """From a first day of absence: the last school day of the four school weeks, and the
        first school day after them (the same weekday four school weeks later, or later)."""
        memo = self.memo("_four_weeks")
        if start not in memo:
            period_end = self.add_school_weeks(start, SCHOOL_WEEKS_IN_WINDOW)
            last_in = max(self.school_days(start, period_end - timedelta(days=1)))
            first_after = min(self.school_days(period_end, period_end + timedelta(days=60)))
            memo[start] = (last_in, first_after)
        found: tuple[date, date] = memo[start]
        return found

    def shortest_long_absence(self, since: date, until: date) -> int:
        """The fewest days a long absence (`long_absence`) that starts from `since` up to
        `until` can hold: all school days of its four school weeks, from its first day up to
        the last school day of the period. Without a school day in between: more days than a
        student can have."""
        memo = self.memo("_shortest_long")
        if (since, until) not in memo:
            memo[(since, until)] = min(
                (
                    len(self.school_days(start, self.four_weeks_from(start)[0]))
                    for start in self.school_days(since, until)
                ),
                default=(until - since).days + 2,
            )
        found: int = memo[(since, until)]
        return found

    def scheduled_days(self, start: date, end: date, weekdays: frozenset[int]) -> dict[date, int]:
        """The school days from start to end on the given weekdays, each with its position."""
        memo = self.memo("_scheduled")
        key = (start, end, weekdays)
        if key not in memo:
            days = (d for d in self.school_days(start, end) if d.weekday() in weekdays)
            memo[key] = {d: i for i, d in enumerate(days)}
        found: dict[date, int] = memo[key]
        return found

    def _school_days_in(self, year: int) -> tuple[date, ...]:
        cache: dict[int, tuple[date, ...]] = self.__dict__.setdefault("_years", {})
        if year not in cache:
            first = date(year, 1, 1)
            days = (first + timedelta(days=i) for i in range((date(year, 12, 31) - first).days + 1))
            cache[year] = tuple(d for d in days if self.is_school_day(d))
        return cache[year]

    def school_days_after(self, start: date, end: date) -> int:
        """School days after `start` up to and including `end` (how long something waited)."""
        return len(self.school_days(start + timedelta(days=1), end))

    def school_days(self, start: date, end: date) -> list[date]:
        found: list[date] = []
        for year in range(start.year, end.year + 1):
            days = self._school_days_in(year)
            found.extend(days[bisect_left(days, start) : bisect_right(days, end)])
        return found


@dataclass(frozen=True)
class StatutoryReport:
    kind: ReportKind
    start: date
    # The day the threshold was reached: the report is due from then.
    threshold_on: date
    unauthorised_hours: Decimal
    # 16 uur in 4 weken: the threshold day. Long absences: the day the student returned or
    # was deregistered; None while the absence lasts.
    end_date: date | None
    rules_version: str = RULES_VERSION


@dataclass(frozen=True)
class RegionOptions:
    # The region agreed to report 16 hours in 4 weeks for students of 18 and older too.
    sixteen_in_four_for_adults: bool = False


def sixteen_in_four(
    facts: StudentFacts,
    absences: Sequence[AbsenceDay],
    calendar: SchoolCalendar,
    *,
    until: date,
    options: RegionOptions = RegionOptions(),
) -> list[StatutoryReport]:
    """Every '16 uur in 4 weken' report due up to and including `until`."""
    # Hours count before a startkwalificatie and (unless the region chose otherwise) before
    # the 18th birthday.
    last = min(until, (facts.basic_qualification_on or date.max) - timedelta(days=1))
    if not options.sixteen_in_four_for_adults:
        last = min(last, facts.birthday(ADULT_AGE) - timedelta(days=1))
    holidays = calendar.holiday_days
    counting = [
        (day, absent)
        for day, _scheduled, absent, reason in absences
        if day <= last  # first: for most adults no day is left
        and reason == UNAUTHORISED
        and absent > ZERO
        and day.weekday() < 5
        and day not in holidays
    ]
    if sum(hours for _day, hours in counting) < HOURS_THRESHOLD:
        return []  # most students (and adults, most regions): not 16 hours in the period
    counting.sort()
    reports: list[StatutoryReport] = []
    last_end: date | None = None
    by_day: dict[date, AbsenceDay] = {}  # the records per day, once a report needs them
    # The window [since, current] only moves forward: keep its first day and its sum.
    first = 0
    total = ZERO
    for day, hours in counting:
        window_start = calendar.window_start(day)
        since = max(window_start, last_end + timedelta(days=1)) if last_end else window_start
        total += hours
        while counting[first][0] < since:
            total -= counting[first][1]
            first += 1
        if total < HOURS_THRESHOLD:
            continue
        if last_end is not None and day < last_end + timedelta(days=MIN_DAYS_BETWEEN_REPORTS):
            by_day = by_day or {a.day: a for a in absences}
            if _continuously_absent(by_day, calendar, last_end, day):
                continue  # continuous absence: at most one report per 7 calendar days
        reports.append(
            StatutoryReport(ReportKind.SIXTEEN_IN_FOUR, counting[first][0], day, total, day)
        )
        last_end = day
    return reports


def _continuously_absent(
    by_day: dict[date, AbsenceDay], calendar: SchoolCalendar, start: date, end: date
) -> bool:
    return all(
        (a := by_day.get(d)) is not None and a.whole_day_unauthorised
        for d in calendar.school_days(start, end)
    )


def _absent_streaks(
    absences: Sequence[AbsenceDay], calendar: SchoolCalendar, until: date
) -> list[list[date]]:
    """Runs of school days on which the student was absent all day without valid reason."""
    holidays = calendar.holiday_days
    whole = sorted(
        day
        for day, scheduled, absent, reason in absences
        if reason == UNAUTHORISED
        and 0 < scheduled <= absent
        and day <= until
        and day.weekday() < 5
        and day not in holidays
    )
    streaks: list[list[date]] = []
    for day in whole:
        if streaks and calendar.next_school_day(streaks[-1][-1]) == day:
            streaks[-1].append(day)
        else:
            streaks.append([day])
    return streaks


def long_absence(
    facts: StudentFacts,
    absences: Sequence[AbsenceDay],
    calendar: SchoolCalendar,
    *,
    until: date,
) -> list[StatutoryReport]:
    """'Langdurig relatief verzuim' (under 18) and 'RMC' (18 up to 23), one per absence.

    Four school weeks run from the first day of absence to the same weekday four school weeks
    later (holiday weeks skipped). RMC: still absent on the last school day of that period.
    Langdurig relatief verzuim ("more than four weeks"): still absent on the first school day
    after it.
    """
    reports: list[StatutoryReport] = []
    streaks = [s for s in _absent_streaks(absences, calendar, until) if len(s) > 1]
    if not streaks:  # four school weeks always hold more than one school day
        return reports
    last_record = max((a.day for a in absences if a.day <= until), default=None)
    hours = {a.day: a.unauthorised_hours for a in absences}
    for streak in streaks:
        adult_from = facts.birthday(ADULT_AGE)
        rmc_until = facts.birthday(RMC_UPPER_AGE)
        start = streak[0]
        last_in_period, first_after = calendar.four_weeks_from(start)
        in_streak = set(streak)
        for kind, day in (
            (ReportKind.LONG_TERM_RELATIVE, first_after),
            (ReportKind.RMC, last_in_period),
        ):
            if day not in in_streak or facts.qualified_on(day):
                continue
            minor = day < adult_from
            if (kind == ReportKind.LONG_TERM_RELATIVE) != minor:
                continue
            if not minor and day >= rmc_until:
                continue
            total = sum((hours[d] for d in streak if d <= day), ZERO)
            ended = _absence_ended(facts, streak, calendar, until=until, last_record=last_record)
            reports.append(StatutoryReport(kind, start, day, total, ended))
    return reports


def _absence_ended(
    facts: StudentFacts,
    streak: list[date],
    calendar: SchoolCalendar,
    *,
    until: date,
    last_record: date | None,
) -> date | None:
    """The end of a long absence: the first school day after it, once that day has passed
    (or a record of it or later came in), or the day the student was deregistered."""
    ended: date | None = None
    returned = calendar.next_school_day(streak[-1])
    if returned < until or (returned == until and last_record is not None and last_record >= until):
        ended = returned
    if facts.left_on is not None and facts.left_on <= until:
        ended = min(ended, facts.left_on) if ended else facts.left_on
    return ended


class MayBeDue(NamedTuple):
    sixteen_in_four: bool
    long_absence: bool

    def __bool__(self) -> bool:  # any kind (a tuple of two is always true)
        return self.sixteen_in_four or self.long_absence


EVERY_KIND = MayBeDue(sixteen_in_four=True, long_absence=True)


def may_be_due(
    unauthorised_tenths: int,
    whole_days: int,
    *,
    shortest_long_absence: int = SCHOOL_WEEKS_IN_WINDOW,
) -> MayBeDue:
    """Which reports can be due for a student, from two counts over their records (all of
    them, not only school days): the tenths of hours absent without valid reason and the days
    absent all day without valid reason. False means that rule finds nothing: 16 uur in 4
    weken needs 16 such hours, and a long absence every school day of four school weeks (at
    least one in each; `SchoolCalendar.shortest_long_absence` knows the calendar's least).
    The morning run has the database count, and asks the rules only what may be due."""
    return MayBeDue(
        unauthorised_tenths >= HOURS_THRESHOLD * 10, whole_days >= shortest_long_absence
    )


def reports_due(
    facts: StudentFacts,
    absences: Sequence[AbsenceDay],
    calendar: SchoolCalendar,
    *,
    until: date,
    options: RegionOptions = RegionOptions(),
    asked: MayBeDue = EVERY_KIND,
) -> list[StatutoryReport]:
    """All statutory reports for one student up to `until`, in date order (only the kinds
    `asked`: `may_be_due` rules the others out)."""
    found = (
        sixteen_in_four(facts, absences, calendar, until=until, options=options)
        if asked.sixteen_in_four
        else []
    )
    if asked.long_absence:
        found += long_absence(facts, absences, calendar, until=until)
    return sorted(found, key=lambda r: (r.threshold_on, r.kind)) if found else found
