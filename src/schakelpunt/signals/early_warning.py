"""Explainable early warning: which factors fire for a student, with their values.

Never a score in a black box: every flag is a named factor with the numbers behind it, so a
coordinator can judge it. Thresholds are per institution; these are the defaults.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .statutory import AbsenceDay, AbsenceReason, SchoolCalendar, StudentFacts


@dataclass(frozen=True)
class Thresholds:
    # Unauthorised absence rate over the last 4 weeks vs the student's own earlier rate.
    recent_weeks: int = 4
    recent_rate_min: Decimal = Decimal("0.05")  # at least 5% of scheduled hours recently
    rise_factor: Decimal = Decimal(2)  # and at least twice the earlier rate
    consecutive_days: int = 3  # whole days absent in a row, any reason but illness
    chronic_share: Decimal = Decimal("0.10")  # 10% of scheduled hours, any reason
    weekday_share: Decimal = Decimal("0.5")  # half of the absent days on one weekday
    weekday_min_days: int = 4
    first_weeks: int = 10  # the first weeks of a programme are a transition risk
    birthday_months_ahead: int = 3


DEFAULTS = Thresholds()
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


def _rate(days: Sequence[AbsenceDay]) -> Decimal:
    scheduled = sum((d.scheduled_hours for d in days), Decimal(0))
    if not scheduled:
        return Decimal(0)
    return sum((d.unauthorised_hours for d in days), Decimal(0)) / scheduled


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('1'))}%"


def attendance_factors(
    days: Sequence[AbsenceDay],
    calendar: SchoolCalendar,
    *,
    today: date,
    thresholds: Thresholds = DEFAULTS,
) -> list[Factor]:
    """`days`: every scheduled school day with its absence (absent_hours may be 0)."""
    factors: list[Factor] = []
    recent_from = calendar.school_weeks_back(today, thresholds.recent_weeks)
    recent = [d for d in days if recent_from <= d.day <= today]
    earlier = [d for d in days if d.day < recent_from]
    recent_rate, earlier_rate = _rate(recent), _rate(earlier)
    if recent_rate >= thresholds.recent_rate_min and (
        not earlier or recent_rate >= earlier_rate * thresholds.rise_factor
    ):
        factors.append(
            Factor(
                "rising_absence",
                f"Ongeoorloofd verzuim laatste {thresholds.recent_weeks} weken {_pct(recent_rate)}"
                f", daarvoor {_pct(earlier_rate)}.",
            )
        )
    streak = best = 0
    for d in sorted(days, key=lambda d: d.day):
        whole = d.scheduled_hours > 0 and d.absent_hours >= d.scheduled_hours
        streak = streak + 1 if whole and d.reason != AbsenceReason.ILLNESS else 0
        best = max(best, streak if d.day >= recent_from else 0)
    if best >= thresholds.consecutive_days:
        factors.append(Factor("consecutive_days", f"{best} schooldagen achter elkaar afwezig."))
    total_rate = (
        sum((d.absent_hours for d in days), Decimal(0))
        / sum((d.scheduled_hours for d in days), Decimal(0))
        if days and sum((d.scheduled_hours for d in days), Decimal(0))
        else Decimal(0)
    )
    if total_rate >= thresholds.chronic_share:
        factors.append(
            Factor(
                "chronic_absence", f"Chronisch verzuim: {_pct(total_rate)} van de lesuren gemist."
            )
        )
    absent_days = [d for d in days if d.unauthorised_hours > 0]
    if len(absent_days) >= thresholds.weekday_min_days:
        counts = [sum(1 for d in absent_days if d.day.weekday() == w) for w in range(5)]
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
