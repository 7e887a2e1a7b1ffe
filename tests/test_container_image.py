"""The container image (Containerfile, compose.yaml; issue 20 review) can make a backup of
compose's PostgreSQL, and its build leaves the runtime user's data directory empty. Read from the
files: the image itself is built outside the test suite."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTAINERFILE = (ROOT / "Containerfile").read_text()


def _runtime_stage() -> str:
    return CONTAINERFILE.split("\nFROM ")[-1]


def test_the_image_has_pg_dump_of_the_major_version_compose_runs() -> None:
    [server] = re.findall(r"image: postgres:(\d+)", (ROOT / "compose.yaml").read_text())
    stage = _runtime_stage()

    assert re.search(rf"^ARG PG_MAJOR={server}$", stage, re.MULTILINE)
    assert '"postgresql-client-${PG_MAJOR}"' in stage
    # The build stops when the installed pg_dump is of another major version.
    assert 'pg_dump --version | grep -q " ${PG_MAJOR}\\."' in stage


def test_the_build_writes_nothing_into_the_runtime_data_directory() -> None:
    stage = _runtime_stage()
    [data_dir] = re.findall(r"^ +SCHAKELPUNT_DATA_DIR=(\S+) \\$", stage, re.MULTILINE)
    runs = re.findall(r"^RUN (.*?)(?<!\\)$", stage, re.MULTILINE | re.DOTALL)
    [collectstatic] = [run for run in runs if "collectstatic" in run]

    # Loading the settings opens huey's SQLite queue in SCHAKELPUNT_DATA_DIR, as root.
    assert "SCHAKELPUNT_DATA_DIR=/tmp/" in collectstatic
    assert data_dir not in collectstatic.split("&&")[0]
    assert f'test -z "$(ls -A {data_dir})"' in collectstatic
