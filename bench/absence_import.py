"""Import 1 million absence rows, next to PostgreSQL's own COPY of the same file.

    python bench/absence_import.py [--runs 3] [--rows 1000000] [--postgres URL] [--no-sqlite]

Each run: a new database (migrated), 10,000 students, then `absence_import` of one CSV with
every school day of every student (all checks, all or nothing) into an empty year, timed
alone, and then the same file again (a re-import: nothing written), timed alone. On
PostgreSQL the same file is then loaded with `COPY … FROM STDIN` into a plain table with the
same columns: the floor for getting these bytes into this server; and the same days, as ids
and codes, COPY'd into the absence table itself: the floor for storing them there (its key,
unique index, partitions and foreign key cost more than all the import's checks); and into a
plain table with only the (student, day) key: the least any import that keeps one row per
student and day can cost. Prints rows per second (median of the runs), the ratios to COPY and
the peak memory of the importing process.
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import machine, postgres_database, run_child

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
STUDENTS = 10_000


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(4)
    days_needed = rows // STUDENTS
    days, day = [], date(2025, 9, 1)
    while len(days) < days_needed:
        if day.weekday() < 5:
            days.append(day.isoformat())
        day += timedelta(days=1)
    reasons = ["ongeoorloofd", "ziek", "geoorloofd", "geschorst"]
    with path.open("w", encoding="utf-8") as out:
        out.write("studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n")
        for n in range(STUDENTS):
            for d in days:
                absent = 0 if rng.random() < 0.9 else rng.choice([1, 2, 6])
                reason = "ongeoorloofd" if absent == 0 else rng.choice(reasons)
                allowed = "nee" if reason == "ongeoorloofd" else "ja"
                out.write(f"{2_000_000 + n};{d};6;{absent};{allowed};{reason}\n")


def child(path: str) -> None:
    """Runs inside Django: set up the school, time the import, print JSON."""
    import django

    django.setup()
    from datetime import date as date_

    from common import make_school

    from schakelpunt.accounts.models import Membership, User
    from schakelpunt.signals.importer import absence_import
    from schakelpunt.students.models import Student

    school = make_school("ROC Bench")
    roc, location, enschede = school.institution, school.location, school.place
    programme = school.programmes[2]
    Student.objects.bulk_create(
        (
            Student(
                institution=roc,
                location=location,
                programme=programme,
                student_number=str(2_000_000 + n),
                first_name="B",
                last_name=f"N{n}",
                date_of_birth=date_(2008, 1, 1),
                postcode="7511 AA",
                residence_municipality=enschede,
                enrolled_on=date_(2025, 8, 25),
            )
            for n in range(STUDENTS)
        ),
        batch_size=2000,
    )
    admin = User.objects.create_user(email="bench@example.nl", password=None)
    Membership.objects.create(user=admin, organisation=roc, role="functional_admin")
    data = Path(path).read_bytes()
    start = time.perf_counter()
    result = absence_import(actor=admin, institution=roc, data=data)
    seconds = time.perf_counter() - start
    assert result.ok, result.errors[:5]
    start = time.perf_counter()
    again = absence_import(actor=admin, institution=roc, data=data)
    again_seconds = time.perf_counter() - start
    assert again.ok and again.unchanged == result.created and not again.created, again
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "again_seconds": again_seconds,
                "rows": result.created,
                "peak_mb": peak_mb,
                "table_copy_seconds": table_copy_seconds(data),
                "key_copy_seconds": key_copy_seconds(data),
            }
        )
    )


def rows_as_ids(data: bytes) -> bytes:
    """The file's days as CSV of student id, day, hours and reason code: what the import
    makes of them, ready for COPY."""
    from schakelpunt.signals.importer import REASONS
    from schakelpunt.students.models import Student

    ids = dict(Student.objects.values_list("student_number", "pk"))
    lines = []
    for line in data.decode().splitlines()[1:]:
        number, day, scheduled, absent, _authorised, reason = line.split(";")
        lines.append(f"{ids[number]},{day},{scheduled},{absent},{REASONS[reason]}\n")
    return "".join(lines).encode()


def table_copy_seconds(data: bytes) -> float | None:
    """PostgreSQL: the same days, already as student ids and codes, COPY'd straight into the
    emptied absence table with its keys, indexes, partitions and foreign key, committed: the
    floor for storing them there, which no import can beat."""
    from django.db import connection, transaction

    from schakelpunt.signals.models import AbsenceRecord

    if connection.vendor != "postgresql":
        return None
    rows = rows_as_ids(data)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AbsenceRecord._meta.db_table}")  # noqa: S608
    start = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {AbsenceRecord._meta.db_table} "
            "(student_id, day, scheduled_hours, absent_hours, reason) FROM STDIN (FORMAT csv)"
        ) as copy,
    ):
        for begin in range(0, len(rows), 1 << 20):
            copy.write(rows[begin : begin + (1 << 20)])
    return time.perf_counter() - start


def key_copy_seconds(data: bytes) -> float | None:
    """PostgreSQL: the same days, as ids and codes, COPY'd into a plain table whose only index
    is the key every import needs, one row per student and day: no partitions, no surrogate
    id, no foreign key. What storing these rows costs at the least on this server."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return None
    rows = rows_as_ids(data)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_keyed_absence (student_id bigint, day date, "
            "scheduled_hours numeric(4,1), absent_hours numeric(4,1), reason varchar(20), "
            "PRIMARY KEY (student_id, day))"
        )
    start = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy("COPY bench_keyed_absence FROM STDIN (FORMAT csv)") as copy,
    ):
        for begin in range(0, len(rows), 1 << 20):
            copy.write(rows[begin : begin + (1 << 20)])
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_keyed_absence")
    return seconds


