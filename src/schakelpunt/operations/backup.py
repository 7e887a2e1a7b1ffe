"""Backup and restore: one tar archive holding the database (a PostgreSQL custom-format dump, or
a consistent SQLite copy), the data directory's files and a manifest that says what a restore
must give back (docs/backup.md, docs/decisions/0030).

The manifest's counts come from the very snapshot the dump was taken from (PostgreSQL:
`pg_export_snapshot` handed to `pg_dump --snapshot`; SQLite: counted in the copy), so a backup
of a running installation still verifies after its restore.
"""

import errno
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from schakelpunt.access.selectors import access_log_verify

# The archive's layout; raise FORMAT when it changes so an older restore refuses it.
FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
FILES_PREFIX = "files/"
# Beside a database or task-queue file: SQLite's journal, write-ahead log and shared memory.
SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Dutch, for the operator."""


@dataclass(frozen=True)
class DatabaseFacts:
    """What a restore must give back: rows per table, applied migrations, the access log's end."""

    tables: dict[str, int]
    migrations: list[str]
    last_entry: dict[str, Any] | None

    def latest_migrations(self) -> dict[str, str]:
        latest: dict[str, str] = {}
        for applied in self.migrations:
            app, name = applied.split(".", 1)
            latest[app] = max(latest.get(app, name), name)
        return latest


@dataclass
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    files: int
    chain_entries: int
    differences: list[str] = field(default_factory=list)
    extra_tables: list[str] = field(default_factory=list)
    unapplied_migrations: list[str] = field(default_factory=list)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _access_log_table() -> str:
    return str(apps.get_model("access", "AccessLogEntry")._meta.db_table)


def database_facts(cursor: Any, vendor: str) -> DatabaseFacts:
    """Count every table's rows and read the applied migrations and the access log's last
    entry, through a DB-API cursor (Django's or plain sqlite3's)."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1"
        )
    names = [row[0] for row in cursor.fetchall()]
    tables: dict[str, int] = {}
    for name in names:
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")  # noqa: S608 (catalogue names)
        tables[name] = int(cursor.fetchone()[0])
    migrations: list[str] = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    last_entry = None
    log = _access_log_table()
    if tables.get(log):
        cursor.execute(
            f"SELECT id, sequence, entry_hash FROM {_quote(log)} "  # noqa: S608
            "ORDER BY id DESC LIMIT 1"
        )
        entry_id, sequence, entry_hash = cursor.fetchone()
        last_entry = {"id": int(entry_id), "sequence": int(sequence), "hash": str(entry_hash)}
    return DatabaseFacts(tables=tables, migrations=migrations, last_entry=last_entry)


def _version() -> str:
    try:
        return version("schakelpunt")
    except PackageNotFoundError:
        return "onbekend"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _no_space(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def _unreachable(error: Exception) -> BackupError:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    where = settings.DATABASES["default"].get("NAME", "")
    host = settings.DATABASES["default"].get("HOST", "")
    if host:
        where = f"{where} op {host}:{settings.DATABASES['default'].get('PORT') or 5432}"
    return BackupError(
        _(
            "De database %(where)s is niet bereikbaar: %(error)s. Controleer DATABASE_URL en of de server draait."
        )
        % {"where": where, "error": first_line}
    )


# --- which files of the data directory belong in a backup ---------------------------------


def _excluded_paths(extra: list[Path]) -> set[Path]:
    """The SQLite database and the task queue (with their journals), collected static files
    and the archive being written: rebuilt, taken otherwise, or not data."""
    excluded: set[Path] = {p.resolve() for p in extra}
    database = settings.DATABASES["default"]
    # The embedded database's default place too: on PostgreSQL a file left there is an old
    # database, not an uploaded or generated file.
    candidates = [str(Path(settings.DATA_DIR) / "schakelpunt.sqlite3")]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        candidates.append(str(database["NAME"]))
    huey_file = getattr(settings, "HUEY", {}).get("filename")
    if huey_file:
        candidates.append(str(huey_file))
    for base in candidates:
        for suffix in SQLITE_SIDE_FILES:
            excluded.add(Path(base + suffix).resolve())
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        excluded.add(Path(static_root).resolve())
    # Per-process metric files: counters, not data.
    if metrics := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        excluded.add(Path(metrics).resolve())
    return excluded


def _earlier_backup(name: str) -> bool:
    """An earlier archive (or its temporary file) left in the data directory: never inside the
    next one, or deleted students would outlive the backups' own retention."""
    return name.startswith(("schakelpunt-backup-", ".schakelpunt-backup-"))


