"""Signalling jobs (each safe to re-run) and the absence import in the background.

Jobs call services; services never import this module.
"""

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind

from .daily import (
    daily_signals_compute,
    morning_run_start,
    morning_runs_resume,
    morning_shard_run,
)
from .import_resume import import_job_claim, import_jobs_resume
from .importer import absence_import_job_create, absence_import_job_run
from .models import AbsenceImportJob
from .morning_run import morning_run_figures_refresh
from .partitions import is_partitioned, partitions_ensure
from .quality import quality_compute
from .triage import escalate_stale_concerns


@db_periodic_task(crontab(hour="6", minute="30"))
def compute_signals_every_morning() -> int:
    """Statutory reports and early warnings for every institution, before school starts: one
    morning run per institution, its shards spread over every worker of the queue. Returns
    how many shards were handed out."""
    today = timezone.localdate()
    handed_out = 0
    for institution in Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION):
        _run, shards = morning_run_start(institution=institution, today=today)
        for shard_id in shards:
            compute_morning_shard(shard_id)
        handed_out += len(shards)
    return handed_out


# A shard that raises (the database went away, a deadlock) is tried again at once; one whose
# worker was killed is handed out again by `resume_morning_runs`.
@db_task(retries=2)
def compute_morning_shard(shard_id: int) -> None:
    finished = morning_shard_run(shard_id=shard_id)
    if finished is not None:
        morning_run_figures_refresh(run=finished)


@db_periodic_task(crontab(minute="*"))
def resume_morning_runs() -> int:
    """Every minute: hand out again the shards whose worker died, refresh the figures of a
    run whose last task died before it could."""
    shards, unrefreshed = morning_runs_resume()
    for shard_id in shards:
        compute_morning_shard(shard_id)
    for run in unrefreshed:
        morning_run_figures_refresh(run=run)
    return len(shards)


@db_periodic_task(crontab(hour="7", minute="0"))
def escalate_concerns_without_follow_up() -> int:
    return escalate_stale_concerns(today=timezone.localdate())


@db_task()
def run_absence_import(job_id: int) -> None:
    with import_job_claim(job_id) as mine:
        if mine:  # else another worker is running it right now
            absence_import_job_run(job_id)


@db_periodic_task(crontab(minute="*"))
def resume_absence_imports() -> int:
    """Every minute: run again the absence imports whose worker died (kill -9, a machine
    gone); nothing of theirs was saved, so each is saved exactly once."""
    again = import_jobs_resume()
    for job_id in again:
        run_absence_import(job_id)
    return len(again)


@db_task()
def compute_signals_after_absence(institution_id: int) -> None:
    """New absence came in over the API: today's reports and early warnings for the
    institution now, as after an import job, not at the next morning run."""
    daily_signals_compute(
        institution=Organisation.objects.get(pk=institution_id), today=timezone.localdate()
    )


def absence_import_job_start(
    *, actor: User, institution: Organisation, filename: str, data: bytes
) -> AbsenceImportJob:
    """Keep the file and hand it to the worker once committed; the screen follows its progress."""
    job = absence_import_job_create(
        actor=actor, institution=institution, filename=filename, data=data
    )
    transaction.on_commit(partial(run_absence_import, job.pk))
    return job


@db_task()
def run_quality_compute(institution_id: int, start: str, end: str) -> None:
    quality_compute(
        institution=Organisation.objects.get(pk=institution_id),
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
    )


@db_periodic_task(crontab(month="7", day="1", hour="3", minute="0"))
def make_next_school_years_absence_partition() -> list[str]:
    """The coming school year's absence partition, a month before 1 August (PostgreSQL;
    nothing to do on SQLite or an unpartitioned table)."""
    if not is_partitioned():
        return []
    return partitions_ensure(today=timezone.localdate())
