"""`make demo`'s command end to end: builds, prints the logins, serves, stops its worker."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the demo stopped with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                return int(response.status)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_rundemo_builds_serves_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env |= {
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.demo",
        "SCHAKELPUNT_DATA_DIR": str(tmp_path),
    }
    log = tmp_path / "out.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "schakelpunt",
                "rundemo",
                "--students",
                "200",
                "--addr",
                f"127.0.0.1:{port}",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            assert wait_for(f"http://127.0.0.1:{port}/account/inloggen/", process, 90) == 200
            icon = urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico", timeout=5)
            assert icon.status == 200 and icon.read(4) == b"\x00\x00\x01\x00"
            css = urllib.request.urlopen(
                f"http://127.0.0.1:{port}/static/css/schakelpunt.css", timeout=5
            )
            assert css.status == 200
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bestaat-niet/", timeout=5)
            except urllib.error.HTTPError as error:
                assert error.code == 404
                assert "Niet gevonden" in error.read().decode()  # the real page, not DEBUG's
            else:
                raise AssertionError("an unknown address must give 404")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
    output = log.read_text()
    assert "Traceback" not in output, output
    assert "Demoregio gebouwd: 200 studenten" in output
    # Progress while it builds, a line per step (the first build was silent for minutes).
    assert "Database bijgewerkt" in output
    assert re.search(r"\[\s*\d+ s\] 200 studenten ingeschreven", output)
    assert len(re.findall(r"^\s+\[\s*\d+ s\] ", output, re.M)) >= 10
    # Links in e-mails and .ics files point where this demo serves (issue 16).
    assert f"Links in e-mails en agenda-uitnodigingen wijzen naar http://127.0.0.1:{port}/." in (
        output
    )
    for name in ("coach", "zorgcoordinator", "hulpverlener", "rmc", "gemeente", "student"):
        assert f"{name}@demo.schakelpunt.nl" in output
    assert (tmp_path / "schakelpunt.sqlite3").exists()
    assert (tmp_path / "tasks.sqlite3").exists()  # the worker's queue
    time.sleep(1)
    pgrep = shutil.which("pgrep") or "/usr/bin/pgrep"
    workers = subprocess.run(  # noqa: S603
        [pgrep, "-f", f"run_huey.*{tmp_path}"], capture_output=True, text=True, check=False
    )
    assert workers.stdout.strip() == ""


def _demo_setting(name: str, env: dict[str, str], tmp_path) -> str:
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    found = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; "
            f"print(settings.{name})",
        ],
        env=base
        | {
            "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.demo",
            "SCHAKELPUNT_DATA_DIR": str(tmp_path),
        }
        | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"DEMO_ADDR": "127.0.0.1:8123"}, "http://127.0.0.1:8123"),
        ({"DEMO_ADDR": "0.0.0.0:8124"}, "http://127.0.0.1:8124"),
        ({"DEMO_ADDR": "8125"}, "http://127.0.0.1:8125"),
        ({"DEMO_ADDR": "8126", "SITE_URL": "https://demo.example.nl"}, "https://demo.example.nl"),
    ],
)
def test_demo_links_follow_the_address_it_serves_on(tmp_path, env, expected):
    """Links in e-mails and .ics files pointed at port 8000 whatever DEMO_ADDR said."""
    assert _demo_setting("SITE_URL", env, tmp_path) == expected
