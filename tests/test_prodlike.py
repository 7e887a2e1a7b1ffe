"""`scripts/prodlike` starts the production processes and they work together: readiness is
green, a coach logs in through the real form and opens a student's file, an absence file
uploaded on the screen is read by a huey worker process, and Ctrl+C (SIGINT) leaves no
process behind. On PostgreSQL and Redis, as in production; in CI it must run (PostgreSQL pass).
"""

import os
import re
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.urls import Resolver404, resolve
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
# Its own database on the suite's server, a new one each run ('prodlike' in the name lets
# scripts/prodlike load demo data into it).
DATABASE = f"schakelpunt_prodlike_smoke_{os.getpid()}"
REDIS_URL = os.environ.get("PRODLIKE_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/6")
DEMO_PASSWORD = "demo-schakelpunt"
START_SECONDS = 300
TEST_ONLY_ENVIRONMENT = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "HUEY_IMMEDIATE"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the production processes run on PostgreSQL (the suite's PostgreSQL run has it)",
    ),
]


def _server_url() -> str:
    """The suite's PostgreSQL server, with a database of this test's own."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}"


def _drop_database(server: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        # Never hang the suite: DROP DATABASE waits for every backend of the server to answer.
        admin.execute("SET statement_timeout = '30s'")
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        except psycopg.errors.QueryCanceled:
            warnings.warn(f"{DATABASE} not dropped within 30 s; drop it by hand", stacklevel=1)


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {REDIS_URL} for the prodlike smoke test: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready_path() -> str:
    """The health endpoint once the app has one; the login page before that."""
    try:
        resolve("/health/ready/")
    except Resolver404:
        return "/account/inloggen/"
    return "/health/ready/"


class Prodlike:
    def __init__(self, process: subprocess.Popen[bytes], base: str, log: Path) -> None:
        self.process, self.base, self.log = process, base, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def session(self, email: str) -> requests.Session:
        """Logged in through the login form, as a browser does."""
        session = requests.Session()
        form = session.get(f"{self.base}/account/inloggen/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token is not None
        done = session.post(
            f"{self.base}/account/inloggen/",
            data={"csrfmiddlewaretoken": token[1], "username": email, "password": DEMO_PASSWORD},
            timeout=30,
        )
        assert done.url == f"{self.base}/", f"login as {email} ended on {done.url}"
        return session


@pytest.fixture(scope="module")
def prodlike(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prodlike]:
    _redis_or_skip()
    server = _server_url()
    port = _free_port()
    log = tmp_path_factory.mktemp("prodlike") / "prodlike.log"
    env = {
        # Not the test settings' environment (inline jobs, a fixed key): production's own.
        **{k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENVIRONMENT},
        "DATABASE_URL": f"{server}/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "SCHAKELPUNT_DATA_DIR": str(log.parent),
        "WEB_CONCURRENCY": "2",
        "HUEY_WORKERS": "1",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [str(ROOT / "scripts" / "prodlike"), "--demo-students", "300", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Prodlike(process, f"http://127.0.0.1:{port}", log)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl+C
            process.wait(60)
        _drop_database(server)


def _wait_until_ready(prodlike: Prodlike) -> float:
    path = _ready_path()
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert prodlike.process.poll() is None, prodlike.output()[-3000:]
        try:
            # The script says 'klaar' once the demo is in; readiness must be green then too.
            if "klaar: " in prodlike.output() and (
                requests.get(f"{prodlike.base}{path}", timeout=5).status_code == 200
            ):
                return time.monotonic()
        except requests.RequestException:
            pass  # not listening yet, or a worker still starting
        time.sleep(0.5)
    pytest.fail(f"not ready within {START_SECONDS} s:\n{prodlike.output()[-3000:]}")


def _last_school_day() -> date:
    day = timezone.localdate() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_the_production_processes_serve_a_coach_and_run_a_job(prodlike: Prodlike) -> None:
    _wait_until_ready(prodlike)
    started = prodlike.output()
    assert "run_huey --no-periodic" in started
    assert "run_huey --workers 0" in started

    coach = prodlike.session("coach@demo.schakelpunt.nl")
    caseload = coach.get(f"{prodlike.base}/studenten/caseload/", timeout=30)
    student = re.search(r'href="/studenten/(\d+)/"[^>]*>([^<,]+), ([^<]+)<', caseload.text)
    assert student is not None, "the coach's caseload lists no student"
    file = coach.get(f"{prodlike.base}/studenten/{student[1]}/", timeout=30)
    assert file.status_code == 200
    first_name = student[3].split()[0]
    assert first_name in file.text and student[2] in file.text
    number = re.search(r"<dt>Studentnummer</dt><dd>(\w+)</dd>", file.text)
    assert number is not None

    # The attendance coordinator uploads absence; a huey worker process reads it.
    attendance = prodlike.session("verzuim@demo.schakelpunt.nl")
    form = attendance.get(f"{prodlike.base}/verzuim/importeren/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token is not None
    day = _last_school_day().isoformat()
    csv = f"studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n{number[1]};{day};6;2;nee;ongeoorloofd\n"
    upload = attendance.post(
        f"{prodlike.base}/verzuim/importeren/",
        data={"csrfmiddlewaretoken": token[1]},  # their one institution is not asked
        files={"file": ("verzuim.csv", csv.encode(), "text/csv")},
        timeout=30,
    )
    assert re.search(r"/verzuim/importeren/\d+/$", upload.url), upload.text[-2000:]
    deadline = time.monotonic() + 60
    while "Ingelezen: 1 nieuw" not in (page := attendance.get(upload.url, timeout=30).text):
        assert "Niets ingelezen" not in page, page
        assert time.monotonic() < deadline, "the import job was not done within 60 s"
        time.sleep(0.5)

    # Ctrl+C stops every process it started, with their children; none is left.
    groups = {int(pid) for pid in re.findall(r"gestart \(pid (\d+)\)", prodlike.output())}
    assert len(groups) == 3
    prodlike.process.send_signal(signal.SIGINT)
    assert prodlike.process.wait(60) == 0
    assert "alle processen gestopt" in prodlike.output()
    alive = subprocess.run(
        ["/bin/ps", "-eo", "pgid="], capture_output=True, text=True, check=True
    ).stdout.split()
    assert groups.isdisjoint(int(pgid) for pgid in alive)
    with pytest.raises(requests.ConnectionError):
        requests.get(prodlike.base, timeout=5)