def data_files(data_dir: Path, excluded: set[Path]) -> Iterator[tuple[Path, str]]:
    """(path, name inside the data directory) of every regular file to back up, sorted."""
    if not data_dir.is_dir():
        return
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if (here / d).resolve() not in excluded and not _earlier_backup(d)
        )
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file() or path.resolve() in excluded:
                continue
            if _earlier_backup(name):
                continue
            yield path, path.relative_to(data_dir).as_posix()


# --- the database side --------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database, so no password is on a command line."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    pairs = {
        "PGDATABASE": db.get("NAME"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
    }
    options = db.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("options", "PGOPTIONS"),
    ):
        pairs[variable] = options.get(option)
    for variable, value in pairs.items():
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "%(tool)s is niet gevonden. Installeer de PostgreSQL-clientprogramma's "
                "(Debian: apt-get install postgresql-client), van dezelfde of een nieuwere "
                "versie dan de server."
            )
            % {"tool": name}
        )
    return found


def _pg_failed(tool: str, stderr: str) -> BackupError:
    text = stderr.strip()
    if "No space left on device" in text:
        return BackupError(
            _("Er is niet genoeg ruimte op de schijf voor %(tool)s: %(error)s")
            % {"tool": tool, "error": text}
        )
    if "server version mismatch" in text or "unsupported version" in text:
        return BackupError(
            _(
                "%(tool)s is ouder dan de databaseserver; installeer de clientprogramma's "
                "van de versie van de server: %(error)s"
            )
            % {"tool": tool, "error": text}
        )
    if "could not connect" in text or "connection to server" in text:
        return BackupError(
            _("%(tool)s kan de database niet bereiken: %(error)s") % {"tool": tool, "error": text}
        )
    return BackupError(_("%(tool)s is mislukt: %(error)s") % {"tool": tool, "error": text})


def _dump_postgresql(target: Path) -> DatabaseFacts:
    """pg_dump in custom format from one exported snapshot; the facts read in that snapshot."""
    pg_dump = _pg_tool("pg_dump")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = database_facts(cursor, "postgresql")
            # The snapshot lives as long as this transaction: dump while it is open.
            completed = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
                check=False,
            )
    except DatabaseError as error:
        raise _unreachable(error) from None
    if completed.returncode != 0:
        raise _pg_failed("pg_dump", completed.stderr)
    return facts


def _copy_sqlite(target: Path) -> DatabaseFacts:
    """sqlite3's online backup in one step (a consistent copy while others write); the facts
    counted in the copy."""
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        raise _unreachable(error) from None
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        return database_facts(copy.cursor(), "sqlite")
    except sqlite3.OperationalError as error:
        if "full" in str(error) or "disk" in str(error):
            raise BackupError(
                _("Er is niet genoeg ruimte op de schijf voor de kopie van de database: %(error)s")
                % {"error": error}
            ) from None
        raise
    finally:
        copy.close()


# --- backup -------------------------------------------------------------------------------


def default_output() -> Path:
    return Path.cwd() / f"schakelpunt-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar"


@contextmanager
def _staging(near: Path) -> Iterator[Path]:
    """A private folder beside `near` (same file system, so the final rename is atomic)."""
    folder = Path(tempfile.mkdtemp(prefix=".schakelpunt-backup-", dir=near))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    """Add `path` as `name`, hashing exactly the bytes that go into the archive."""
    size = path.stat().st_size
    digest = hashlib.sha256()

    class _Hashing:
        def __init__(self, fh: IO[bytes]) -> None:
            self.fh = fh

        def read(self, n: int = -1) -> bytes:
            data = self.fh.read(n)
            digest.update(data)
            return data

    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(path.stat().st_mtime)
    with path.open("rb") as fh:
        tar.addfile(info, _Hashing(fh))
    return {"sha256": digest.hexdigest(), "size": size}


