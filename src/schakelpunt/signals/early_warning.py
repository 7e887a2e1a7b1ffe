"""Explainable early warning: which factors fire for a student, with their values.

Never a score in a black box: every flag is a named factor with the numbers behind it, so a
coordinator can judge it. Thresholds are per institution; these are the defaults.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from .statutory import AbsenceDay, AbsenceReason, SchoolCalendar, StudentFacts


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


@dataclass(frozen=True)
class Factor:
    code: str
    explanation: str


@dataclass(frozen=True)
class Profile:
    """What the early warning looks at besides absence."""

    facts: StudentFacts
    level: int
    prior_education: str  # students.PriorEducation value
    enrolled_on: date
    in_support: bool  # a trajectory or youth care: the 18th birthday matters
    open_concerns: int = 0


@dataclass(frozen=True)
class Schedule:
    """When the student is expected: school days from `start` on `weekdays`, `hours` a day.

    Student information systems often export only the days with absence; a school day without
    a record counts as attended for its usual hours.
    """

    start: date
    hours: Decimal
    weekdays: frozenset[int] = frozenset(range(5))


@lru_cache(maxsize=4096)
def _scheduled_days(
    calendar: SchoolCalendar, start: date, end: date, weekdays: frozenset[int]
) -> tuple[date, ...]:
    return tuple(d for d in calendar.school_days(start, end) if d.weekday() in weekdays)


@lru_cache(maxsize=4096)
def _day_index(
    calendar: SchoolCalendar, start: date, end: date, weekdays: frozenset[int]
) -> dict[date, int]:
    return {d: i for i, d in enumerate(_scheduled_days(calendar, start, end, weekdays))}


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('1'))}%"


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
    recent_from = max(calendar.school_weeks_back(today, thresholds.recent_weeks), schedule.start)
    recorded = [a for a in absences if schedule.start <= a.day <= today]
    # One pass over the records: hours before and in the recent period.
    zero = Decimal(0)
    recent_sched = recent_unauth = earlier_sched = earlier_unauth = absent = zero
    recent_days = earlier_days_recorded = 0
    for a in recorded:
        on_schedule = a.day.weekday() in schedule.weekdays and calendar.is_school_day(a.day)
        absent += a.absent_hours
        if a.day >= recent_from:
            recent_sched += a.scheduled_hours
            recent_unauth += a.unauthorised_hours
            recent_days += on_schedule
        else:
            earlier_sched += a.scheduled_hours
            earlier_unauth += a.unauthorised_hours
            earlier_days_recorded += on_schedule
    before = recent_from - timedelta(days=1)
    recent_scheduled = recent_sched + schedule.hours * (
        len(_scheduled_days(calendar, recent_from, today, schedule.weekdays)) - recent_days
    )
    earlier_scheduled = earlier_sched + schedule.hours * (
        len(_scheduled_days(calendar, schedule.start, before, schedule.weekdays))
        - earlier_days_recorded
    )
    recent_rate = recent_unauth / recent_scheduled if recent_scheduled else zero
    earlier_rate = earlier_unauth / earlier_scheduled if earlier_scheduled else zero
    # Rising needs something to rise from: at least as many earlier weeks as recent ones.
    earlier_days = _scheduled_days(
        calendar, schedule.start, recent_from - timedelta(days=1), frozenset(range(5))
    )
    if (
        len(earlier_days) >= 5 * thresholds.recent_weeks
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
    index = _day_index(calendar, schedule.start, today, schedule.weekdays)
    streak = best = 0
    previous = -2
    for a in sorted(recorded, key=lambda a: a.day):
        whole = (
            a.scheduled_hours > 0
            and a.absent_hours >= a.scheduled_hours
            and a.reason != AbsenceReason.ILLNESS
        )
        at = index.get(a.day)
        if not whole or at is None:
            streak = 0
            continue
        streak = streak + 1 if at == previous + 1 else 1
        previous = at
        if a.day >= recent_from:
            best = max(best, streak)
    if best >= thresholds.consecutive_days:
        factors.append(Factor("consecutive_days", f"{best} schooldagen achter elkaar afwezig."))
    scheduled = recent_scheduled + earlier_scheduled
    total_rate = absent / scheduled if scheduled else zero
    # A share means little over a few days: only once the recent period has been observed.
    observed = len(_scheduled_days(calendar, schedule.start, today, schedule.weekdays))
    enough = observed >= len(schedule.weekdays) * thresholds.recent_weeks
    if enough and total_rate >= thresholds.chronic_share:
        factors.append(
            Factor(
                "chronic_absence", f"Chronisch verzuim: {_pct(total_rate)} van de lesuren gemist."
            )
        )
    absent_days = [a for a in recorded if a.unauthorised_hours > 0]
    # A pattern needs a choice of days: not for someone at school one day a week (BBL).
    if len(absent_days) >= thresholds.weekday_min_days and len(schedule.weekdays) >= 3:
        counts = [sum(1 for a in absent_days if a.day.weekday() == w) for w in range(5)]
        top = max(range(5), key=lambda w: counts[w])
        if Decimal(counts[top]) / len(absent_days) >= thresholds.weekday_share:
            factors.append(
                Factor(
                    "weekday_pattern",
                    f"{counts[top]} van {len(absent_days)} afwezige dagen op {WEEKDAYS[top]}.",
                )
            )
    return factors


def profile_factors(
    profile: Profile, *, today: date, thresholds: Thresholds = DEFAULTS
) -> list[Factor]:
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
    horizon = today + timedelta(days=round(thresholds.birthday_months_ahead * 30.5))
    eighteen = profile.facts.birthday(18)
    if profile.in_support and today <= eighteen <= horizon:
        factors.append(
            Factor(
                "turns_18", f"Wordt 18 op {eighteen:%d-%m-%Y}: jeugdhulp stopt, regel wat nodig is."
            )
        )
    twenty_three = profile.facts.birthday(23)
    if not profile.facts.qualified_on(today) and today <= twenty_three <= horizon:
        factors.append(
            Factor("turns_23", f"Wordt 23 op {twenty_three:%d-%m-%Y} zonder startkwalificatie.")
        )
    if profile.open_concerns:
        factors.append(Factor("open_concerns", f"{profile.open_concerns} open zorgmelding(en)."))
    return factors
