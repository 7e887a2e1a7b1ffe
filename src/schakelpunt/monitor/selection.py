"""What the monitor's screens offer to choose: a population, a period, a breakdown."""

from django.http import Http404, HttpRequest
from django.utils import timezone

from schakelpunt.access.policy import Scope, monitor_scopes
from schakelpunt.accounts.models import User

from .periods import (
    Period,
    PeriodError,
    parse_period,
    parse_published_period,
    previous,
    school_year_of,
)
from .tables import BREAKDOWNS


def periods_offered() -> list[Period]:
    """This school year and the three before, each with its semesters."""
    year = school_year_of(timezone.localdate())
    found: list[Period] = []
    for _i in range(4):
        found += [year, parse_period(f"{year.code}-S1"), parse_period(f"{year.code}-S2")]
        year = previous(year)
    return found


def choose(request: HttpRequest, scopes: list[Scope]) -> tuple[Scope, int, Period, str]:
    periods = periods_offered()
    try:
        period = parse_published_period(request.GET.get("periode") or periods[0].code)
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
