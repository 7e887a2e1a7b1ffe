"""`make demo`'s command end to end: builds, prints the logins, serves, stops its worker."""

import os
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
