"""The monitor for governance and the municipality: counts only, small numbers protected."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.policy import Scope

from .dashboard import Table
from .definitions import DEFINITIONS, PROTECTION_TITLE, SUPPRESSION_NOTE
from .exports import csv_download, download, workbook
from .selection import choose_for, period_refused, periods_offered
from .snapshots import computed_at, dashboard_for, refresh, report_pdf, table_for
from .tables import BREAKDOWNS


@login_required
def monitor(request: HttpRequest) -> HttpResponse:
    scopes, scope, index, period, breakdown = choose_for(request)
    refused = period_refused(request)
    if refused:  # a period that has not begun: nothing is computed, the choices stay
        return render(
            request,
            "monitor/monitor.html",
            {**_choices(scopes, index, breakdown), "refused": refused},
            status=400,
        )
    dashboard = dashboard_for(scope, period)
    table = table_for(scope, period, breakdown)
    breakdown_title = _("Uitgesplitst naar %(breakdown)s") % {
        "breakdown": str(BREAKDOWNS[breakdown][0]).lower()
    }
    stem = slugify(f"monitor-{scope.title}-{period.code}")
    requested = request.GET.get("formaat")
    if requested == "csv":
        key = request.GET.get("tabel", "uitsplitsing")
        figure = dashboard.figure(key)
        chosen: Table = figure.table if figure else table
        name = f"{stem}-{key if figure else breakdown}.csv"
        return csv_download(chosen, name)
    if requested == "xlsx":
        body = workbook(dashboard, [(breakdown_title, table)])
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return download(body, xlsx, f"{stem}.xlsx")
    if requested == "pdf":
        return download(
            report_pdf(scope, period, generated=timezone.now()), "application/pdf", f"{stem}.pdf"
        )
    query = request.GET.copy()
    query.pop("formaat", None)
    query.pop("tabel", None)
    return render(
        request,
        "monitor/monitor.html",
        {
            **_choices(scopes, index, breakdown),
            "dashboard": dashboard,
            "computed_at": computed_at(scope, period),
            "period": period,
            "breakdown_title": breakdown_title,
            "table": table,
            "query": query.urlencode(),
        },
    )


def _choices(scopes: list[Scope], index: int, breakdown: str) -> dict[str, Any]:
    return {
        "scopes": [s.title for s in scopes],
        "scope_index": index,
        "is_municipality": scopes[index].key.startswith("gemeente:"),
        "periods": periods_offered(),
        "breakdown": breakdown,
        "breakdowns": [(code, label) for code, (label, _field) in BREAKDOWNS.items()],
        "definitions": DEFINITIONS,
        "suppression_note": SUPPRESSION_NOTE,
        "protection_title": PROTECTION_TITLE,
    }


@login_required
@require_POST
def monitor_refresh(request: HttpRequest) -> HttpResponse:
    """Compute the chosen population's figures for the period anew and keep them: the one
    write a person can start (a page view only reads)."""
    _scopes, scope, _index, period, _breakdown = choose_for(request)
    query = request.GET.urlencode()
    back = reverse("monitor:monitor") + (f"?{query}" if query else "")
    if period_refused(request):  # the page it returns to says why; nothing is computed
        return redirect(back)
    refresh(scope, period)
    messages.success(
        request,
        _("De cijfers van %(scope)s over %(period)s zijn opnieuw berekend.")
        % {"scope": scope.title, "period": period.code},
    )
    return redirect(back)
