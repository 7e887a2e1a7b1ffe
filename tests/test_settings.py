"""The settings profiles, checked the way an administrator runs them: as a command."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # A bare environment, as on a server: nothing from the test run leaks in.
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "schakelpunt", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_profile_passes_check_deploy(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.production",
            "SECRET_KEY": "x" * 20 + "a-long-and-random-production-secret-key-value",
            "ALLOWED_HOSTS": "schakelpunt.example.nl",
            "SCHAKELPUNT_DATA_DIR": str(tmp_path),
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run(
        ["check"],
        {
            "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.production",
            "SCHAKELPUNT_DATA_DIR": str(tmp_path),
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required in production" in result.stderr


def test_embedded_setup_generates_and_keeps_its_secret_key(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base", "SCHAKELPUNT_DATA_DIR": str(tmp_path)}
    script = ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"]
    first = run(script, env, tmp_path)
    second = run(script, env, tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
