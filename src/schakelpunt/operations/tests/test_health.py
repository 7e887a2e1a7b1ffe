"""The health endpoints a load balancer and a monitoring system poll (docs/operations.md)."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY

from schakelpunt.operations import health, tasks
from schakelpunt.operations.views import HealthView
from schakelpunt.signals.models import MorningRun, MorningRunStatus, SignalSettings
from schakelpunt.students.tests.factories import StudentFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
JSON = {"HTTP_ACCEPT": "application/json"}
# A Wednesday outside every school holiday.
SCHOOL_DAY = datetime(2025, 11, 26, 9, 0, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def _no_heartbeat_yet():
    HUEY.get(health.HEARTBEAT_KEY)  # get without peek: removes it
    cache.clear()  # no remembered /health/jobs/ answer from another test
    yield
    HUEY.get(health.HEARTBEAT_KEY)
    cache.clear()


def test_live_answers_without_login_or_dependencies(client):
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("no-store") or "no-cache" in response["Cache-Control"]
    )


@pytest.mark.django_db
def test_ready_reports_the_database_as_json_without_login(client):
    response = client.get("/health/ready/", **JSON)
    assert response.status_code == 200
    assert response.json() == {"Database(alias='default')": "OK"}


@pytest.mark.django_db
def test_ready_is_503_when_the_task_queues_redis_does_not_answer():
    def ready():
        view = HealthView.as_view(checks=health.ready_checks())
        return async_to_sync(view)(RequestFactory().get("/health/ready/", **JSON))

    with override_settings(REDIS_URL="redis://127.0.0.1:6379/5"):
        assert ready().status_code == 200
    with override_settings(REDIS_URL="redis://127.0.0.1:1/5"):  # nothing listens there
        response = ready()
    assert response.status_code == 503
    assert "Unavailable" in response.content.decode()


@pytest.mark.django_db
def test_jobs_fail_until_a_worker_runs_the_heartbeat_job(client):
    response = client.get("/health/jobs/", **JSON)
    assert response.status_code == 503
    assert "heartbeat" in response.json()["TaskQueueAge(max_age_minutes=10)"]

    tasks.queue_heartbeat()  # the every-minute job, run as the worker runs it
    assert client.get("/health/jobs/", **JSON).status_code == 200


@pytest.mark.django_db
def test_jobs_fail_when_the_heartbeat_is_older_than_the_configured_minutes(client):
    health.heartbeat_record(time.time() - 11 * 60)
    response = client.get("/health/jobs/", **JSON)
    assert response.status_code == 503
    assert "11 minutes ago" in response.json()["TaskQueueAge(max_age_minutes=10)"]
    with override_settings(HEALTH_QUEUE_MAX_AGE_MINUTES=15):
        assert client.get("/health/jobs/", **JSON).status_code == 200


@pytest.mark.django_db
def test_a_late_job_leaves_readiness_alone(client):
    health.heartbeat_record(time.time() - 60 * 60)
    assert client.get("/health/jobs/", **JSON).status_code == 503
    assert client.get("/health/ready/", **JSON).status_code == 200


def _morning_run(institution, *, finished_at, status=MorningRunStatus.DONE):
    return MorningRun.objects.create(
        institution=institution,
        day=finished_at.date(),
        status=status,
        started_at=finished_at - timedelta(minutes=3),
        finished_at=finished_at,
    )


@pytest.mark.django_db
def test_jobs_name_how_many_institutions_lack_todays_morning_run_not_which(
    client, refdata, time_machine
):
    late = StudentFactory().institution
    on_time = StudentFactory().institution
    time_machine.move_to(SCHOOL_DAY, tick=False)
    health.heartbeat_record()
    _morning_run(on_time, finished_at=SCHOOL_DAY - timedelta(hours=2))
    _morning_run(late, finished_at=SCHOOL_DAY - timedelta(days=1))  # yesterday's
    _morning_run(late, finished_at=SCHOOL_DAY - timedelta(hours=2), status=MorningRunStatus.FAILED)

    response = client.get("/health/jobs/", **JSON)

    assert response.status_code == 503
    assert response.json()["MorningRunToday()"] == (
        "Unavailable: 1 of 2 institutions have no finished morning run today"
    )
    assert late.name not in response.content.decode()
    _morning_run(late, finished_at=SCHOOL_DAY - timedelta(minutes=5))
    time_machine.shift(health.JOBS_CACHE_SECONDS + 1)  # the remembered answer has expired
    assert client.get("/health/jobs/", **JSON).status_code == 200


@pytest.mark.django_db
def test_a_flood_of_job_checks_asks_the_database_once_per_window(client, refdata, time_machine):
    on_time = StudentFactory().institution
    time_machine.move_to(SCHOOL_DAY, tick=False)
    health.heartbeat_record()
    _morning_run(on_time, finished_at=SCHOOL_DAY - timedelta(hours=2))
    with CaptureQueriesContext(connection) as first:
        assert client.get("/health/jobs/", **JSON).status_code == 200
    assert any("students_student" in query["sql"] for query in first.captured_queries)
    StudentFactory()  # an institution whose morning run has not run: a late job

    time_machine.shift(health.JOBS_CACHE_SECONDS - 1)
    for _ in range(3):
        with CaptureQueriesContext(connection) as again:
            assert client.get("/health/jobs/", **JSON).status_code == 200
        assert again.captured_queries == []

    time_machine.shift(2)  # past the window: the late morning run shows
    response = client.get("/health/jobs/", **JSON)
    assert response.status_code == 503
    assert response.json()["MorningRunToday()"] == (
        "Unavailable: 1 of 2 institutions have no finished morning run today"
    )


@pytest.mark.django_db
def test_a_stopped_queue_shows_at_once_within_the_window(client, refdata, time_machine):
    time_machine.move_to(SCHOOL_DAY, tick=False)
    health.heartbeat_record()
    assert client.get("/health/jobs/", **JSON).status_code == 200

    health.heartbeat_record(time.time() - 11 * 60)  # the workers stopped 11 minutes ago
    assert client.get("/health/jobs/", **JSON).status_code == 503


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(SCHOOL_DAY.replace(hour=7, minute=59), id="before-the-due-time"),
        pytest.param(SCHOOL_DAY + timedelta(days=3), id="saturday"),
        pytest.param(datetime(2025, 12, 29, 9, 0, tzinfo=AMSTERDAM), id="christmas-holiday"),
    ],
)
def test_no_morning_run_is_expected_before_the_due_time_or_on_a_day_without_school(
    client, refdata, time_machine, moment
):
    student = StudentFactory()
    SignalSettings.objects.create(institution=student.institution, holiday_region="midden")
    time_machine.move_to(moment, tick=False)
    health.heartbeat_record()
    assert client.get("/health/jobs/", **JSON).status_code == 200
    with override_settings(HEALTH_MORNING_RUN_DUE=moment.time().replace(hour=0)):
        due_all_day = client.get("/health/jobs/", **JSON).status_code
    assert due_all_day == (503 if moment.weekday() < 5 and moment.month == 11 else 200)