def copy_seconds(url: str, path: Path) -> float:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        conn.execute(
            "CREATE TEMP TABLE copy_bench (studentnummer text, datum date, "
            "geroosterde_uren numeric(4,1), afwezige_uren numeric(4,1), geoorloofd text, "
            "reden text)"
        )
        start = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY copy_bench FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER)") as cp,
            path.open("rb") as f,
        ):
            while chunk := f.read(1 << 20):
                cp.write(chunk)
        conn.commit()
        return time.perf_counter() - start


def floor(label: str, rows: int, seconds: list[float]) -> float:
    """Print a floor's median rate and its runs; returns the rate (0 without runs)."""
    if not seconds:
        return 0.0
    rate = rows / statistics.median(seconds)
    print(
        f"{label:<11} median {rate:>9,.0f} rows/s ({statistics.median(seconds):.1f} s); runs: "
        + ", ".join(f"{s:.1f}" for s in seconds)
    )
    return rate


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL, or '' to skip")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    print(f"absence import, {args.rows} rows, {args.runs} runs; " + machine())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "verzuim.csv"
        write_file(path, args.rows)
        print(f"file: {path.stat().st_size / 1e6:.0f} MB")
        results: dict[str, list[dict[str, float]]] = {"SQLite": [], "PostgreSQL": []}
        copies: list[float] = []
        for i in range(args.runs):
            if not args.no_sqlite:
                results["SQLite"].append(
                    run_child(__file__, f"sqlite:///{tmp}/bench{i}.sqlite3", str(path))
                )
            if args.postgres:
                name = f"schakelpunt_bench_import_{os.getpid()}_{i}"
                url = postgres_database(args.postgres, name, create=True)
                try:
                    results["PostgreSQL"].append(run_child(__file__, url, str(path)))
                    copies.append(copy_seconds(url, path))
                finally:
                    postgres_database(args.postgres, name, create=False)
        copy_rate = floor("COPY", args.rows, copies)
        keyed = [r["key_copy_seconds"] for r in results["PostgreSQL"]]
        keyed_rate = floor("COPY into a table with only the (student, day) key", args.rows, keyed)
        if copy_rate and keyed_rate:
            print(f"            that is {keyed_rate / copy_rate:.2f}x COPY")
        tables = [r["table_copy_seconds"] for r in results["PostgreSQL"]]
        table_rate = floor(
            "COPY into the absence table (keys, indexes, foreign key)", args.rows, tables
        )
        for label, runs in results.items():
            if not runs:
                continue
            for name, key in (("import", "seconds"), ("re-import", "again_seconds")):
                rate = statistics.median(r["rows"] / r[key] for r in runs)
                ratio = ""
                if copy_rate and label != "SQLite":
                    ratio = f", {rate / copy_rate:.2f}x COPY, {rate / table_rate:.2f}x table COPY"
                print(
                    f"{label:<11} {name:<9} median {rate:>9,.0f} rows/s "
                    f"({statistics.median(r[key] for r in runs):.1f} s{ratio}); runs: "
                    + ", ".join(f"{r[key]:.1f}" for r in runs)
                )
            print(f"{label:<11} peak {max(r['peak_mb'] for r in runs):.0f} MB")
        print("load: " + os.popen("uptime").read().strip())  # noqa: S605, S607 - shared machines


if __name__ == "__main__":
    main()
