"""The morning run at scale: statutory reports and early warnings for many students.

    python bench/daily_signals.py [--students 500000] [--runs 3] [--postgres URL]
                                  [--no-sqlite] [--no-duckdb] [--queue 1,2,4] [--redis URL]

Data: one institution, `--students` BOL students, one school year (2025-2026, holidays region
Noord) of day-level absence as schools export it (the days with absence; about one in twelve
school days on average, a tail of chronic absentees, whole-day streaks). Timed per engine:

- SQLite and PostgreSQL: `daily_signals_compute` for 10 July 2026, the same call as the
  morning job (load, rules per student, write reports, early warnings and triage signals),
  on a fresh database; then the next school day (13 July), timed on its own, with
  that day's open signals to update;
- DuckDB: the same rules as plain SQL over the same rows (`bench/daily_signals.sql`), the
  floor this machine can reach;
- with `--queue 1,2,4`: on PostgreSQL the morning run itself (`morning_run_start`, its shards
  on the task queue in Redis `--redis`) through real `run_huey` consumers with 1, 2 and 4
  worker processes, timed from handing out the shards to the run being done; with speed-up,
  scaling efficiency and the ratio to the DuckDB floor.

About one student in 97 is in support (a trajectory) and one in 89 has a concern nobody acted
on, so the age and follow-up factors fire too. Prints the median of the runs per engine and
the number of reports per kind and of students per early-warning factor; exits non-zero,
naming the counts, when the engines do not agree on them.
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
from datetime import date, datetime, timedelta
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
IN_SUPPORT, WITH_CONCERN = 97, 89  # every n-th student
CONCERN_RAISED = date(2026, 6, 10)  # nobody acted on it since
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
# Worker processes without the scheduler, polling the queue often.
CONSUMER = [sys.executable, "-m", "schakelpunt", "run_huey", "-k", "process", "-n", "-q"]
CONSUMER += ["-d", "0.05", "-m", "0.5"]


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


def child(folder: str, runs: int, queue: str = "") -> None:
    """Inside Django: load the rows, then time the morning run (`queue`: 'WORKERS@REDIS_URL'
    to time it through the task queue too)."""
    import django

    django.setup()
    from common import make_school
    from django.db import connection, transaction
    from django.utils import timezone

    from schakelpunt.signals.daily import daily_signals_compute
    from schakelpunt.signals.models import (
        AbsenceRecord,
        Concern,
        SchoolHoliday,
    )
    from schakelpunt.students.models import Student
    from schakelpunt.support.models import Trajectory

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
    Trajectory.objects.bulk_create(
        Trajectory(student_id=pk) for number, pk in ids.items() if int(number) % IN_SUPPORT == 0
    )
    raised = timezone.make_aware(datetime.combine(CONCERN_RAISED, datetime.min.time()))
    Concern.objects.bulk_create(
        Concern(student_id=pk, text="zorg", created_at=raised)
        for number, pk in ids.items()
        if int(number) % WITH_CONCERN == 0
    )
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
        fresh_morning()
        start = time.perf_counter()
        daily_signals_compute(institution=roc, today=TODAY)
        seconds.append(time.perf_counter() - start)
        reports, factors = found_counts()
        # And the next school day, with the open signals of this one to keep up to date.
        start = time.perf_counter()
        daily_signals_compute(institution=roc, today=NEXT_DAY)
        next_seconds.append(time.perf_counter() - start)
    result: dict[str, object] = {
        "seconds": seconds,
        "next": next_seconds,
        "reports": reports,
        "factors": factors,
    }
    if queue:
        workers, redis = queue.split("@", 1)
        result["queue"] = [
            queue_run(roc, int(n), redis, fresh_morning, found_counts) for n in workers.split(",")
        ]
    print(json.dumps(result))


def fresh_morning() -> None:
    """Nothing computed yet today (the concerns raised by people stay)."""
    from schakelpunt.signals.models import AbsenceReport, Concern, ConcernSource, EarlyWarning

    AbsenceReport.objects.all().delete()
    Concern.objects.filter(source=ConcernSource.EARLY_WARNING).delete()
    EarlyWarning.objects.all().delete()


def found_counts() -> tuple[Counter[str], Counter[str]]:
    """Reports per kind and students per early-warning factor."""
    from schakelpunt.signals.models import AbsenceReport, EarlyWarning

    reports = Counter(AbsenceReport.objects.values_list("kind", flat=True))
    factors: Counter[str] = Counter()
    for found in EarlyWarning.objects.values_list("factors", flat=True).iterator(5000):
        factors.update({f["code"] for f in found})
    return reports, factors


def queue_run(roc, workers, redis, fresh_morning, found_counts):  # type: ignore[no-untyped-def]
    """The morning run through `workers` huey worker processes (`run_huey -k process`)
    against this database and Redis: seconds from handing out the shards until the run is
    done (the monitor figures it refreshes after that are not timed: not the rules' work)."""
    import subprocess

    from huey import RedisHuey
    from huey.contrib.djhuey import HUEY

    from schakelpunt.signals.daily import morning_run_start, morning_runs_resume
    from schakelpunt.signals.models import MorningRun
    from schakelpunt.signals.tasks import compute_morning_shard

    fresh_morning()
    MorningRun.objects.all().delete()
    queue = RedisHuey("schakelpunt", url=redis)
    queue._registry = HUEY._registry  # the workers' task names
    queue.flush()
    env = {**os.environ, "REDIS_URL": redis, "HUEY_IMMEDIATE": "false"}
    consumer = subprocess.Popen(  # noqa: S603
        [*CONSUMER, "-w", str(workers)],
        env=env,
    )
    try:
        time.sleep(5)  # the workers are up and waiting
        start = time.perf_counter()
        run, shards = morning_run_start(institution=roc, today=TODAY)
        for shard_id in shards:
            queue.enqueue(compute_morning_shard.s(shard_id))
        checked = time.perf_counter()
        while True:
            if time.perf_counter() - checked > 10:  # as `resume_morning_runs`, more often
                for shard_id in morning_runs_resume(lease=timedelta(seconds=60))[0]:
                    queue.enqueue(compute_morning_shard.s(shard_id))
                checked = time.perf_counter()
            run.refresh_from_db()
            if run.status != "running":
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - start
    finally:
        consumer.terminate()
        consumer.wait()
        queue.flush()
    reports, factors = found_counts()
    return {
        "workers": workers,
        "shards": len(shards),
        "status": run.status,
        "seconds": seconds,
        "reports": reports,
        "factors": factors,
    }


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
    db.execute(
        f"CREATE TABLE support AS SELECT number FROM students WHERE number % {IN_SUPPORT} = 0"  # noqa: S608
    )
    # Raised on CONCERN_RAISED, weeks before today: past the follow-up days.
    db.execute(
        "CREATE TABLE concerns AS SELECT number, 1 AS open_other, 1 AS unfollowed "  # noqa: S608
        f"FROM students WHERE number % {WITH_CONCERN} = 0"
    )
    script = SQL.read_text()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from schakelpunt.signals.statutory import SchoolCalendar

    recent_from = max(SchoolCalendar(tuple(HOLIDAYS)).school_weeks_back(TODAY, 4), ENROLLED)
    params = {
        "today": TODAY,
        "start": max(YEAR_START, ENROLLED),
        "recent_from": recent_from,
        "enrolled": ENROLLED,
    }
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
    if len(sys.argv) in (4, 5) and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), *sys.argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL, or '' to skip")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument(
        "--queue", default="", help="worker processes to time the queued run with, e.g. 1,2,4"
    )
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="Redis for --queue")
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
                queue = [f"{args.queue}@{args.redis}"] if args.queue else []
                results["PostgreSQL"] = run_child(
                    __file__, url, str(folder), str(args.runs), *queue
                )
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
        floor = results.get("DuckDB (SQL)", {}).get("seconds")
        queued = results.get("PostgreSQL", {}).pop("queue", [])
        if queued:
            print_scaling(queued, statistics.median(floor) if floor else None)  # type: ignore[arg-type]
            for run in queued:
                results[f"PostgreSQL queue x{run['workers']}"] = run
        print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
        for label, result in results.items():
            print(f"{label:<22} reports {dict(sorted(result['reports'].items()))}")  # type: ignore[union-attr]
            print(f"{'':<22} factors {dict(sorted(result['factors'].items()))}")  # type: ignore[union-attr]
        differences = disagreements(results)
        for line in differences:
            print(f"DIFFERENT: {line}")
        if differences:
            raise SystemExit("the engines do not agree on reports or factors (see DIFFERENT)")


