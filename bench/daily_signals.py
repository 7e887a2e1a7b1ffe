"""The morning run at scale: statutory reports and early warnings for many students.

    python bench/daily_signals.py [--students 500000] [--runs 3] [--postgres URL]
                                  [--no-sqlite] [--no-duckdb]

Data: one institution, `--students` BOL students, one school year (2025-2026, holidays region
Noord) of day-level absence as schools export it (the days with absence; about one in twelve
school days on average, a tail of chronic absentees, whole-day streaks). Timed per engine:

- SQLite and PostgreSQL: `daily_signals_compute` for 10 July 2026, the same call as the
  morning job (load, rules per student, write reports, early warnings and triage signals),
  on a fresh database; then the next school day (13 July), timed on its own, with
  that day's open signals to update;
- DuckDB: the same rules as plain SQL over the same rows (`bench/daily_signals.sql`), the
  floor this machine can reach.

Prints the median of the runs per engine and, as a check that the engines agree, the number
of reports per kind and of students per early-warning factor.
"""

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from common import machine, postgres_database, run_child

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
TODAY = date(2026, 7, 10)
NEXT_DAY = date(2026, 7, 13)  # the Monday after
ENROLLED = date(2025, 8, 25)  # every student; the first school day after the summer
YEAR_START = date(2025, 8, 1)
HOLIDAYS = [
    (date(2025, 10, 18), date(2025, 10, 26)),
    (date(2025, 12, 20), date(2026, 1, 4)),
    (date(2026, 2, 21), date(2026, 3, 1)),
    (date(2026, 4, 3), date(2026, 4, 6)),
    (date(2026, 4, 18), date(2026, 5, 3)),
    (date(2026, 5, 14), date(2026, 5, 15)),
    (date(2026, 5, 25), date(2026, 5, 25)),
]
# Share of students and their chance to miss a school day (as in the demo region).
PROFILES = [(0.70, 0.01), (0.20, 0.05), (0.08, 0.12), (0.02, 0.35)]
SQL = Path(__file__).with_name("daily_signals.sql")


def school_days() -> list[date]:
    holidays = {
        start + timedelta(days=i) for start, end in HOLIDAYS for i in range((end - start).days + 1)
    }
    day, days = ENROLLED, []
    while day <= TODAY:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def generate(folder: Path, students: int) -> None:
    """students.csv and absence.csv, the same for every engine."""
    rng = random.Random(500)
    days = school_days()
    with (folder / "students.csv").open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["number", "date_of_birth", "qualified", "level", "prior"])
        for n in range(students):
            born = date(2003, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
            w.writerow(
                [
                    n,
                    born.isoformat(),
                    int(rng.random() < 0.1),
                    rng.choice([1, 2, 2, 3, 3, 4, 4, 4]),
                    rng.choice(["vmbo", "vmbo", "vmbo", "havo_vwo", "mbo", "none", "pro", "vso"]),
                ]
            )
    chances = [c for _s, c in PROFILES]
    shares = [s for s, _c in PROFILES]
    with (folder / "absence.csv").open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["number", "day", "scheduled", "absent", "reason"])
        for n in range(students):
            chance = rng.choices(chances, weights=shares)[0]
            i = int(rng.expovariate(chance))
            while i < len(days):
                if chance > 0.3 and rng.random() < 0.2:  # a streak of whole days
                    for j in range(i, min(i + rng.randrange(3, 30), len(days))):
                        w.writerow([n, days[j].isoformat(), 6, 6, "unauthorised"])
                        i = j
                else:
                    reason = rng.choices(
                        ["unauthorised", "illness", "other_authorised", "suspension"],
                        weights=[60, 30, 8, 2],
                    )[0]
                    hours = 6 if rng.random() < 0.6 else rng.randrange(1, 6)
                    w.writerow([n, days[i].isoformat(), 6, hours, reason])
                i += 1 + int(rng.expovariate(chance))


