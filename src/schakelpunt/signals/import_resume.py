"""An absence import whose worker died (kill -9, a machine gone) is started again.

Huey takes a task off the queue before running it, so a killed worker takes its job along and
nothing would run it again: the upload would wait "Regels controleren" forever. The job's row
keeps the file until the import ends, and the import is one transaction that a dead worker
leaves rolled back, so running it again saves everything exactly once.

Only one process runs a job at a time: the worker claims it. On PostgreSQL the claim is a
session advisory lock, which the server lets go when the worker's connection dies, on any
machine; on SQLite (one machine) it is the worker's process id, checked for life. Every minute
`import_jobs_resume` hands out again the unfinished jobs nobody holds; after `MAX_RESUMES`
tries the job fails with a message instead of trying forever.
"""

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from .models import AbsenceImportJob, ImportStatus

logger = logging.getLogger(__name__)

# PostgreSQL advisory lock class: "absence import job <id> is being run".
_JOB_LOCK = 0x53504A42
# A job younger than this is left alone (its task may still be on its way to a worker).
STALL_AFTER = timedelta(minutes=2)
MAX_RESUMES = 3
GAVE_UP = (
    "Het inlezen is {n} keer afgebroken doordat de achtergrondverwerking stopte; er is niets "
    "opgeslagen. Lees het bestand opnieuw in of neem contact op met de functioneel beheerder."
)


def _this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _try_lock(job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_JOB_LOCK, job_id])
        return bool(cursor.fetchone()[0])


def _unlock(job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_JOB_LOCK, job_id])


@contextmanager
def import_job_claim(job_id: int) -> Iterator[bool]:
    """Hold the job while it runs: yields True when this process has it, False when another
    process is running it (then leave it alone)."""
    if _postgres():
        if not _try_lock(job_id):
            yield False
            return
        try:
            AbsenceImportJob.objects.filter(pk=job_id).update(worker=_this_worker())
            yield True
        finally:
            _unlock(job_id)
        return
    # SQLite: one machine. Claim unless a living process of this machine has it.
    job = AbsenceImportJob.objects.filter(pk=job_id).only("worker").first()
    if job is None or _alive(job.worker):
        yield False
        return
    AbsenceImportJob.objects.filter(pk=job_id).update(worker=_this_worker())
    yield True


def _alive(worker: str) -> bool:
    """Whether the process that claimed a job on this machine still runs."""
    host, _, pid = worker.rpartition(":")
    if not pid.isdigit() or host != socket.gethostname():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _held_elsewhere(job: AbsenceImportJob) -> bool:
    if _postgres():
        if not _try_lock(job.pk):
            return True
        _unlock(job.pk)
        return False
    return job.worker != _this_worker() and _alive(job.worker)


def import_jobs_resume() -> list[int]:
    """The unfinished jobs that no living worker holds, to be handed out again; jobs already
    tried `MAX_RESUMES` times are marked failed (nothing of them was saved)."""
    now = timezone.now()
    waiting = (
        AbsenceImportJob.objects.exclude(status__in=[ImportStatus.DONE, ImportStatus.FAILED])
        .filter(started_at__lt=now - STALL_AFTER)
        .filter(Q(resumed_at__isnull=True) | Q(resumed_at__lt=now - STALL_AFTER))
        .only("pk", "worker", "resumes", "status", "started_at")
    )
    again = []
    for job in waiting:
        never_picked_up = job.status == ImportStatus.QUEUED and not job.worker
        if never_picked_up and job.resumes == 0 and job.started_at >= now - 2 * STALL_AFTER:
            # Its task may be waiting behind others: hand it out only after a second period,
            # so a busy queue doesn't fill with copies.
            continue
        if _held_elsewhere(job):
            continue
        if job.resumes >= MAX_RESUMES:
            AbsenceImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED,
                errors=[GAVE_UP.format(n=job.resumes)],
                data=b"",
                finished_at=now,
            )
            logger.warning("absence import %s given up after %s resumes", job.pk, job.resumes)
            continue
        AbsenceImportJob.objects.filter(pk=job.pk).update(resumes=F("resumes") + 1, resumed_at=now)
        logger.warning("absence import %s resumed: its worker is gone", job.pk)
        again.append(job.pk)
    return again
