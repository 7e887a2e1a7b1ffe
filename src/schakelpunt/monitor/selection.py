"""What the monitor's screens offer to choose: a population, a period, a breakdown."""

from django.http import Http404, HttpRequest
from django.utils import timezone

from schakelpunt.access.policy import Scope, monitor_scopes
from schakelpunt.accounts.models import User

from .periods import (
    Period,
    PeriodError,
    PeriodNotStarted,
    parse_period,
    parse_published_period,
    previous,
    school_year_of,
)
from .tables import BREAKDOWNS


def periods_offered() -> list[Period]:
    """This school year and the three before, each with its semesters; not one that has not
    begun (this year's second semester before February)."""
    today = timezone.localdate()
    year = school_year_of(today)
    found: list[Period] = []
    for _i in range(4):
        found += [year, parse_period(f"{year.code}-S1"), parse_period(f"{year.code}-S2")]
        year = previous(year)
    return [p for p in found if p.has_started(today)]


def period_refused(request: HttpRequest) -> str | None:
    """Why the period asked for gets no figures (it has not begun), or None."""
    try:
        parse_published_period(request.GET.get("periode") or "", today=timezone.localdate())
    except PeriodNotStarted as problem:
        return str(problem)
    except PeriodError:
        return None  # unknown or a month: the running school year is shown instead
    return None


def choose(request: HttpRequest, scopes: list[Scope]) -> tuple[Scope, int, Period, str]:
    periods = periods_offered()
    try:
        period = parse_published_period(
            request.GET.get("periode") or periods[0].code, today=timezone.localdate()
        )
    except PeriodError:
        period = periods[0]
    breakdown = request.GET.get("uitsplitsing", "locatie")
    if breakdown not in BREAKDOWNS:
        breakdown = "locatie"
    choice = request.GET.get("populatie", "0")
    index = int(choice) if choice.isdigit() and int(choice) < len(scopes) else 0
    return scopes[index], index, period, breakdown


def choose_for(request: HttpRequest) -> tuple[list[Scope], Scope, int, Period, str]:
    """The populations the user may see (404 when none) and the one, period and breakdown
    chosen on the screen."""
    user: User = request.user  # type: ignore[assignment]
    scopes = monitor_scopes(user)
    if not scopes:
        raise Http404
    return scopes, *choose(request, scopes)
