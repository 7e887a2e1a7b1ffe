"""The morning run on the task queue: one run per institution, split into shards of students
that any worker computes and writes; done once every shard is, then the monitor figures."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from schakelpunt.access.policy import institution_scope
from schakelpunt.monitor.models import MonitorSnapshot
from schakelpunt.signals import daily
from schakelpunt.signals.daily import (
    LAST_ID,
    daily_signals_compute,
    morning_compute,
    morning_load,
    morning_run_start,
    morning_runs_resume,
    shard_bounds,
)
from schakelpunt.signals.models import (
    AbsenceReport,
    Concern,
    EarlyWarning,
    MorningRun,
    MorningRunShard,
    MorningRunStatus,
)
from schakelpunt.signals.tasks import (
    compute_morning_shard,
    compute_signals_every_morning,
    resume_morning_runs,
)
from schakelpunt.signals.tests.test_daily import TODAY, varied_absence


@examples(deadline=None)  # a pure function; the shared machine's load is no failure
@given(
    ids=st.lists(st.integers(min_value=1, max_value=2**40), unique=True, max_size=300).map(sorted),
    size=st.integers(min_value=1, max_value=50),
    later=st.integers(min_value=1, max_value=2**40),
)
def test_shards_cover_every_student_exactly_once(ids, size, later):
    """Whatever the ids (gaps, other schools' students in between): each student is in exactly
    one shard, no shard holds more than `size`, and a student added after the split is in one."""
    bounds = shard_bounds(ids, size)
    for student_id in ids:
        assert sum(first <= student_id <= last for first, last in bounds) == 1
    for first, last in bounds:
        assert sum(first <= i <= last for i in ids) <= size
    if ids:
        new = max(ids) + later
        assert sum(first <= new <= last for first, last in bounds) == 1
        assert bounds[-1][1] == LAST_ID
    else:
        assert bounds == []


def signals_state(roc):  # type: ignore[no-untyped-def]
    """What a coordinator sees after a run: reports, early warnings, open triage signals."""
    return (
        sorted(
            AbsenceReport.objects.filter(student__institution=roc).values_list(
                "student_id", "kind", "start_date", "threshold_on", "end_date", "unauthorised_hours"
            )
        ),
        sorted(
            EarlyWarning.objects.filter(student__institution=roc).values_list(
                "student_id", "flagged", "factors"
            )
        ),
        sorted(
            Concern.objects.filter(student__institution=roc, source="early_warning")
            .exclude(status="closed")
            .values_list("student_id", "factors")
        ),
    )


def institution_figures(roc):  # type: ignore[no-untyped-def]
    return MonitorSnapshot.objects.filter(scope=institution_scope(roc).key)


@pytest.fixture
def small_shards(settings):  # type: ignore[no-untyped-def]
    settings.MORNING_RUN_SHARD_SIZE = 4


def test_the_morning_task_spreads_shards_and_gives_the_single_process_results(school, small_shards):
    """The periodic task records a run, hands out its shards (run inline in immediate mode)
    and finishes it: the same reports, warnings and signals as one process over all students,
    and the monitor figures are kept."""
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    alone = morning_compute(morning_load(roc, TODAY))
    with time_machine.travel(TODAY):
        compute_signals_every_morning.call_local()
    run = MorningRun.objects.get(institution=roc)
    assert (run.status, run.shards, run.shards_done, run.cohort_size) == ("done", 7, 7, 26)
    assert run.flagged == sum(1 for _, flagged, _ in alone.warnings if flagged) > 0
    assert run.finished_at is not None and run.figures_refreshed_at is not None
    assert institution_figures(roc).exists()
    sharded = signals_state(roc)
    AbsenceReport.objects.all().delete()
    EarlyWarning.objects.all().delete()
    Concern.objects.all().delete()
    daily_signals_compute(institution=roc, today=TODAY, shard_size=1000)  # one shard
    assert signals_state(roc) == sharded
    assert len(sharded[0]) == len(alone.reports) and sharded[2]


def test_a_shard_run_twice_changes_nothing_and_the_figures_refresh_once_per_run(school):
    """A shard handed out twice (a retry, or a worker thought lost) writes the same results
    again: no second report, one open signal; the run counts it once and the monitor figures
    are built only when the last shard is done, once."""
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    run, shards = morning_run_start(institution=roc, today=TODAY, shard_size=5)
    assert len(shards) == 6
    for shard_id in shards[:-1]:
        compute_morning_shard.call_local(shard_id)
        compute_morning_shard.call_local(shard_id)
    run.refresh_from_db()
    assert (run.status, run.shards_done) == ("running", 5)
    assert not institution_figures(roc).exists()  # not per shard
    compute_morning_shard.call_local(shards[-1])
    run.refresh_from_db()
    assert (run.status, run.shards_done) == ("done", 6)
    built = list(institution_figures(roc).values_list("pk", "computed_at"))
    assert built
    compute_morning_shard.call_local(shards[-1])
    compute_morning_shard.call_local(shards[0])
    run.refresh_from_db()
    assert run.shards_done == 6
    assert list(institution_figures(roc).values_list("pk", "computed_at")) == built
    reports, _warnings, open_signals = signals_state(roc)
    assert len(reports) == len(set(reports))
    students = [student_id for student_id, _ in open_signals]
    assert len(students) == len(set(students))


def test_started_again_the_same_day_the_run_continues_and_reports_stay_single(school):
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    run, shards = morning_run_start(institution=roc, today=TODAY, shard_size=10)
    compute_morning_shard.call_local(shards[0])
    again, open_shards = morning_run_start(institution=roc, today=TODAY, shard_size=10)
    assert again.pk == run.pk and open_shards == shards[1:]
    for shard_id in open_shards:
        compute_morning_shard.call_local(shard_id)
    first = signals_state(roc)
    assert MorningRun.objects.get(pk=run.pk).status == MorningRunStatus.DONE
    # Once done, a new run for the same day computes again and changes nothing.
    later, later_shards = morning_run_start(institution=roc, today=TODAY, shard_size=10)
    assert later.pk != run.pk
    for shard_id in later_shards:
        compute_morning_shard.call_local(shard_id)
    assert signals_state(roc) == first


def test_a_shard_whose_task_fails_is_retried_and_completes_the_run(school, monkeypatch):
    """The database drops the connection during one shard: huey tries the task again and the
    run finishes with every shard done once."""
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    compute = daily._share_compute
    failures = []

    def drop_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return compute(*args, **kwargs)

    monkeypatch.setattr(daily, "_share_compute", drop_once)
    run, shards = morning_run_start(institution=roc, today=TODAY, shard_size=10)
    for shard_id in shards:
        compute_morning_shard(shard_id)  # enqueued: huey (immediate here) runs and retries
    run.refresh_from_db()
    assert failures and run.status == "done" and run.shards_done == run.shards == 3
    assert list(MorningRunShard.objects.filter(run=run).values_list("attempts", flat=True)) == [
        2,
        1,
        1,
    ]
    assert run.figures_refreshed_at is not None


def test_shards_lost_with_their_worker_are_handed_out_again(school):
    """Shards handed out but never done (the worker was killed, the queue lost them): after the
    lease the every-minute task hands them out again and the run completes; a shard that keeps
    failing makes the run count as failed instead of running forever."""
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    run, shards = morning_run_start(institution=roc, today=TODAY, shard_size=10)
    compute_morning_shard.call_local(shards[0])  # the others were lost
    assert morning_runs_resume() == ([], [])  # not yet: they may still be on the queue
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert resume_morning_runs.call_local() == 2
    run.refresh_from_db()
    assert (run.status, run.shards_done) == ("done", 3)
    assert run.figures_refreshed_at is not None

    stuck, stuck_shards = morning_run_start(institution=roc, today=TODAY, shard_size=30)
    MorningRunShard.objects.filter(pk__in=stuck_shards).update(attempts=daily.SHARD_ATTEMPTS)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert morning_runs_resume()[0] == []
    stuck.refresh_from_db()
    assert stuck.status == MorningRunStatus.FAILED


def test_the_compute_command_runs_the_shards_in_its_own_process(school, capsys):
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    call_command("signals", "compute", "--date", TODAY.isoformat())
    run = MorningRun.objects.get(institution=roc)
    assert (run.status, run.shards_done) == ("done", run.shards)
    assert run.figures_refreshed_at is not None
    out = capsys.readouterr().out
    assert f"{roc}: 26 studenten, {run.flagged} gesignaleerd" in out