def print_scaling(queued: list[dict[str, object]], floor: float | None) -> None:
    """Time, speed-up and scaling efficiency per number of worker processes, and the ratio to
    the DuckDB floor."""
    base = float(queued[0]["seconds"]) * int(queued[0]["workers"])  # type: ignore[call-overload]
    print("queued morning run (PostgreSQL, huey worker processes, Redis):")
    print("workers  shards  status  seconds  speed-up  efficiency  x DuckDB")
    for run in queued:
        n, seconds = int(run["workers"]), float(run["seconds"])  # type: ignore[call-overload]
        speed_up = base / seconds
        ratio = f"{seconds / floor:8.1f}" if floor else "       -"
        print(
            f"{n:>7}  {run['shards']:>6}  {run['status']:>6}  {seconds:7.1f}  "
            f"{speed_up:8.2f}  {speed_up / n:10.0%}  {ratio}"
        )


def disagreements(results: dict[str, dict[str, object]]) -> list[str]:
    """Per report kind and early-warning factor, the engines whose count differs from the
    first engine's."""
    found = []
    labels = list(results)
    for key in ("reports", "factors"):
        counts = {label: dict(results[label][key]) for label in labels}  # type: ignore[call-overload]
        names = sorted({name for c in counts.values() for name in c})
        for name in names:
            seen = {label: counts[label].get(name, 0) for label in labels}
            if len(set(seen.values())) > 1:
                found.append(f"{key} {name}: " + ", ".join(f"{k} {v}" for k, v in seen.items()))
    return found


if __name__ == "__main__":
    main()