def child(folder: str, runs: int) -> None:
    """Inside Django: load the rows, then time the morning run."""
    import django

    django.setup()
    from common import make_school
    from django.db import connection, transaction

    from schakelpunt.signals.daily import daily_signals_compute
    from schakelpunt.signals.models import (
        AbsenceRecord,
        AbsenceReport,
        Concern,
        EarlyWarning,
        SchoolHoliday,
    )
    from schakelpunt.students.models import Student

    school = make_school("ROC Schaal")
    roc, location, place, programmes = (
        school.institution,
        school.location,
        school.place,
        school.programmes,
    )
    for start, end in HOLIDAYS:
        SchoolHoliday.objects.create(institution=roc, name="vakantie", start=start, end=end)
    ids: dict[str, int] = {}
    with (Path(folder) / "students.csv").open() as f:
        rows = list(csv.DictReader(f))
    for i in range(0, len(rows), 5000):
        made = Student.objects.bulk_create(
            Student(
                institution=roc,
                location=location,
                programme=programmes[int(r["level"])],
                student_number=r["number"],
                first_name="S",
                last_name=r["number"],
                date_of_birth=date.fromisoformat(r["date_of_birth"]),
                postcode="7511 AA",
                residence_municipality=place,
                prior_education=r["prior"],
                has_basic_qualification=r["qualified"] == "1",
                enrolled_on=ENROLLED,
            )
            for r in rows[i : i + 5000]
        )
        ids.update({s.student_number: s.pk for s in made})
    table = AbsenceRecord._meta.db_table
    with (Path(folder) / "absence.csv").open() as f, transaction.atomic():
        reader = csv.reader(f)
        next(reader)
        batch: list[tuple[object, ...]] = []
        with connection.cursor() as cursor:
            for number, day, scheduled, absent, reason in reader:
                batch.append((ids[number], day, scheduled, absent, reason))
                if len(batch) == 50_000:
                    cursor.executemany(
                        f"INSERT INTO {table} (student_id, day, scheduled_hours, absent_hours, "  # noqa: S608
                        "reason) VALUES (%s, %s, %s, %s, %s)",
                        batch,
                    )
                    batch = []
            if batch:
                cursor.executemany(
                    f"INSERT INTO {table} (student_id, day, scheduled_hours, absent_hours, "  # noqa: S608
                    "reason) VALUES (%s, %s, %s, %s, %s)",
                    batch,
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds, next_seconds = [], []
    reports: Counter[str] = Counter()
    factors: Counter[str] = Counter()
    for _ in range(runs):
        # Each run is a fresh morning: nothing computed yet.
        AbsenceReport.objects.all().delete()
        Concern.objects.all().delete()
        EarlyWarning.objects.all().delete()
        start = time.perf_counter()
        daily_signals_compute(institution=roc, today=TODAY)
        seconds.append(time.perf_counter() - start)
        reports = Counter(AbsenceReport.objects.values_list("kind", flat=True))
        factors = Counter()
        for found in EarlyWarning.objects.values_list("factors", flat=True):
            factors.update({f["code"] for f in found})
        # And the next school day, with the open signals of this one to keep up to date.
        start = time.perf_counter()
        daily_signals_compute(institution=roc, today=NEXT_DAY)
        next_seconds.append(time.perf_counter() - start)
    print(
        json.dumps(
            {"seconds": seconds, "next": next_seconds, "reports": reports, "factors": factors}
        )
    )


def calendar_rows() -> list[tuple[str, int, str, str, str]]:
    """Per school day: its index, the Monday 4 school weeks back, and the last school day
    before / first school day from the same weekday 4 school weeks later (holiday weeks
    skipped). The institution's calendar, as the application computes it."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from schakelpunt.signals.statutory import SchoolCalendar

    cal = SchoolCalendar(tuple(HOLIDAYS))
    rows = []
    for index, day in enumerate(school_days()):
        end = cal.add_school_weeks(day, 4)
        last_in = max(cal.school_days(day, end - timedelta(days=1)))
        first_after = min(cal.school_days(end, end + timedelta(days=60)))
        rows.append(
            (
                day.isoformat(),
                index,
                cal.school_weeks_back(day, 4).isoformat(),
                last_in.isoformat(),
                first_after.isoformat(),
            )
        )
    return rows


def duckdb_runs(folder: Path, runs: int) -> dict[str, object]:
    import duckdb

    db = duckdb.connect()
    db.execute(
        f"CREATE TABLE students AS SELECT * FROM read_csv('{folder / 'students.csv'}', "  # noqa: S608
        "types={'date_of_birth': 'DATE'})"
    )
    db.execute(
        f"CREATE TABLE absence AS SELECT * FROM read_csv('{folder / 'absence.csv'}', "  # noqa: S608
        "types={'day': 'DATE', 'scheduled': 'DECIMAL(4,1)', 'absent': 'DECIMAL(4,1)'})"
    )
    db.execute(
        "CREATE TABLE calendar (day DATE, idx INTEGER, window_start DATE, last_in DATE, "
        "first_after DATE)"
    )
    db.executemany("INSERT INTO calendar VALUES (?, ?, ?, ?, ?)", calendar_rows())
    script = SQL.read_text()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from schakelpunt.signals.statutory import SchoolCalendar

    recent_from = max(SchoolCalendar(tuple(HOLIDAYS)).school_weeks_back(TODAY, 4), ENROLLED)
    params = {"today": TODAY, "start": max(YEAR_START, ENROLLED), "recent_from": recent_from}
    for name, value in params.items():
        script = script.replace(f"${name}", f"DATE '{value.isoformat()}'")
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        db.execute(script)
        reports = db.execute("SELECT kind, count(*) FROM reports GROUP BY kind").fetchall()
        factors = db.execute("SELECT code, count(*) FROM factors GROUP BY code").fetchall()
        seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "reports": dict(reports), "factors": dict(factors)}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL, or '' to skip")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-duckdb", action="store_true")
    args = parser.parse_args()
    print(
        f"daily signals, {args.students} students, {args.runs} runs; " + machine(),
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.students)
        with (folder / "absence.csv").open() as f:
            print(f"absence rows: {sum(1 for _ in f) - 1}", flush=True)
        results: dict[str, dict[str, object]] = {}
        if not args.no_duckdb:
            results["DuckDB (SQL)"] = duckdb_runs(folder, args.runs)
        if not args.no_sqlite:
            results["SQLite"] = run_child(
                __file__, f"sqlite:///{tmp}/scale.sqlite3", str(folder), str(args.runs)
            )
        if args.postgres:
            name = f"schakelpunt_bench_scale_{os.getpid()}"
            url = postgres_database(args.postgres, name, create=True)
            try:
                results["PostgreSQL"] = run_child(__file__, url, str(folder), str(args.runs))
            finally:
                postgres_database(args.postgres, name, create=False)
        for label, result in results.items():
            for key, what in (("seconds", ""), ("next", " (next day)")):
                times = result.get(key)
                if isinstance(times, list):
                    print(
                        f"{label + what:<24} median {statistics.median(times):7.1f} s; runs: "
                        + ", ".join(f"{t:.1f}" for t in times)
                    )
        for label, result in results.items():
            print(f"{label:<13} reports {dict(sorted(result['reports'].items()))}")  # type: ignore[union-attr]
            print(f"{'':<13} factors {dict(sorted(result['factors'].items()))}")  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
