"""Time building the default demo region (21,000 students) in a fresh database.

    python bench/demo_build.py [--runs 5] [--students 21000] [--postgres URL]
    python bench/demo_build.py --regions national --students 100000 [--sqlite no] [--sizes]

Each run migrates a new database, then times `schakelpunt demo` alone. Prints every run and
the median, and the build rate in students per second, on SQLite and (when reachable) on
PostgreSQL. Target: under 120 s on 2 cores for Twente. With --regions the national demo is
built (several RMC regions, see schakelpunt.demo.national); with --sizes the PostgreSQL run
also prints the biggest tables (pg_total_relation_size) before its database is dropped.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from common import machine

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def schakelpunt(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "schakelpunt", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


REGIONS = ""
SIZES = False
SIZES_SQL = """
    SELECT relname, pg_total_relation_size(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    ORDER BY 2 DESC LIMIT 12
"""


def print_sizes(url: str, students: int) -> None:
    """The biggest tables and the whole database, also per 100,000 students."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(SIZES_SQL).fetchall()
        (total,) = conn.execute("SELECT pg_database_size(current_database())").fetchone() or (0,)
    per = 100_000 / students
    for name, size in rows:
        print(f"  {name:<40} {size / 2**20:8.1f} MB   {size * per / 2**20:8.1f} MB per 100,000")
    print(f"  {'database':<40} {total / 2**20:8.1f} MB   {total * per / 2**20:8.1f} MB per 100,000")


def one_run(database_url: str, data_dir: str, students: int) -> float:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
        "DATABASE_URL": database_url,
        "SCHAKELPUNT_DATA_DIR": data_dir,
    }
    schakelpunt(["migrate", "-v0"], env)
    start = time.perf_counter()
    regions = ["--regions", REGIONS] if REGIONS else []
    out = schakelpunt(["demo", "--students", str(students), *regions], env)
    took = time.perf_counter() - start
    if REGIONS:  # each region's step, and the build's own rate
        print("\n".join(line for line in out.splitlines() if " s] " in line or "gebouwd" in line))
    if SIZES and database_url.startswith("postgres"):
        print_sizes(database_url.replace("postgres://", "postgresql://", 1), students)
    return took


def postgres_runs(base_url: str, runs: int, students: int) -> list[float]:
    import psycopg

    times = []
    admin_url = base_url.replace("postgres://", "postgresql://", 1)
    for i in range(runs):
        name = f"schakelpunt_bench_{os.getpid()}_{i}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = base_url.rsplit("/", 1)[0] + f"/{name}"
            with tempfile.TemporaryDirectory() as data_dir:
                times.append(one_run(url, data_dir, students))
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return times


def report(label: str, times: list[float], students: int) -> None:
    runs = ", ".join(f"{t:.1f}" for t in times)
    median = statistics.median(times)
    print(
        f"{label:<11} median {median:6.1f} s   {students / median:6.0f} students/s   runs: {runs}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--students", type=int, default=21_000)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL, or '' to skip")
    parser.add_argument("--sqlite", default="yes", choices=["yes", "no"])
    parser.add_argument("--regions", default="", help="e.g. MC12,MC10 or national")
    parser.add_argument("--sizes", action="store_true", help="print the biggest tables (PG)")
    args = parser.parse_args()
    global REGIONS, SIZES
    REGIONS, SIZES = args.regions, args.sizes
    what = f"regions {args.regions}" if args.regions else "demo region"
    print(f"{what}, {args.students} students, {args.runs} runs; " + machine(), flush=True)
    if args.sqlite == "yes":
        sqlite_times = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as data_dir:
                url = f"sqlite:///{data_dir}/bench.sqlite3"
                sqlite_times.append(one_run(url, data_dir, args.students))
        report("SQLite", sqlite_times, args.students)
    if args.postgres:
        try:
            times = postgres_runs(args.postgres, args.runs, args.students)
            report("PostgreSQL", times, args.students)
        except Exception as exc:  # a missing server is reported, not fatal
            print(f"PostgreSQL  skipped: {exc}")


if __name__ == "__main__":
    main()
