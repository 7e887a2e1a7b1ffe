"""The monitor for governance and the municipality: counts only, small numbers protected."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .dashboard import Table
from .definitions import DEFINITIONS, PROTECTION_TITLE, SUPPRESSION_NOTE
from .exports import csv_download, download, workbook
from .selection import choose_for, periods_offered
from .snapshots import computed_at, dashboard_for, report_pdf, table_for
from .tables import BREAKDOWNS


@login_required
def monitor(request: HttpRequest) -> HttpResponse:
    scopes, scope, index, period, breakdown = choose_for(request)
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
            "scopes": [s.title for s in scopes],
            "scope_index": index,
            "is_municipality": scope.key.startswith("gemeente:"),
            "dashboard": dashboard,
            "computed_at": computed_at(scope, period),
            "period": period,
            "periods": periods_offered(),
            "breakdown": breakdown,
            "breakdowns": [(code, label) for code, (label, _field) in BREAKDOWNS.items()],
            "breakdown_title": breakdown_title,
            "table": table,
            "query": query.urlencode(),
            "definitions": DEFINITIONS,
            "suppression_note": SUPPRESSION_NOTE,
            "protection_title": PROTECTION_TITLE,
        },
    )