def backup(output: Path | None = None) -> BackupResult:
    """Write the archive to `output` atomically (a hidden temporary name, then a rename), mode
    0600: it holds data about minors."""
    output = (output or default_output()).absolute()
    if output.is_dir():
        raise BackupError(_("%(path)s is een map; geef een bestandsnaam op.") % {"path": output})
    if not output.parent.is_dir():
        raise BackupError(_("De map %(path)s bestaat niet.") % {"path": output.parent})
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(_("Back-ups kunnen alleen van PostgreSQL en SQLite."))
    temporary = output.parent / f".{output.name}.{os.getpid()}.tmp"
    data_dir = Path(settings.DATA_DIR)
    try:
        with _staging(output.parent) as staging:
            member = PG_DUMP_MEMBER if vendor == "postgresql" else SQLITE_MEMBER
            dump = staging / member
            facts = _dump_postgresql(dump) if vendor == "postgresql" else _copy_sqlite(dump)
            excluded = _excluded_paths([output, temporary, staging])
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
                checksums = {member: _add_file(tar, dump, member)}
                for path, name in data_files(data_dir, excluded):
                    checksums[FILES_PREFIX + name] = _add_file(tar, path, FILES_PREFIX + name)
                manifest = _manifest(vendor, facts, checksums)
                body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mode = 0o600
                info.mtime = int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(body))
                tar.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(temporary, output)
            _fsync_dir(output.parent)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if _no_space(error):
            raise BackupError(
                _(
                    "Er is niet genoeg ruimte op de schijf in %(folder)s: de back-up is niet "
                    "gemaakt (er blijft geen half bestand achter). Nodig is ruwweg twee keer "
                    "de grootte van de database-dump."
                )
                % {"folder": output.parent}
            ) from None
        raise BackupError(_("De back-up is niet gemaakt: %(error)s") % {"error": error}) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return BackupResult(path=output, size=output.stat().st_size, manifest=manifest)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _manifest(
    vendor: str, facts: DatabaseFacts, checksums: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schakelpunt_version": _version(),
        "database": {
            "vendor": vendor,
            "member": PG_DUMP_MEMBER if vendor == "postgresql" else SQLITE_MEMBER,
        },
        "migrations": facts.latest_migrations(),
        "applied_migrations": facts.migrations,
        "tables": facts.tables,
        "access_log": {"last_entry": facts.last_entry},
        "files": checksums,
    }


# --- restore ------------------------------------------------------------------------------

# What a fresh `migrate` fills by itself: a database holding only these counts as empty.
SEEDED_BY_MIGRATIONS = ("refdata", "funding.FundingStream", "access.AccessLogChainHead")


def _seeded_tables() -> set[str]:
    tables: set[str] = set()
    for label in SEEDED_BY_MIGRATIONS:
        if "." in label:
            tables.add(apps.get_model(label)._meta.db_table)
        else:
            tables.update(m._meta.db_table for m in apps.get_app_config(label).get_models())
    return tables


def occupied_tables(facts: DatabaseFacts) -> list[str]:
    """The application's tables that hold rows beyond what `migrate` puts there."""
    own = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.startswith("schakelpunt.")
    } - _seeded_tables()
    return sorted(name for name, rows in facts.tables.items() if rows and name in own)


def _current_facts() -> DatabaseFacts:
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return database_facts(cursor, "postgresql")
        with connection.cursor() as cursor:
            return database_facts(cursor, connection.vendor)
    except DatabaseError as error:
        raise _unreachable(error) from None


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, mode="r:") as tar:
            member = tar.getmember(MANIFEST)
            fh = tar.extractfile(member)
            if fh is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(fh.read())
    except FileNotFoundError:
        raise BackupError(_("Het archief %(path)s bestaat niet.") % {"path": archive}) from None
    except (tarfile.TarError, KeyError, ValueError, OSError):
        raise BackupError(
            _("%(path)s is geen back-up van Schakelpunt (geen leesbaar manifest).")
            % {"path": archive}
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _(
                "Dit archief heeft opmaak %(found)s; deze versie van Schakelpunt leest opmaak %(format)s."
            )
            % {"found": manifest.get("format"), "format": FORMAT}
        )
    return manifest


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations applied in the archive that this code does not have: a newer schema."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    return sorted(set(manifest.get("applied_migrations", [])) - known)


