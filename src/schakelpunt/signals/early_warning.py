"""Explainable early warning: which factors fire for a student, with their values.

Never a score in a black box: every flag is a named factor with the numbers behind it, so a
coordinator can judge it. Thresholds are per institution; these are the defaults.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from schakelpunt.core.dates import in_words

from .statutory import UNAUTHORISED, ZERO, AbsenceDay, AbsenceReason, SchoolCalendar, StudentFacts

ALL_WEEKDAYS = frozenset(range(5))
ILLNESS = AbsenceReason.ILLNESS


@dataclass(frozen=True)
class Thresholds:
    # Unauthorised absence rate over the last 4 weeks vs the student's own earlier rate.
    recent_weeks: int = 4
    recent_rate_min: Decimal = Decimal("0.10")  # at least 10% of scheduled hours recently
    rise_factor: Decimal = Decimal(2)  # and at least twice the earlier rate
    consecutive_days: int = 3  # whole days absent in a row, any reason but illness
    chronic_share: Decimal = Decimal("0.10")  # 10% of scheduled hours, any reason
    weekday_share: Decimal = Decimal("0.6")  # 60% of the absent days on one weekday
    weekday_min_days: int = 6
    first_weeks: int = 10  # the first weeks of a programme are a transition risk
    birthday_months_ahead: int = 3


DEFAULTS = Thresholds()
# Factors about attendance may be shown to whoever sees the absence; the others (background,
# age events in support, concerns) only to those who see the support part.
ATTENDANCE_CODES = frozenset(
    {"rising_absence", "consecutive_days", "chronic_absence", "weekday_pattern"}
)


def visible_factors(factors: list[dict[str, str]], *, sees_support: bool) -> list[dict[str, str]]:
    return [f for f in factors if sees_support or f["code"] in ATTENDANCE_CODES]


WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"]


class Factor(NamedTuple):
    code: str
    explanation: str


class Profile(NamedTuple):
    """What the early warning looks at besides absence."""

    facts: StudentFacts
    level: int
    prior_education: str  # students.PriorEducation value
    enrolled_on: date
    in_support: bool  # a trajectory or youth care: the 18th birthday matters
    open_concerns: int = 0


class Schedule(NamedTuple):
    """When the student is expected: school days from `start` on `weekdays`, `hours` a day.

    Student information systems often export only the days with absence; a school day without
    a record counts as attended for its usual hours.
    """

    start: date
    hours: Decimal
    weekdays: frozenset[int] = frozenset(range(5))


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('1'))}%"


def _periods(
    calendar: SchoolCalendar, start: date, weekdays: frozenset[int], today: date, weeks: int
) -> tuple[date, dict[date, int], int, int, int]:
    """For a schedule on `today`: the first day of the recent period; the expected days with
    their positions; how many expected days fall in the recent period and before it; and how
    many school days (any weekday) before it. The same for most students: kept per calendar."""
    memo = calendar.memo("_periods")
    key = (start, weekdays, today, weeks)
    if key not in memo:
        recent_from = max(calendar.school_weeks_back(today, weeks), start)
        before = recent_from - timedelta(days=1)
        memo[key] = (
            recent_from,
            calendar.scheduled_days(start, today, weekdays),
            len(calendar.scheduled_days(recent_from, today, weekdays)),
            len(calendar.scheduled_days(start, before, weekdays)),
            len(calendar.scheduled_days(start, before, ALL_WEEKDAYS)),
        )
    found: tuple[date, dict[date, int], int, int, int] = memo[key]
    return found


def attendance_factors(
    absences: Sequence[AbsenceDay],
    schedule: Schedule,
    calendar: SchoolCalendar,
    *,
    today: date,
    thresholds: Thresholds = DEFAULTS,
) -> list[Factor]:
    """`absences`: the recorded days (absent_hours may be 0); other school days were attended."""
    factors: list[Factor] = []
    start, weekdays = schedule.start, schedule.weekdays
    recent_from, index, recent_expected, earlier_expected, earlier_weeks_days = _periods(
        calendar, start, weekdays, today, thresholds.recent_weeks
    )
    # One pass over the records, in date order: hours before and in the recent period, whole
    # days absent in a row, absent days per weekday.
    recent_sched = recent_unauth = earlier_sched = earlier_unauth = absent_total = ZERO
    recent_days = earlier_days_recorded = absent_days = 0
    per_weekday = [0] * 7
    streak = best = 0
    previous = -2
    expected = index.get
    for day, scheduled, absent, reason in sorted(absences):
        if day < start or day > today:
            continue
        at = expected(day)  # None: not a day the student is expected
        absent_total += absent
        if day >= recent_from:
            recent_sched += scheduled
            if at is not None:
                recent_days += 1
        else:
            earlier_sched += scheduled
            if at is not None:
                earlier_days_recorded += 1
        if reason == UNAUTHORISED and absent > ZERO:
            if day >= recent_from:
                recent_unauth += absent
            else:
                earlier_unauth += absent
            absent_days += 1
            per_weekday[day.weekday()] += 1
        elif reason == ILLNESS:
            streak = 0
            continue
        if at is None or not ZERO < scheduled <= absent:
            streak = 0
            continue
        streak = streak + 1 if at == previous + 1 else 1
        previous = at
        if streak > best and day >= recent_from:
            best = streak
    recent_scheduled = recent_sched + schedule.hours * (recent_expected - recent_days)
    earlier_scheduled = earlier_sched + schedule.hours * (earlier_expected - earlier_days_recorded)
    recent_rate = recent_unauth / recent_scheduled if recent_scheduled else ZERO
    earlier_rate = earlier_unauth / earlier_scheduled if earlier_scheduled else ZERO
    # Rising needs something to rise from: at least as many earlier weeks as recent ones.
    if (
        earlier_weeks_days >= 5 * thresholds.recent_weeks
        and recent_rate >= thresholds.recent_rate_min
        and recent_rate >= earlier_rate * thresholds.rise_factor
    ):
        factors.append(
            Factor(
                "rising_absence",
                f"Ongeoorloofd verzuim laatste {thresholds.recent_weeks} weken {_pct(recent_rate)}"
                f", daarvoor {_pct(earlier_rate)}.",
            )
        )
    if best >= thresholds.consecutive_days:
        factors.append(Factor("consecutive_days", f"{best} schooldagen achter elkaar afwezig."))
    scheduled_total = recent_scheduled + earlier_scheduled
    total_rate = absent_total / scheduled_total if scheduled_total else ZERO
    # A share means little over a few days: only once the recent period has been observed.
    enough = len(index) >= len(weekdays) * thresholds.recent_weeks
    if enough and total_rate >= thresholds.chronic_share:
        factors.append(
            Factor(
                "chronic_absence", f"Chronisch verzuim: {_pct(total_rate)} van de lesuren gemist."
            )
        )
    # A pattern needs a choice of days: not for someone at school one day a week (BBL).
    if absent_days >= max(thresholds.weekday_min_days, 1) and len(weekdays) >= 3:
        counts = per_weekday[:5]
        top = counts.index(max(counts))
        if Decimal(counts[top]) / absent_days >= thresholds.weekday_share:
            factors.append(
                Factor(
                    "weekday_pattern",
                    f"{counts[top]} van {absent_days} afwezige dagen op {WEEKDAYS[top]}.",
                )
            )
    return factors


def profile_factors(
    profile: Profile, *, today: date, thresholds: Thresholds = DEFAULTS
) -> list[Factor]:
    """Background (context) first, then age and open concerns."""
    return context_factors(profile, today=today, thresholds=thresholds) + personal_factors(
        profile, today=today, thresholds=thresholds
    )


def context_factors(
    profile: Profile, *, today: date, thresholds: Thresholds = DEFAULTS
) -> list[Factor]:
    """Background that is shown with a signal but is never a reason to look on its own."""
    factors: list[Factor] = []
    if profile.prior_education in {"none", "vso", "pro"}:
        label = {
            "none": "geen vooropleiding (van thuis of werk)",
            "vso": "voortgezet speciaal onderwijs",
            "pro": "praktijkonderwijs",
        }[profile.prior_education]
        factors.append(Factor("transition_background", f"Overgangsrisico: {label}."))
    if profile.level <= 2:
        factors.append(Factor("low_level", "Entree of niveau 2: hier zijn de meeste hulpvragen."))
    if profile.enrolled_on <= today < profile.enrolled_on + timedelta(weeks=thresholds.first_weeks):
        week = (today - profile.enrolled_on).days // 7 + 1
        factors.append(
            Factor("first_weeks", f"Week {week} van de opleiding: de start is kwetsbaar.")
        )
    return factors


def personal_factors(
    profile: Profile, *, today: date, thresholds: Thresholds = DEFAULTS
) -> list[Factor]:
    """Birthdays that change what help there is, and open concerns."""
    factors: list[Factor] = []
    horizon = today + timedelta(days=round(thresholds.birthday_months_ahead * 30.5))
    # A birthday falls in the year of birth plus the age: only those years can be in range.
    years = range(today.year, horizon.year + 1)
    born = profile.facts.date_of_birth.year
    if profile.in_support and born + 18 in years:
        eighteen = profile.facts.birthday(18)
        if today <= eighteen <= horizon:
            factors.append(
                Factor(
                    "turns_18",
                    f"Wordt 18 op {in_words(eighteen)}: jeugdhulp stopt, regel wat nodig is.",
                )
            )
    if born + 23 in years and not profile.facts.qualified_on(today):
        twenty_three = profile.facts.birthday(23)
        if today <= twenty_three <= horizon:
            factors.append(
                Factor("turns_23", f"Wordt 23 op {twenty_three:%d-%m-%Y} zonder startkwalificatie.")
            )
    if profile.open_concerns:
        word = "zorgmelding" if profile.open_concerns == 1 else "zorgmeldingen"
        factors.append(Factor("open_concerns", f"{profile.open_concerns} open {word}."))
    return factors
