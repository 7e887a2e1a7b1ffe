"""Kept dashboards: computing every indicator for a population takes seconds, showing it must
not. A dashboard or table is built and stored already protected by an explicit step: the
night run (`refresh_all`, also `schakelpunt monitor refresh`), the demo build (`warm_monitor`)
or someone pressing "Opnieuw berekenen" (a POST, `refresh`). Opening the monitor (a GET) only
reads: it shows the kept figures with the moment they were computed, and where none are kept
it computes them for that answer without storing them. Same records, same published counts
(decision 0020), so the screen, CSV, Excel and PDF agree either way. The start page's counts
per level and the municipal overview (`overview`) are kept the same way, for the running
school year.
"""

import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import (
    AGGREGATE_ROLES,
    Scope,
    institution_scope,
    monitor_scopes,
    municipality_scope,
    region_scope,
)
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.refdata.models import Municipality, RmcRegion
from schakelpunt.students.models import Student

from . import dashboard as dash
from . import overview, report
from .models import MonitorSnapshot
from .periods import Period, parse_period, previous, school_year_of
from .selectors import running_school_year
from .suppression import METHOD_VERSION
from .tables import BREAKDOWNS

METHOD_KEY = "protection"
DASHBOARD = "dashboard"
LEVELS = "niveaus"  # the start page
OVERVIEW = "overzicht"  # the municipal overview


def _current_method(snapshot: MonitorSnapshot) -> bool:
    """Figures kept under another way of protecting them (or before there was one: exact
    counts) are never shown; they are computed anew."""
    return isinstance(snapshot.data, dict) and snapshot.data.get(METHOD_KEY) == METHOD_VERSION


def _kept(
    scope: Scope, period: Period, kind: str, build: Callable[[], dict[str, Any]], *, force: bool
) -> dict[str, Any]:
    return _kept_at(scope, period, kind, build, force=force)[0]


def _kept_at(
    scope: Scope, period: Period, kind: str, build: Callable[[], dict[str, Any]], *, force: bool
) -> tuple[dict[str, Any], datetime | None]:
    """The kept figures and when they were computed, or computed for this answer only (None);
    with `force` computed anew and stored (never on a page view: only the explicit refreshes
    pass it)."""
    if not force:
        found = MonitorSnapshot.objects.filter(
            scope=scope.key, period=period.code, kind=kind
        ).first()
        if found and _current_method(found):
            return {k: v for k, v in found.data.items() if k != METHOD_KEY}, found.computed_at
        return build(), None
    data = build()
    now = timezone.now()
    try:
        with transaction.atomic():
            MonitorSnapshot.objects.update_or_create(
                scope=scope.key,
                period=period.code,
                kind=kind,
                defaults={
                    "data": {**data, METHOD_KEY: METHOD_VERSION},
                    "computed_at": now,
                },
            )
    except IntegrityError:  # built at the same moment elsewhere: theirs is as good
        pass
    return data, now


def dashboard_for(scope: Scope, period: Period, *, force: bool = False) -> dash.Dashboard:
    today = timezone.localdate()

    def build() -> dict[str, Any]:
        return dash.build(scope.title, scope.students, period, today=today).to_json()

    data = _kept(scope, period, DASHBOARD, build, force=force)
    return dash.Dashboard.from_json(data)


def table_for(scope: Scope, period: Period, breakdown: str, *, force: bool = False) -> dash.Table:
    def build() -> dict[str, Any]:
        table = dash.breakdown_table(scope.students, period, breakdown)
        return {"headings": table.headings, "rows": table.rows, "total": table.total}

    data = _kept(scope, period, f"tabel:{breakdown}", build, force=force)
    return dash.Table(**data)


def levels_for(
    scope: Scope, period: Period, *, force: bool = False
) -> tuple[dict[str, int], datetime | None]:
    """The start page's count per level (`overview.levels`) and when it was computed."""
    return _kept_at(scope, period, LEVELS, lambda: overview.levels(scope, period), force=force)


def overview_for(
    scope: Scope, period: Period, *, force: bool = False
) -> tuple[dict[str, Any], datetime | None]:
    """The municipal overview's counts (`overview.municipal`) and when they were computed."""
    today = timezone.localdate()
    return _kept_at(
        scope, period, OVERVIEW, lambda: overview.municipal(scope, period, today), force=force
    )


