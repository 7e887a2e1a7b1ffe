"""Pieces the benchmark scripts share: running a measurement in a fresh database (outside
Django) and building a school (inside Django, after django.setup())."""

import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any


def machine() -> str:
    """The machine, for the first line of a benchmark's output."""
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def run_child(script: str, database_url: str, *args: str) -> Any:
    """Migrate a fresh database, run `script --child ARGS` against it and return the JSON
    the child printed last."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
            "DATABASE_URL": database_url,
            "SCHAKELPUNT_DATA_DIR": data_dir,
        }
        subprocess.run([sys.executable, "-m", "schakelpunt", "migrate", "-v0"], env=env, check=True)
        done = subprocess.run(  # noqa: S603
            [sys.executable, script, "--child", *args],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_database(base_url: str, name: str, create: bool) -> str:
    """Drop the database `name` on the server of `base_url` and, with `create`, make it anew;
    returns its URL."""
    import psycopg

    admin = base_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def sqlite_and_postgres(base_url: str, name: str) -> dict[str, str]:
    """A fresh SQLite file and, when the server answers, a fresh PostgreSQL database."""
    databases = {"SQLite": f"sqlite:///{tempfile.mkdtemp(prefix='schakelpunt-bench-')}/{name}.db"}
    try:
        databases["PostgreSQL"] = postgres_database(base_url, name, True)
    except Exception as error:
        print(f"(PostgreSQL skipped: {error})")
    return databases


def django_setup_for_pages(database_url: str, *, fresh: bool = True) -> None:
    """Set up Django in this process to serve pages to the test client, against
    `database_url` or, when empty, a new SQLite file. With `fresh`, a PostgreSQL URL names a
    database that is dropped and made anew: never `flush`, the access log refuses TRUNCATE."""
    data_dir = tempfile.mkdtemp(prefix="schakelpunt-bench-")
    url = database_url or f"sqlite:///{data_dir}/bench.sqlite3"
    if url.startswith("postgres") and fresh:
        base, name = url.rsplit("/", 1)
        url = postgres_database(f"{base}/postgres", name, create=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
            "SCHAKELPUNT_DATA_DIR": data_dir,
            "DATABASE_URL": url,
            "ALLOWED_HOSTS": "testserver",
            "SCHAKELPUNT_OTP_REQUIRED": "false",
        }
    )
    import django

    django.setup()


@dataclass
class School:
    institution: Any
    location: Any
    place: Any  # the municipality students live in
    programmes: dict[int, Any]  # per level, BOL


def make_school(name: str) -> School:
    """One MBO institution in Enschede with one location, one team and a programme per level."""
    from schakelpunt.accounts.models import Location, Organisation, Programme, ProgrammeTeam
    from schakelpunt.refdata.models import Municipality

    place = Municipality.objects.get(cbs_code="GM0153")
    institution = Organisation.objects.create(name=name, kind="mbo")
    location = Location.objects.create(institution=institution, name=name, municipality=place)
    team = ProgrammeTeam.objects.create(location=location, name="Team")
    programmes = {
        level: Programme.objects.create(
            team=team, crebo=f"2500{level}", name=f"Niveau {level}", level=level, pathway="BOL"
        )
        for level in (1, 2, 3, 4)
    }
    return School(institution, location, place, programmes)
