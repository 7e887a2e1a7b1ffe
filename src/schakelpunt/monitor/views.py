"""The monitor for governance and the municipality: counts only, small numbers protected."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from schakelpunt.access.policy import monitor_scopes
from schakelpunt.accounts.models import User

from .periods import Period, PeriodError, parse_period, previous, school_year_of
from .tables import BREAKDOWNS, COLUMNS, indicator_table


def _periods() -> list[Period]:
    """This school year and the three before, each with its semesters."""
    year = school_year_of(timezone.localdate())
    found: list[Period] = []
    for _ in range(4):
        found += [year, parse_period(f"{year.code}-S1"), parse_period(f"{year.code}-S2")]
        year = previous(year)
    return found


@login_required
def monitor(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    scopes = monitor_scopes(user)
    if not scopes:
        raise Http404
    periods = _periods()
    try:
        period = (
            parse_period(request.GET.get("periode", ""))
            if request.GET.get("periode")
            else periods[0]
        )
    except PeriodError:
        period = periods[0]
    breakdown = request.GET.get("uitsplitsing", "locatie")
    if breakdown not in BREAKDOWNS:
        breakdown = "locatie"
    choice = request.GET.get("populatie", "0")
    index = int(choice) if choice.isdigit() and int(choice) < len(scopes) else 0
    title, students = scopes[index]
    rows, total = indicator_table(students, period, breakdown)
    if request.GET.get("formaat") == "csv":
        return _csv(title, period, breakdown, rows, total)
    return render(
        request,
        "monitor/monitor.html",
        {
            "scopes": [label for label, _students in scopes],
            "scope_index": index,
            "title": title,
            "period": period,
            "periods": periods,
            "breakdown": breakdown,
            "breakdowns": [(code, label) for code, (label, _field) in BREAKDOWNS.items()],
            "headings": [heading for heading, _count in COLUMNS.values()],
            "rows": rows,
            "total": total,
            "query": request.GET.urlencode(),
        },
    )


def _csv(title: str, period: Period, breakdown: str, rows: list, total: object) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            str(BREAKDOWNS[breakdown][0]),
            *[str(h) for h, _c in COLUMNS.values()],
            "VSV %",
            "Bereik %",
        ]
    )
    for row in [*rows, total]:
        writer.writerow([row.label, *[c.shown for c in row.cells], row.vsv_rate, row.reach_rate])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"monitor-{title}-{period.code}-{breakdown}.csv".replace(" ", "_")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