def _unapplied_migrations(manifest: dict[str, Any]) -> list[str]:
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    return sorted(known - set(manifest.get("applied_migrations", [])))


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(_("Het archief bevat een onveilige naam: %(name)s") % {"name": name})
    return path


def extract_verified(archive: Path, manifest: dict[str, Any], into: Path) -> None:
    """Unpack every member the manifest names into `into`, checking each SHA-256; refuse an
    archive with a member missing, added or changed before anything is restored."""
    expected: dict[str, dict[str, Any]] = manifest.get("files", {})
    seen: set[str] = set()
    with tarfile.open(archive, mode="r:") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            relative = _safe_member(member.name)
            if member.name not in expected or not member.isfile():
                raise BackupError(
                    _(
                        "Het archief is gewijzigd: %(name)s staat niet in het manifest. "
                        "Er is niets teruggezet."
                    )
                    % {"name": member.name}
                )
            target = into.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            if source is None:  # pragma: no cover - isfile() above
                raise BackupError(member.name)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(
                    _(
                        "Het archief is beschadigd of gewijzigd: het controlegetal van "
                        "%(name)s klopt niet met het manifest. Er is niets teruggezet."
                    )
                    % {"name": member.name}
                )
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            _("Het archief is onvolledig: %(names)s ontbreekt. Er is niets teruggezet.")
            % {"names": ", ".join(missing)}
        )


def _restore_postgresql(dump: Path, *, replace: list[str]) -> None:
    """pg_restore into the database, in one transaction: all of it, or nothing. `replace`: the
    archive's tables this database already has."""
    pg_restore = _pg_tool("pg_restore")
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--no-password"]
    connection.close()
    if not replace:
        _run_pg_tool(
            "pg_restore",
            [
                pg_restore,
                *options,
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(dump),
            ],
        )
        return
    # `pg_restore --clean` cannot drop the constraints a partition inherits (the absence
    # records' partitions), so the archive's tables are dropped first, and psql runs that and
    # pg_restore's script in one transaction.
    psql = _pg_tool("psql")
    script = dump.with_name("restore.sql")
    _run_pg_tool(
        "pg_restore",
        [pg_restore, *options, "--clean", "--if-exists", f"--file={script}", str(dump)],
    )
    combined = dump.with_name("replace.sql")
    with combined.open("wb") as out, script.open("rb") as restore_script:
        drop = "DROP TABLE IF EXISTS " + ", ".join(_quote(name) for name in replace)
        out.write(f"{drop} CASCADE;\n".encode())
        shutil.copyfileobj(restore_script, out)
    script.unlink()
    _run_pg_tool(
        "psql",
        [
            psql,
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={combined}",
        ],
    )


def _run_pg_tool(tool: str, command: list[str]) -> None:
    completed = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        command, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise _pg_failed(tool, completed.stderr)


def _restore_sqlite(copy: Path) -> None:
    """The backup API replaces the whole database in one transaction, through the configured
    connection (its file, URI and busy timeout)."""
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
        connection.close()


def _restore_files(folder: Path, data_dir: Path) -> int:
    """Put the archive's files back into the data directory, each by a rename."""
    restored = 0
    if not folder.is_dir():
        return 0
    excluded = _excluded_paths([])
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        target = data_dir / relative
        if target.resolve() in excluded:
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = target.parent / f".{target.name}.restore.tmp"
        shutil.copyfile(path, temporary)
        temporary.chmod(0o600)
        os.replace(temporary, target)
        restored += 1
    return restored


