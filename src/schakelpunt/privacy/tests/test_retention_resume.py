"""Resume after a real kill: `schakelpunt retention run` in a process of its own against a
database file (SQLite) or server (PostgreSQL), SIGKILLed after its first batch committed; run
again, every student goes exactly once. Afterwards the SQLite file itself (under DATA_DIR)
holds none of the deleted names: deleted rows are overwritten, not left in free pages."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

N = 7
BATCH = 2
SETUP = f"""
import django
django.setup()
from datetime import date
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, ProgrammeTeamFactory, LocationFactory, UserFactory
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory
from schakelpunt.privacy.retention import fingerprint, retention_approve, retention_propose
roc = OrganisationFactory(name="ROC Kill")
programme = ProgrammeFactory(team=ProgrammeTeamFactory(location=LocationFactory(institution=roc)))
officer = UserFactory(email="privacy@kill.example")
MembershipFactory(user=officer, organisation=roc, role=Role.PRIVACY_OFFICER)
coach = UserFactory(email="coach@kill.example")
for n in range({N}):
    s = StudentFactory(programme=programme, last_name=f"Killtest{{n}}Zq", student_number=f"KT{{n:05d}}",
                       left_on=date(2021, 7, 1), enrolled_on=date(2020, 8, 1), has_basic_qualification=True,
                       residence_municipality=None)
    Trajectory.objects.create(student=s, coordinator=coach)
run = retention_propose(institution=roc, reference_date=date(2026, 8, 1))
retention_approve(actor=officer, run=run, seen=fingerprint(run))
print(run.pk)
"""


def _pg_base() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3):
            pass
    except Exception:  # no server: the PostgreSQL case is skipped
        return None
    return url


class Database:
    def __init__(self, backend: str, data_dir: Path) -> None:
        self.backend = backend
        if backend == "sqlite":
            self.path = data_dir / "schakelpunt.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            base = _pg_base()
            if base is None:
                pytest.skip("no PostgreSQL server")
            import psycopg

            self.name = f"schakelpunt_retention_kill_{uuid.uuid4().hex[:8]}"
            self.admin = base.replace("postgres://", "postgresql://", 1)
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = base.rsplit("/", 1)[0] + f"/{self.name}"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as conn:
                return conn.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[arg-type]

    def drop(self) -> None:
        if self.backend != "sqlite":
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# The database this run of the suite is on: the SQLite run kills a run on a file, the
# PostgreSQL run (CI runs both) on a server; each case once, not twice per CI run.
BACKEND = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


@pytest.mark.parametrize("backend", [BACKEND])
def test_a_killed_run_continues_with_the_rest_and_deletes_each_student_once(
    backend: str, tmp_path: Path
) -> None:
    db = Database(backend, tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
        "DATABASE_URL": db.url,
        "SCHAKELPUNT_DATA_DIR": str(tmp_path),
        "HUEY_IMMEDIATE": "true",
    }
    cli = [sys.executable, "-m", "schakelpunt"]
    try:
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=1800)  # noqa: S603
        made = subprocess.run(  # noqa: S603
            [sys.executable, "-c", SETUP],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        run_id = int(made.stdout.strip().splitlines()[-1])
        done_sql = (
            f"SELECT COUNT(*) FROM privacy_retentioncandidate WHERE run_id = {run_id} AND done"  # noqa: S608
        )
        left_sql = "SELECT COUNT(*) FROM students_student WHERE last_name LIKE 'Killtest%'"

        # Batches of two, a long pause after each: killed while the second waits.
        worker = subprocess.Popen(  # noqa: S603
            [*cli, "retention", "run", "--batch-size", str(BATCH), "--pause", "120"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 300
        while db.query(done_sql)[0][0] < BATCH:
            assert worker.poll() is None, "the run ended before it was killed"
            assert time.monotonic() < deadline, "the first batch never committed"
            time.sleep(0.2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert db.query(done_sql)[0][0] == BATCH
        assert db.query(left_sql)[0][0] == N - BATCH
        status = db.query(f"SELECT status FROM privacy_retentionrun WHERE id = {run_id}")  # noqa: S608
        assert status == [("approved",)]

        again = subprocess.run(  # noqa: S603
            [*cli, "retention", "run", "--batch-size", str(BATCH)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert f"{N} studenten verwijderd" in again.stdout
        assert db.query(done_sql)[0][0] == N
        assert db.query(left_sql)[0][0] == 0
        assert db.query("SELECT COUNT(*) FROM support_trajectory")[0][0] == 0
        status = db.query(f"SELECT status FROM privacy_retentionrun WHERE id = {run_id}")  # noqa: S608
        assert status == [("done",)]
        # Exactly once: the counts of the killed process's batch and the rest add up to N.
        run_sql = f"SELECT counts FROM privacy_retentionrun WHERE id = {run_id}"  # noqa: S608
        counts = db.query(run_sql)[0][0]
        assert f'"students": {N}' in str(counts).replace("'", '"')
        if backend == "sqlite":
            found = [
                p.name
                for p in tmp_path.rglob("*")
                if p.is_file() and (b"Killtest" in p.read_bytes() or b"KT0000" in p.read_bytes())
            ]
            assert found == []
    finally:
        db.drop()
