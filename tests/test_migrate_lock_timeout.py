"""On PostgreSQL `schakelpunt migrate` gives up on a lock it cannot get within --lock-timeout
seconds (and says so in Dutch) instead of queueing all traffic behind it; once the lock is
gone it runs. Run as an operator runs it: a process of its own against the database."""

import os
import subprocess
import sys
import time
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="lock_timeout is PostgreSQL's"),
]


def _url() -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{quote(s['USER'])}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _migrate(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schakelpunt", "migrate", "--no-input", "--lock-timeout", "1"],
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.test"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_migrate_gives_up_on_a_held_lock_and_runs_once_it_is_free() -> None:
    url = _url()
    # A long transaction of the old version holding the table a migration needs.
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        blocked = _migrate(url)
        waited = time.monotonic() - started
        holder.rollback()
    assert blocked.returncode != 0
    assert "wachtte langer dan 1 s op een lock" in blocked.stderr
    assert waited < 20, f"migrate waited {waited:.0f} s"

    free = _migrate(url)
    assert free.returncode == 0, free.stderr
    assert "No migrations to apply" in free.stdout