def compare(manifest: dict[str, Any], facts: DatabaseFacts) -> list[str]:
    """Every difference between the manifest and the restored database, in Dutch."""
    differences = []
    for table, rows in sorted(manifest["tables"].items()):
        found = facts.tables.get(table)
        if found is None:
            differences.append(_("tabel %(table)s ontbreekt") % {"table": table})
        elif found != rows:
            differences.append(
                _("tabel %(table)s heeft %(found)s rijen, het manifest %(rows)s")
                % {"table": table, "found": found, "rows": rows}
            )
    expected = manifest["access_log"]["last_entry"]
    if facts.last_entry != expected:
        differences.append(
            _(
                "de laatste regel van het toegangslog (%(table)s) is %(found)s, het manifest %(expected)s"
            )
            % {"table": _access_log_table(), "found": facts.last_entry, "expected": expected}
        )
    return differences


def database_name() -> str:
    """What the operator types to confirm replacing a database with data: PostgreSQL's database
    name, or the SQLite file's name."""
    name = str(connection.settings_dict["NAME"])
    return Path(name).name if connection.vendor == "sqlite" else name


def restore(
    archive: Path,
    *,
    force: bool = False,
    confirm: Callable[[str, list[str]], bool] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Check the archive, restore the database and the files, and verify the result against
    the manifest and the access log's hash chain. A database with data is only replaced with
    `force` and when `confirm(database name, tables with data)` says yes."""
    say = progress or (lambda _text: None)
    manifest = read_manifest(archive)
    vendor = connection.vendor
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            _(
                "Dit archief bevat een %(archived)s-database, de ingestelde database is "
                "%(configured)s. Zet een back-up terug op hetzelfde soort database."
            )
            % {"archived": manifest["database"]["vendor"], "configured": vendor}
        )
    newer = unknown_migrations(manifest)
    if newer:
        raise BackupError(
            _(
                "Dit archief komt van een nieuwere versie van Schakelpunt (%(version)s): deze "
                "code kent de migraties %(migrations)s niet. Installeer eerst die versie (of "
                "een nieuwere) en zet dan terug."
            )
            % {"version": manifest.get("schakelpunt_version"), "migrations": ", ".join(newer)}
        )
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="schakelpunt-restore-") as folder:
        staging = Path(folder)
        say(_("Archief controleren…"))
        extract_verified(archive, manifest, staging)
        current = _current_facts()
        occupied = occupied_tables(current)
        if occupied and not force:
            raise BackupError(
                _(
                    "De database is niet leeg: %(tables)s bevatten gegevens. Er is niets "
                    "teruggezet. Zet terug in een lege database, of gebruik --force om alles "
                    "in deze database te vervangen."
                )
                % {"tables": ", ".join(occupied[:5]) + (" …" if len(occupied) > 5 else "")}
            )
        if occupied and (confirm is None or not confirm(database_name(), occupied)):
            raise BackupError(
                _(
                    "De database %(name)s bevat gegevens en is niet bevestigd: er is niets "
                    "teruggezet. Geef --confirm %(name)s om alles daarin te vervangen."
                )
                % {"name": database_name()}
            )
        say(_("Database terugzetten…"))
        dump = staging / manifest["database"]["member"]
        if vendor == "postgresql":
            replace = [name for name in current.tables if name in manifest["tables"]]
            _restore_postgresql(dump, replace=replace)
        else:
            _restore_sqlite(dump)
        say(_("Bestanden terugzetten…"))
        files = _restore_files(staging / FILES_PREFIX.rstrip("/"), data_dir)
    say(_("Controleren…"))
    restored = _current_facts()
    differences = compare(manifest, restored)
    chain = access_log_verify()
    if chain.broken is not None:
        differences.append(
            _("de keten van het toegangslog (%(table)s) is verbroken: %(reason)s")
            % {"table": _access_log_table(), "reason": chain.broken.reason}
        )
    return RestoreResult(
        manifest=manifest,
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=files,
        chain_entries=chain.entries,
        differences=differences,
        extra_tables=sorted(set(restored.tables) - set(manifest["tables"])),
        unapplied_migrations=_unapplied_migrations(manifest),
    )
