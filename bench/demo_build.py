"""Time building the default demo region (21,000 students) in a fresh database.

    python bench/demo_build.py [--runs 5] [--students 21000] [--postgres URL]

Each run migrates a new database, then times `schakelpunt demo` alone. Prints every run and
the median, on SQLite and (when reachable) on PostgreSQL. Target: under 120 s on 2 cores.
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


def schakelpunt(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "schakelpunt", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def one_run(database_url: str, data_dir: str, students: int) -> float:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
        "DATABASE_URL": database_url,
        "SCHAKELPUNT_DATA_DIR": data_dir,
    }
    schakelpunt(["migrate", "-v0"], env)
    start = time.perf_counter()
    schakelpunt(["demo", "--students", str(students)], env)
    return time.perf_counter() - start


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


def report(label: str, times: list[float]) -> None:
    runs = ", ".join(f"{t:.1f}" for t in times)
    print(f"{label:<11} median {statistics.median(times):6.1f} s   runs: {runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--students", type=int, default=21_000)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL, or '' to skip")
    args = parser.parse_args()
    print(f"demo region, {args.students} students, {args.runs} runs; " + machine())
    sqlite_times = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as data_dir:
            url = f"sqlite:///{data_dir}/bench.sqlite3"
            sqlite_times.append(one_run(url, data_dir, args.students))
    report("SQLite", sqlite_times)
    if args.postgres:
        try:
            report("PostgreSQL", postgres_runs(args.postgres, args.runs, args.students))
        except Exception as exc:  # a missing server is reported, not fatal
            print(f"PostgreSQL  skipped: {exc}")


if __name__ == "__main__":
    main()
