"""`schakelpunt demo` refuses the production settings (issue 20 review): it would put fictitious
students and staff, all with one known password, into a real installation's database."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REFUSAL = "De demo draait niet met de productie-instellingen"


def _demo(tmp_path: Path, settings_module: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SCHAKELPUNT_DEMO_MODE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY="a-production-like-key-for-this-test-only-0123456789",
        DATABASE_URL=f"sqlite:///{tmp_path / 'schakelpunt.sqlite3'}",
        SCHAKELPUNT_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")]),
    )
    return subprocess.run(
        [sys.executable, "-m", "schakelpunt", "demo", "--students", "500"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _demo_people(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as conn:
        found = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'accounts_user'"
        ).fetchone()[0]
        return conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0] if found else 0


@pytest.mark.parametrize(
    "settings_module",
    [
        "schakelpunt.conf.production",
        # An installation's own settings module on top of production's.
        "site_settings",
    ],
)
def test_the_demo_refuses_the_production_settings_in_dutch(
    tmp_path: Path, settings_module: str
) -> None:
    (tmp_path / "site_settings.py").write_text(
        "from schakelpunt.conf.production import *  # noqa: F403\n"
    )

    done = _demo(tmp_path, settings_module)

    assert done.returncode != 0
    assert REFUSAL in done.stderr
    assert _demo_people(tmp_path / "schakelpunt.sqlite3") == 0
