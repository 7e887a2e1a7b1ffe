"""Structured request logs with a request id (docs/operations.md)."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from tests.log_capture import captured_logs

from schakelpunt.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def finished_lines(lines: list[str]) -> list[dict]:
    return [e for e in map(json.loads, lines) if e["event"] == "request_finished"]


def test_a_request_is_one_json_line_with_id_method_path_status_duration_and_user_id(client):
    user = UserFactory(email="jannie.visser@example.nl", first_name="Jannie", last_name="Visser")
    client.force_login(user)
    with captured_logs() as logs:
        response = client.get("/health/live/?zoek=Visser")

    [line] = finished_lines(logs.lines())
    assert line["request_id"] == response["X-Request-ID"]
    assert uuid.UUID(line["request_id"])
    assert (line["method"], line["path"], line["status"]) == ("GET", "/health/live/", 200)
    assert line["duration_ms"] >= 0
    assert line["user_id"] == user.pk
    assert "Visser" not in "\n".join(logs.lines())
    assert "jannie" not in "\n".join(logs.lines()).lower()


def test_a_well_formed_incoming_request_id_is_kept_and_anything_else_replaced(client):
    with captured_logs() as logs:
        kept = client.get("/health/live/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
        replaced = client.get("/health/live/", HTTP_X_REQUEST_ID="Anna de Vries\n{evil}")

    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    assert uuid.UUID(replaced["X-Request-ID"])
    assert [e["request_id"] for e in finished_lines(logs.lines())] == [
        "lb-7f3a9c2e-0001",
        replaced["X-Request-ID"],
    ]
    assert "Anna" not in "\n".join(logs.lines())


def test_jobs_log_their_name_and_duration_but_not_their_arguments():
    from schakelpunt.operations import tasks

    with captured_logs() as logs:
        tasks.queue_heartbeat()
    events = [json.loads(line) for line in logs.lines()]
    started = [e for e in events if e["event"] == "task_started"]
    finished = [e for e in events if e["event"] == "task_finished"]
    assert [e["task"] for e in started] == ["queue_heartbeat"]
    assert finished[0]["task"] == "queue_heartbeat"
    assert finished[0]["outcome"] == "complete"
    assert finished[0]["duration_ms"] >= 0


def test_a_job_held_back_by_its_lock_is_logged_and_counted_as_locked():
    """A job that finds its lock taken ends without running: it still gets its line and its
    duration in the metrics, under the outcome 'locked', and is not left as running."""
    from huey.contrib.djhuey import HUEY

    from schakelpunt.operations import tasks
    from schakelpunt.operations.job_metrics import LOCAL_JOBS

    @HUEY.task(name="test_locked_job")
    def locked_job() -> None:
        with HUEY.lock_task("test-locked-job"):
            pass

    def locked_count() -> float:
        return (
            LOCAL_JOBS.get_sample_value(
                "schakelpunt_task_duration_seconds_count",
                {"task": "test_locked_job", "outcome": "locked"},
            )
            or 0.0
        )

    before = locked_count()
    with HUEY.lock_task("test-locked-job"), captured_logs() as logs:
        locked_job()
    finished = [e for e in map(json.loads, logs.lines()) if e["event"] == "task_finished"]
    assert [(e["task"], e["outcome"]) for e in finished] == [("test_locked_job", "locked")]
    assert finished[0]["duration_ms"] >= 0
    assert locked_count() == before + 1
    assert not tasks._started


def _run_with(settings_module: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.test import Client; "
        "Client().get('/health/live/?q=Jansen', SERVER_NAME='localhost', "
        "HTTP_X_REQUEST_ID='proxy-req-00042')"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "LOG_LEVEL"}},
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": str(settings.SRC_DIR.parent),
        "SECRET_KEY": "a-key-for-this-test-only-0123456789-abcdefghijklmnopqrstuvwxyz",
        **extra_env,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_production_writes_json_lines_to_stdout_and_the_demo_readable_lines():
    production = _run_with("schakelpunt.conf.production", {"SECURE_SSL_REDIRECT": "true"})
    assert production.returncode == 0, production.stderr
    lines = [json.loads(line) for line in production.stdout.splitlines()]
    [finished] = [e for e in lines if e["event"] == "request_finished"]
    assert finished["request_id"] == "proxy-req-00042"
    assert (finished["path"], finished["status"]) == ("/health/live/", 200)  # not redirected
    assert "Jansen" not in production.stdout

    demo = _run_with("schakelpunt.conf.demo", {"LOG_LEVEL": "INFO"})
    assert demo.returncode == 0, demo.stderr
    assert "request_finished" in demo.stderr
    assert not demo.stderr.lstrip().startswith("{")


def test_a_database_error_in_the_log_leaves_out_the_row_values_postgresql_echoes():
    """PostgreSQL's constraint errors repeat the row ("Failing row contains (…, Fatima, …)")
    or the key; a 500's traceback in the log must not carry a student's data."""
    import logging

    with captured_logs() as logs:
        try:
            raise RuntimeError(
                'null value in column "programme_id" violates not-null constraint\n'
                "DETAIL:  Failing row contains (1, 4051235, Fatima, null).\n"
                'duplicate key value violates unique constraint "student_number_per_institution"\n'
                "Key (institution_id, student_number)=(3, 4051235) already exists."
            )
        except RuntimeError:
            logging.getLogger("django.request").exception("Internal Server Error: /studenten/")
    text = "\n".join(logs.lines())
    assert "violates not-null constraint" in text  # the error itself stays readable
    assert "Fatima" not in text and "4051235" not in text


def test_names_with_accents_are_written_as_they_are_so_the_log_check_can_find_them():
    import logging

    with captured_logs() as logs:
        logging.getLogger("schakelpunt.test").warning("Zoë Şahin")
    assert "Zoë Şahin" in "\n".join(logs.lines())
