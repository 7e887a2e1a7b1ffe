"""Appointments in the demo fall on school days: no meeting or conversation on a Saturday,
a Sunday or in a holiday the demo knows of."""

from datetime import date, timedelta

from schakelpunt.signals.statutory import SchoolCalendar

from .absence import DAYS_OFF

CALENDAR = SchoolCalendar(tuple((start, end) for _name, start, end in DAYS_OFF))
# The summer holiday is the longest stretch without school days (six weeks).
FURTHEST = 50


def on_school_day(
    day: date, *, earliest: date | None = None, latest: date | None = None
) -> date | None:
    """The school day nearest to `day` within [earliest, latest] (the day before first when
    two are as near); None when there is none (a range inside the summer holiday)."""
    for distance in range(FURTHEST):
        for candidate in (day - timedelta(days=distance), day + timedelta(days=distance)):
            if earliest is not None and candidate < earliest:
                continue
            if latest is not None and candidate > latest:
                continue
            if CALENDAR.is_school_day(candidate):
                return candidate
    return None


def school_day_near(day: date, *, earliest: date | None = None, latest: date | None = None) -> date:
    """As `on_school_day` with at most one bound: there always is one."""
    if earliest is not None and latest is not None:
        raise ValueError("two bounds: use on_school_day and handle None")
    found = on_school_day(day, earliest=earliest, latest=latest)
    if found is None:  # not with the calendar's longest holiday shorter than FURTHEST days
        raise ValueError(f"no school day within {FURTHEST} days of {day}")
    return found
