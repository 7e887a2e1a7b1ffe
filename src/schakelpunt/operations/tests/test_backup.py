"""`schakelpunt backup` and `schakelpunt restore` (issue 20, docs/backup.md): a round trip into a
fresh database gives back every table's rows, the access log's last entry and the data
directory's files; a restore over data, a tampered archive or one from a newer schema is
refused and changes nothing.

Runs on the database of this run of the suite: the SQLite run restores into a fresh file, the
PostgreSQL run (CI) into a fresh database on the same server, by `pg_restore`.
"""

import io
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from tests.world import client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.operations.backup import database_name

pytestmark = pytest.mark.django_db(transaction=True)

# An uploaded import file, with bytes a text mode or an encoding would change.
UPLOAD = "imports/2026-12/verzuim-roc-een.csv"
UPLOAD_BYTES = "studentnummer;datum;uren\r\n100001;2026-11-30;4\r\nZoë;é\r\n".encode() + b"\x00\xff"


def _need_pg_tools() -> None:
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI needs pg_dump and pg_restore (Debian: postgresql-client)")
    pytest.skip("pg_dump/pg_restore not installed")


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / UPLOAD).parent.mkdir(parents=True)
    (folder / UPLOAD).write_bytes(UPLOAD_BYTES)
    settings.DATA_DIR = folder
    return folder


@pytest.fixture
def filled(world: Any, data_dir: Path) -> Any:
    """The small region, three visits of a coach to a file (fifteen chained log rows), and an
    uploaded import file in the data directory."""
    if connection.vendor == "postgresql":
        _need_pg_tools()
    coach = client_for(world.users["coach"])
    for _ in range(3):
        assert coach.get(f"/studenten/{world.students['t1'].pk}/").status_code == 200
    assert AccessLogEntry.objects.count() >= 15
    return world


def _backup(tmp_path: Path) -> Path:
    archive = tmp_path / "backup.tar"
    call_command("backup", output=archive, stdout=io.StringIO())
    return archive


def _table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        )
    return [row[0] for row in cursor.fetchall()]


def _snapshot(cursor: Any, vendor: str) -> tuple[dict[str, int], tuple[Any, ...]]:
    """Every table's row count and the access log's last entry (id, place, hash)."""
    counts = {}
    for name in _table_names(cursor, vendor):
        cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608
        counts[name] = cursor.fetchone()[0]
    cursor.execute(
        "SELECT id, sequence, entry_hash FROM access_accesslogentry ORDER BY id DESC LIMIT 1"
    )
    return counts, tuple(cursor.fetchone())