def computed_at(scope: Scope, period: Period) -> Any:
    return (
        MonitorSnapshot.objects.filter(
            scope=scope.key,
            period=period.code,
            kind=DASHBOARD,
            **{f"data__{METHOD_KEY}": METHOD_VERSION},
        )
        .values_list("computed_at", flat=True)
        .first()
    )


def all_scopes() -> Iterator[Scope]:
    """Every population someone may look at: each municipality and RMC region where students
    live, and each institution."""
    lived = Student.objects.values_list("residence_municipality", flat=True).distinct()
    for municipality in Municipality.objects.filter(pk__in=lived).select_related("rmc_region"):
        yield municipality_scope(municipality)
    for region in RmcRegion.objects.filter(municipalities__pk__in=lived).distinct():
        yield region_scope(region)
    for institution in Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION):
        yield institution_scope(institution)


def current_periods(today: date) -> list[Period]:
    """The running and the previous school year with their semesters (months are not
    published: decision 0020)."""
    year = school_year_of(today)
    found = []
    for y in (year, previous(year)):
        found += [y, parse_period(f"{y.code}-S1"), parse_period(f"{y.code}-S2")]
    return [p for p in found if p.start <= today]


def refresh(scope: Scope, period: Period) -> None:
    """Compute the population's dashboard and every breakdown for the period, and keep them;
    for the running school year also the start page's counts and, of a municipality, the
    municipal overview."""
    dashboard_for(scope, period, force=True)
    for breakdown in BREAKDOWNS:
        table_for(scope, period, breakdown, force=True)
    if period.code == running_school_year(timezone.localdate()).code:
        levels_for(scope, period, force=True)
        if scope.key.startswith("gemeente:"):
            overview_for(scope, period, force=True)


def warm_monitor(progress: Callable[[str], None] | None = None) -> int:
    """Build what the people with a monitor see: their populations' dashboards and tables
    for the running school year and semester; `progress` gets a line after each."""
    started = time.monotonic()
    today = timezone.localdate()
    periods = [p for p in current_periods(today) if p.contains(today)]
    users = User.objects.filter(memberships__role__in=AGGREGATE_ROLES, is_active=True).distinct()
    scopes = {scope.key: scope for user in users for scope in monitor_scopes(user)}
    for scope in scopes.values():
        for period in periods:
            refresh(scope, period)
            if progress is not None:
                progress(f"  [{time.monotonic() - started:4.0f} s] {scope.title}, {period.code}")
    return len(scopes) * len(periods)


def refresh_all(periods: list[Period] | None = None) -> int:
    """Rebuild every population's dashboard and tables for the periods; how many were built."""
    built = 0
    for scope in all_scopes():
        for period in periods or current_periods(timezone.localdate()):
            refresh(scope, period)
            built += 1
    return built


class ScopeNotFound(ValueError):
    pass


def scope_by_code(*, municipality: str | None = None, region: str | None = None) -> Scope:
    """A municipality's residents by CBS code, or an RMC region's by its code (for the CLI)."""
    if bool(municipality) == bool(region):
        raise ScopeNotFound(_("Kies één gemeente (--municipality) of één regio (--region)."))
    if municipality:
        found = Municipality.objects.filter(cbs_code__iexact=municipality.strip()).first()
        if found is None:
            raise ScopeNotFound(
                _("Onbekende gemeentecode '%(code)s' (bijvoorbeeld GM0153).")
                % {"code": municipality}
            )
        return municipality_scope(found)
    assert region is not None  # noqa: S101
    found_region = RmcRegion.objects.filter(code__iexact=region.strip()).first()
    if found_region is None:
        raise ScopeNotFound(
            _("Onbekende RMC-regiocode '%(code)s' (bijvoorbeeld MC12).") % {"code": region}
        )
    return region_scope(found_region)


REPORT_BREAKDOWNS = ("locatie", "niveau", "gemeente")


def report_pdf(scope: Scope, period: Period, *, generated: datetime) -> bytes:
    """The governance report of the population over the period, from the kept figures."""
    dashboard = dashboard_for(scope, period)
    tables = [
        (
            _("Uitgesplitst naar %(breakdown)s") % {"breakdown": str(BREAKDOWNS[b][0]).lower()},
            table_for(scope, period, b),
        )
        for b in REPORT_BREAKDOWNS
    ]
    return report.render(dashboard, generated=generated, breakdowns=tables)
