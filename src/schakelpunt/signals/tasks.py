"""Daily signalling jobs; each is safe to re-run."""

from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.roles import OrganisationKind

from .daily import daily_signals_compute
from .importer import absence_import_job_run
from .quality import quality_compute
from .triage import escalate_stale_concerns


@db_periodic_task(crontab(hour="6", minute="30"))
def compute_signals_every_morning() -> int:
    """Statutory reports and early warnings for every institution, before school starts."""
    today = timezone.localdate()
    flagged = 0
    for institution in Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION):
        flagged += daily_signals_compute(institution=institution, today=today).flagged
    return flagged


@db_periodic_task(crontab(hour="7", minute="0"))
def escalate_concerns_without_follow_up() -> int:
    return escalate_stale_concerns(today=timezone.localdate())


@db_task()
def run_absence_import(job_id: int) -> None:
    absence_import_job_run(job_id)


@db_task()
def run_quality_compute(institution_id: int, start: str, end: str) -> None:
    quality_compute(
        institution=Organisation.objects.get(pk=institution_id),
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
    )
