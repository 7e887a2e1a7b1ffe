"""The morning run with real huey workers (Redis) on PostgreSQL: the workers are killed with
SIGKILL while shards are in flight, a new worker takes over, and the run still completes once
with the same results as one process."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from huey import RedisHuey
from huey.contrib.djhuey import HUEY

from schakelpunt.signals.daily import morning_compute, morning_load, morning_run_start
from schakelpunt.signals.daily import morning_runs_resume as lost_shards
from schakelpunt.signals.models import MorningRun, MorningRunShard
from schakelpunt.signals.tasks import compute_morning_shard
from schakelpunt.signals.tests.test_daily import TODAY, varied_absence
from schakelpunt.signals.tests.test_morning_run import signals_state

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="workers in other processes need PostgreSQL"
    ),
]
REDIS = os.environ.get("MORNING_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def worker() -> subprocess.Popen[bytes]:
    """`schakelpunt run_huey` as in production: one thread, no periodic tasks, this test's
    database and queue."""
    db = connection.settings_dict
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env |= {
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
        "SECRET_KEY": "test-only-secret-key-not-for-use-anywhere-else-0123456789",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS,
        "HUEY_IMMEDIATE": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "schakelpunt", "run_huey", "-w", "1", "-k", "thread", "-n", "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the morning run did not get there in time"
        time.sleep(0.2)


def test_workers_killed_mid_run_and_the_run_completes_exactly_once(school):
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    alone = morning_compute(morning_load(roc, TODAY))
    queue = RedisHuey("schakelpunt", url=REDIS)
    queue._registry = HUEY._registry  # the same task names as the workers'
    queue.flush()
    run, shards = morning_run_start(institution=roc, today=TODAY, shard_size=1)
    first = [worker(), worker()]
    second: list[subprocess.Popen[bytes]] = []
    try:
        for shard_id in shards:
            queue.enqueue(compute_morning_shard.s(shard_id))
        in_flight = MorningRunShard.objects.filter(run=run, attempts=1, done_at__isnull=True)
        wait_for(lambda: MorningRun.objects.get(pk=run.pk).shards_done >= 3 and in_flight.exists())
        for process in first:
            process.send_signal(signal.SIGKILL)
            process.wait()
        lost = set(in_flight.values_list("pk", flat=True))
        assert MorningRun.objects.get(pk=run.pk).status == "running"
        second = [worker()]

        def done() -> bool:
            # What the every-minute task does, with a lease of a few seconds.
            for shard_id in lost_shards(lease=timedelta(seconds=3))[0]:
                queue.enqueue(compute_morning_shard.s(shard_id))
            now = MorningRun.objects.get(pk=run.pk)
            return now.status == "failed" or now.figures_refreshed_at is not None

        wait_for(done)
    finally:
        for process in first + second:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
        queue.flush()
    run.refresh_from_db()
    assert (run.status, run.shards_done, run.shards) == ("done", len(shards), len(shards))
    assert run.figures_refreshed_at is not None
    # A shard killed in flight (nearly always one) was done again by the new worker.
    attempts = dict(MorningRunShard.objects.filter(pk__in=lost).values_list("pk", "attempts"))
    assert all(n >= 2 for n in attempts.values())
    assert not MorningRunShard.objects.filter(run=run, done_at__isnull=True).exists()
    reports, _warnings, open_signals = signals_state(roc)
    assert reports == sorted(r[:6] for r in alone.reports)
    assert len(open_signals) == len({student_id for student_id, _ in open_signals})