def _here() -> tuple[dict[str, int], tuple[Any, ...]]:
    with connection.cursor() as cursor:
        return _snapshot(cursor, connection.vendor)


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "schakelpunt", *args],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.test", **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _postgres_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database(tmp_path: Path) -> Any:
    """(DATABASE_URL, opener) of a database that does not exist yet or has no tables."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restore"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = _postgres_url(name)
    opened: list[Any] = []

    def opener() -> Any:
        opened.append(psycopg.connect(url))
        return opened[-1]

    yield url, opener
    for conn in opened:
        conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_database_gives_back_every_row_and_file(
    filled: Any, data_dir: Path, tmp_path: Path, fresh_database: Any
) -> None:
    url, opener = fresh_database
    before = _here()
    archive = _backup(tmp_path)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary left"

    restored_dir = tmp_path / "restored-data"
    done = _run(
        "restore",
        str(archive),
        env={"DATABASE_URL": url, "SCHAKELPUNT_DATA_DIR": str(restored_dir)},
    )
    assert done.returncode == 0, done.stderr
    assert "Teruggezet en gecontroleerd" in done.stdout
    assert "Toegangslog in orde" in done.stdout

    conn = opener()
    after = _snapshot(conn.cursor(), connection.vendor)
    assert after[0] == before[0]  # every table, every count
    assert after[1] == before[1]  # the access log's last entry: id, place in the chain, hash
    assert (restored_dir / UPLOAD).read_bytes() == UPLOAD_BYTES
    assert stat.S_IMODE((restored_dir / UPLOAD).stat().st_mode) == 0o600


def test_the_manifest_says_what_the_archive_holds(filled: Any, tmp_path: Path) -> None:
    archive = _backup(tmp_path)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    counts, last = _here()
    assert manifest["tables"] == counts
    assert manifest["access_log"]["last_entry"] == {
        "id": last[0],
        "sequence": last[1],
        "hash": last[2],
    }
    assert manifest["migrations"]["access"].startswith("00")
    assert manifest["created_at"] and manifest["schakelpunt_version"]
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert f"files/{UPLOAD}" in names
    # The SQLite database and the task queue are not data files; the dump holds the data.
    assert not [n for n in names if n.startswith("files/") and n.endswith(".sqlite3")]


def test_a_restore_over_data_without_force_changes_nothing(
    filled: Any, data_dir: Path, tmp_path: Path
) -> None:
    archive = _backup(tmp_path)
    coach = client_for(filled.users["coach"])
    assert coach.get(f"/studenten/{filled.students['t1'].pk}/").status_code == 200
    (data_dir / UPLOAD).write_bytes(b"newer upload")
    before = _here()

    with pytest.raises(CommandError, match="De database is niet leeg"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert _here() == before
    assert (data_dir / UPLOAD).read_bytes() == b"newer upload"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def over_data(filled: Any, tmp_path: Path, monkeypatch: Any) -> Any:
    """(archive, the database as backed up); after the backup a coach looked at a file again,
    so the database holds more than the archive. No terminal unless a test gives one."""
    monkeypatch.setattr("sys.stdin", io.StringIO())
    backed_up = _here()
    archive = _backup(tmp_path)
    coach = client_for(filled.users["coach"])
    assert coach.get(f"/studenten/{filled.students['t1'].pk}/").status_code == 200
    assert _here() != backed_up
    return archive, backed_up


def test_a_forced_restore_over_data_is_refused_until_the_database_is_named(
    over_data: Any,
) -> None:
    archive, _backed_up = over_data
    before = _here()
    name = re.escape(database_name())

    with pytest.raises(CommandError, match=f"De database {name} bevat gegevens en is niet"):
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
    with pytest.raises(CommandError, match=f"--confirm schakelpunt_elders is niet .*{name}"):
        call_command(
            "restore", str(archive), "--force", "--confirm=schakelpunt_elders", stdout=io.StringIO()
        )

    assert _here() == before


def test_a_forced_restore_with_the_database_named_replaces_it(over_data: Any) -> None:
    archive, backed_up = over_data
    out = io.StringIO()

    call_command("restore", str(archive), "--force", f"--confirm={database_name()}", stdout=out)

    assert "Teruggezet en gecontroleerd" in out.getvalue()
    assert _here() == backed_up


def test_at_a_terminal_the_operator_types_the_database_name(
    over_data: Any, monkeypatch: Any
) -> None:
    archive, backed_up = over_data
    before = _here()
    monkeypatch.setattr("sys.stdin", _Terminal())
    typed = iter(["schakelpunt_elders", database_name()])
    prompts: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or next(typed))
    out = io.StringIO()

    with pytest.raises(CommandError, match="schakelpunt_elders is niet"):
        call_command("restore", str(archive), "--force", stdout=out)
    assert _here() == before
    assert "Stop eerst de webservers en workers" in out.getvalue()
    assert database_name() in out.getvalue()

    call_command("restore", str(archive), "--force", stdout=out)
    assert prompts == ["Typ de naam van de database om door te gaan: "] * 2
    assert _here() == backed_up


def _rewrite(archive: Path, change: Any) -> Path:
    """A copy of the archive with `change(name, bytes)` applied to each member's content."""
    copy = archive.with_name("changed.tar")
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        for member in source:
            data = change(member.name, source.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


def test_a_tampered_archive_is_refused(filled: Any, data_dir: Path, tmp_path: Path) -> None:
    archive = _backup(tmp_path)
    tampered = _rewrite(
        archive,
        lambda name, data: data.replace(b"100001", b"100002") if name.endswith(".csv") else data,
    )
    before = _here()

    with pytest.raises(
        CommandError, match=re.escape(f"controlegetal van files/{UPLOAD} klopt niet")
    ):
        call_command("restore", str(tampered), "--force", stdout=io.StringIO())

    assert _here() == before


def test_an_archive_from_a_newer_schema_is_refused(filled: Any, tmp_path: Path) -> None:
    archive = _backup(tmp_path)

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["applied_migrations"].append("access.0999_from_a_later_version")
        return json.dumps(manifest).encode()

    with pytest.raises(CommandError, match=r"access\.0999_from_a_later_version"):
        call_command("restore", str(_rewrite(archive, newer)), "--force", stdout=io.StringIO())


def test_a_backup_without_pg_dump_says_what_to_install(
    filled: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match="pg_dump is niet gevonden"):
        call_command("backup", output=tmp_path / "b.tar", stdout=io.StringIO())
    assert not list(tmp_path.glob("*.tar")) and not list(tmp_path.glob(".*"))


def test_a_backup_of_an_unreachable_database_fails_in_dutch(tmp_path: Path) -> None:
    done = _run(
        "backup",
        "--output",
        str(tmp_path / "b.tar"),
        env={
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/schakelpunt",
            "SCHAKELPUNT_DATA_DIR": str(tmp_path / "data"),
        },
    )
    assert done.returncode == 1
    assert "is niet bereikbaar" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "b.tar").exists()


def test_an_earlier_archive_and_metric_files_in_the_data_directory_stay_out(tmp_path, monkeypatch):
    """A nightly backup written into the data directory must not carry the previous night's
    (deleted students would live on in every later archive)."""
    from schakelpunt.operations.backup import _excluded_paths, data_files

    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "verzuim.csv").write_text("studentnummer;datum\n")
    (tmp_path / "schakelpunt-backup-20261201T0300.tar").write_bytes(b"old archive")
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_1.db").write_bytes(b"counts")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    names = [name for _, name in data_files(tmp_path, _excluded_paths([]))]
    assert names == ["imports/verzuim.csv"]
