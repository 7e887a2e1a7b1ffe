"""An absence upload whose worker was killed is run again by the minutely job and saved exactly
once; one that a living worker runs is left alone; after three tries it fails with a message.
(The load test, bench/load_test.py --kill, does this with real processes and kill -9.)"""

import socket
import subprocess
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from schakelpunt.signals import importer
from schakelpunt.signals.import_resume import _JOB_LOCK, MAX_RESUMES
from schakelpunt.signals.importer import absence_import_job_create
from schakelpunt.signals.models import AbsenceImportJob, AbsenceRecord, ImportStatus
from schakelpunt.signals.tasks import resume_absence_imports

from .test_absence import HEADER, MONDAY, row

FILE = (
    HEADER
    + "".join(row(n, MONDAY + timedelta(days=d), 4) for n in ("200", "201") for d in range(4))
).encode()


def _dead_pid() -> int:
    """The id of a process that has ended."""
    probe = subprocess.Popen(["true"])  # noqa: S607
    probe.wait()
    return probe.pid


def _stalled_job(
    school, *, minutes: int = 5, status: str = ImportStatus.CHECKING
) -> AbsenceImportJob:
    """A job as a killed worker leaves it: picked up, nothing saved, the file still there."""
    roc, admin, *_ = school
    job = absence_import_job_create(actor=admin, institution=roc, filename="verzuim.csv", data=FILE)
    AbsenceImportJob.objects.filter(pk=job.pk).update(
        status=status,
        worker=f"{socket.gethostname()}:{_dead_pid()}",
        started_at=timezone.now() - timedelta(minutes=minutes),
    )
    return job


@pytest.mark.django_db
def test_an_import_whose_worker_died_is_run_again_and_saved_once(school):
    job = _stalled_job(school)
    assert resume_absence_imports.call_local() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created, job.resumes) == (8, 1)
    assert bytes(job.data) == b""  # the file is dropped once saved
    assert AbsenceRecord.objects.count() == 8
    # Done: the next minute hands nothing out and saves nothing twice.
    assert resume_absence_imports.call_local() == 0
    assert AbsenceRecord.objects.count() == 8


class WorkerKilled(BaseException):
    """What a kill -9 is to the worker: nothing after it runs (not an Exception: no handler
    of the job's catches it)."""


@pytest.mark.django_db
@pytest.mark.parametrize("in_sql", [False, True], ids=["row checks", "COPY on PostgreSQL"])
def test_a_worker_killed_after_saving_leaves_a_job_that_says_what_it_saved(
    school, monkeypatch, in_sql
):
    """Killed after the rows were committed, while recomputing the signals: run again, the job
    does not import the file a second time (which would say 'nothing new'), it recomputes the
    signals and keeps the first run's counts."""
    roc, admin, *_ = school
    job = absence_import_job_create(actor=admin, institution=roc, filename="verzuim.csv", data=FILE)

    def killed(**_kwargs: object) -> None:
        raise WorkerKilled

    monkeypatch.setattr(importer, "daily_signals_compute", killed)
    if in_sql:  # this small file the way a large one goes (PostgreSQL only)
        monkeypatch.setattr(importer, "COPY_FROM_BYTES", 1)
    with pytest.raises(WorkerKilled):
        importer.absence_import_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.done, job.total) == (ImportStatus.SIGNALS, 8, 8, 8)
    assert bytes(job.data) == b""
    assert AbsenceRecord.objects.count() == 8

    monkeypatch.undo()
    AbsenceImportJob.objects.filter(pk=job.pk).update(
        worker=f"{socket.gethostname()}:{_dead_pid()}",
        started_at=timezone.now() - timedelta(minutes=5),
    )
    assert resume_absence_imports.call_local() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created, job.replaced, job.unchanged, job.resumes) == (8, 0, 0, 1)
    assert AbsenceRecord.objects.count() == 8


@pytest.mark.django_db
def test_a_young_or_finished_job_is_left_alone(school):
    young = _stalled_job(school, minutes=1)
    queued = _stalled_job(school, minutes=3, status=ImportStatus.QUEUED)
    AbsenceImportJob.objects.filter(pk=queued.pk).update(worker="")
    assert resume_absence_imports.call_local() == 0
    assert set(AbsenceImportJob.objects.values_list("status", flat=True)) == {
        ImportStatus.CHECKING,
        ImportStatus.QUEUED,
    }
    assert young.pk and not AbsenceRecord.objects.exists()


@pytest.mark.django_db
def test_after_three_tries_the_job_fails_with_a_dutch_message_and_saves_nothing(school):
    job = _stalled_job(school)
    AbsenceImportJob.objects.filter(pk=job.pk).update(resumes=MAX_RESUMES)
    assert resume_absence_imports.call_local() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "3 keer afgebroken" in job.errors[0] and "niets opgeslagen" in job.errors[0]
    assert not AbsenceRecord.objects.exists()


@pytest.mark.django_db
def test_a_job_a_living_worker_runs_is_not_started_twice(school):
    job = _stalled_job(school)
    if connection.vendor == "postgresql":
        # Another worker (another connection, as on another machine) holds the job.
        settings = connection.settings_dict
        other = psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            dbname=settings["NAME"],
            autocommit=True,
        )
        other.execute("SELECT pg_advisory_lock(%s, %s)", [_JOB_LOCK, job.pk])
        try:
            assert resume_absence_imports.call_local() == 0
        finally:
            other.close()
    else:
        worker = subprocess.Popen(["sleep", "30"])  # noqa: S607
        try:
            AbsenceImportJob.objects.filter(pk=job.pk).update(
                worker=f"{socket.gethostname()}:{worker.pid}"
            )
            assert resume_absence_imports.call_local() == 0
        finally:
            worker.kill()
            worker.wait()
    job.refresh_from_db()
    assert (job.status, job.resumes) == (ImportStatus.CHECKING, 0)
    assert not AbsenceRecord.objects.exists()
