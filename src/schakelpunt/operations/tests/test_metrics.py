"""Prometheus' scrape at /metrics: who may read it and what an operator finds in it."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from schakelpunt.accounts.tests.factories import OrganisationFactory, UserFactory
from schakelpunt.operations import tasks
from schakelpunt.signals.models import AbsenceImportJob, ImportStatus, MorningRun, MorningRunStatus

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    return response.content.decode()


def value(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in the scrape"
    return float(match.group(1))


def test_metrics_are_a_404_for_anyone_but_the_allowed_addresses_or_the_token(client):
    elsewhere = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics", **elsewhere).status_code == 404
    with override_settings(METRICS_TOKEN="s3cret-scrape-token"):
        bearer = {"HTTP_AUTHORIZATION": "Bearer s3cret-scrape-token"}
        assert client.get("/metrics", **elsewhere, **bearer).status_code == 200
        wrong = {"HTTP_AUTHORIZATION": "Bearer s3cret-scrape-tokeN"}
        assert client.get("/metrics", **elsewhere, **wrong).status_code == 404
    with override_settings(METRICS_TOKEN=""):  # no token set: "Bearer " opens nothing
        assert client.get("/metrics", **elsewhere, HTTP_AUTHORIZATION="Bearer ").status_code == 404
    with override_settings(METRICS_ALLOWED_IPS=["10.1.2.3"]):
        assert "django_http_requests" in scrape(client, **elsewhere)


def test_requests_are_counted_by_view(client):
    client.get("/health/live/")
    assert 'view="operations:live"' in scrape(client)


def test_a_job_waiting_in_the_queue_shows_as_pending(client):
    assert value(scrape(client), "schakelpunt_task_queue_pending") == 0
    # Put it in the queue without running it (the tests run jobs at once).
    HUEY.storage.enqueue(HUEY.serialize_task(tasks.queue_heartbeat.s()))
    try:
        assert value(scrape(client), "schakelpunt_task_queue_pending") == 1
    finally:
        HUEY.storage.flush_queue()


def test_every_job_run_is_timed_by_its_name(client):
    name = 'schakelpunt_task_duration_seconds_count{outcome="complete",task="queue_heartbeat"}'
    before = value(scrape(client), name) if name in scrape(client) else 0
    tasks.queue_heartbeat()
    assert value(scrape(client), name) == before + 1


def test_the_last_absence_import_speed_and_each_institutions_morning_run_by_id(client):
    school = OrganisationFactory(name="ROC Geheime Naam")
    finished = timezone.now() - timedelta(hours=1)
    AbsenceImportJob.objects.create(
        institution=school,
        uploaded_by=UserFactory(),
        filename="verzuim.csv",
        status=ImportStatus.DONE,
        total=2_000,
        done=2_000,
        started_at=finished - timedelta(seconds=8),
        finished_at=finished,
    )
    for took, day in ((timedelta(minutes=4), 2), (timedelta(seconds=90), 1)):
        end = timezone.now() - timedelta(days=day)
        MorningRun.objects.create(
            institution=school,
            day=end.date(),
            status=MorningRunStatus.DONE,
            started_at=end - took,
            finished_at=end,
        )

    text = scrape(client)

    assert value(text, "schakelpunt_absence_import_rows_per_second") == 250.0
    assert value(text, f'schakelpunt_morning_run_seconds{{institution="{school.pk}"}}') == 90.0
    assert "Geheime" not in text


@pytest.fixture(scope="module")
def two_worker_processes(tmp_path_factory) -> Path:
    """Two processes run a job each, writing to the shared PROMETHEUS_MULTIPROC_DIR."""
    directory = tmp_path_factory.mktemp("prometheus")
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.test",
    }
    env["PYTHONPATH"] = os.pathsep.join([str(settings.SRC_DIR.parent), env.get("PYTHONPATH", "")])
    code = (
        "import django; django.setup(); "
        "from schakelpunt.operations import tasks; tasks.queue_heartbeat()"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", code], env=env)  # noqa: S603
        for _ in range(2)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    return directory


@pytest.mark.slow
def test_a_scrape_adds_up_the_jobs_of_every_worker_process(
    client, two_worker_processes, monkeypatch
):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(two_worker_processes))
    text = scrape(client)
    name = 'schakelpunt_task_duration_seconds_count{outcome="complete",task="queue_heartbeat"}'
    assert value(text, name) == 2


SHARED_REDIS = os.environ.get("METRICS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


@pytest.fixture
def shared_redis():
    """The task queue's Redis, emptied of job figures before and after; required in CI."""
    import redis

    from schakelpunt.operations.job_metrics import REDIS_KEY

    store = redis.Redis.from_url(SHARED_REDIS, socket_timeout=2)
    try:
        store.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (CI has one)")
    store.delete(REDIS_KEY)
    with override_settings(REDIS_URL=SHARED_REDIS):
        yield store
    store.delete(REDIS_KEY)


def test_with_redis_jobs_are_counted_there_once_in_the_scrape(client, shared_redis):
    tasks.queue_heartbeat()
    tasks.queue_heartbeat()
    text = scrape(client)
    name = 'schakelpunt_task_duration_seconds_count{outcome="complete",task="queue_heartbeat"}'
    assert value(text, name) == 2
    bucket = (
        'schakelpunt_task_duration_seconds_bucket{le="+Inf",outcome="complete",'
        'task="queue_heartbeat"}'
    )
    assert value(text, bucket) == 2
    assert text.count("# TYPE schakelpunt_task_duration_seconds histogram") == 1


@pytest.mark.slow
def test_workers_in_other_containers_add_up_in_the_web_scrape(client, shared_redis, tmp_path):
    """Two worker processes, each with its own metric directory as in its own container (or
    on another machine), run a job each; the web's scrape, with no directory of theirs,
    shows both."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.test"}
    env["PYTHONPATH"] = os.pathsep.join([str(settings.SRC_DIR.parent), env.get("PYTHONPATH", "")])
    env["REDIS_URL"] = SHARED_REDIS
    code = (
        "import django; django.setup(); "
        "from schakelpunt.operations import tasks; tasks.queue_heartbeat()"
    )
    workers = []
    for n in range(2):
        (tmp_path / f"container{n}").mkdir()
        container = {**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"container{n}")}
        workers.append(subprocess.Popen([sys.executable, "-c", code], env=container))  # noqa: S603
    assert [w.wait(timeout=120) for w in workers] == [0, 0]

    name = 'schakelpunt_task_duration_seconds_count{outcome="complete",task="queue_heartbeat"}'
    assert value(scrape(client), name) == 2
