"""The prodlike settings (plain http, cookies without Secure, demo logins possible) refuse any
database that could be a real installation's: one on another machine, and, since a school's
own server may run PostgreSQL beside Schakelpunt, one on this machine whose name does not say
'prodlike' (issue 20 review). Settings are read in a fresh process, as a server would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _settings_read(tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="schakelpunt.conf.prodlike",
        DATABASE_URL=database_url,
        REDIS_URL="redis://127.0.0.1:6379/0",
        SCHAKELPUNT_DATA_DIR=str(tmp_path),
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("database_url", "refused_because"),
    [
        ("postgres://postgres@127.0.0.1:5432/schakelpunt", "'prodlike' in its name"),
        ("postgres://app@localhost/roc_twente", "'prodlike' in its name"),
        ("postgres://app@db.roc.example.nl/schakelpunt_prodlike", "only for this machine"),
    ],
)
def test_a_database_that_may_be_real_is_refused(
    tmp_path: Path, database_url: str, refused_because: str
) -> None:
    read = _settings_read(tmp_path, database_url)
    assert read.returncode != 0
    assert "started" not in read.stdout
    assert refused_because in read.stderr
    assert "schakelpunt.conf.production" in read.stderr


def test_a_throwaway_database_on_this_machine_is_accepted(tmp_path: Path) -> None:
    read = _settings_read(tmp_path, "postgres://postgres@127.0.0.1:5432/schakelpunt_prodlike_1")
    assert read.returncode == 0, read.stderr
    assert "started" in read.stdout
