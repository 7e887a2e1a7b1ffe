"""The morning run as a whole: run in this process, and what follows once it is done."""

from datetime import date

from django.utils import timezone

from schakelpunt.access.policy import institution_scope, municipality_scope, region_scope
from schakelpunt.accounts.models import Organisation
from schakelpunt.monitor.snapshots import current_periods, refresh
from schakelpunt.refdata.models import Municipality, RmcRegion
from schakelpunt.students.models import Student

from .daily import DailyRun, morning_run_start, morning_shard_run
from .models import MorningRun


def morning_run_figures_refresh(*, run: MorningRun) -> None:
    """The kept monitor figures that a finished morning run changes: the institution's and
    those of the municipalities (and their RMC regions) where its students live, for the
    periods running on the run's day. Once per run, by the task that finished it."""
    institution = Organisation.objects.get(pk=run.institution_id)
    lived = Student.objects.filter(institution=institution).values("residence_municipality")
    scopes = [institution_scope(institution)]
    municipalities = Municipality.objects.filter(pk__in=lived).select_related("rmc_region")
    scopes += [municipality_scope(municipality) for municipality in municipalities]
    regions = RmcRegion.objects.filter(municipalities__pk__in=lived).distinct()
    scopes += [region_scope(region) for region in regions]
    periods = [p for p in current_periods(run.day) if p.contains(run.day)]
    for scope in scopes:
        for period in periods:
            refresh(scope, period)
    MorningRun.objects.filter(pk=run.pk).update(figures_refreshed_at=timezone.now())


def morning_run_inline(*, institution: Organisation, today: date) -> DailyRun:
    """The morning run in this process (`schakelpunt signals compute`): recorded like the
    queue's, its shards one after the other, then the monitor figures."""
    run, shards = morning_run_start(institution=institution, today=today)
    for shard_id in shards:
        if (finished := morning_shard_run(shard_id=shard_id)) is not None:
            morning_run_figures_refresh(run=finished)
    totals = DailyRun()
    for enrolled, flagged, reports, new_signals in run.parts.values_list(
        "enrolled_count", "flagged", "new_reports", "new_signals"
    ):
        totals.students += enrolled
        totals.flagged += flagged
        totals.reports += reports
        totals.new_signals += new_signals
    return totals
