"""Absence days through the API in batches of 10,000, next to the file import of the same days.

    python bench/api_absence.py [--runs 3] [--rows 100000] [--postgres URL]

Each measurement runs in a new database (migrated) with 10,000 students, and the same days:
every school day of every student, one batch per school day (10,000 days, each student once).

- file: `absence_import` of one CSV with all the days (all checks, all or nothing), timed alone.
- api:  `POST /api/v1/absence/batches` with a connected system's token, one request per batch,
        through Django's test client: the whole WSGI stack in this process (middleware,
        authentication, rate limit, JSON parsing, validation, the checks, the write, the access
        log), no sockets. A batch of 10,000 is more than is imported in the request: the answer
        is 202 with the job, and the worker's part (`absence_import_job_run`, what the huey
        consumer runs) is called right after each answer and timed with it. The job also brings
        the institution's reports and signals up to date, as after an uploaded file; that part
        is timed apart and left out of the rows/s ("api") and counted in "api+signals". The
        access log's part of "api" (a row per student whose absence changed) is shown too.

Prints rows per second (median of the runs) per database.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import machine, postgres_database, run_child

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
STUDENTS = 10_000
BATCH = 10_000
REASONS = {
    "ongeoorloofd": "unauthorised",
    "ziek": "illness",
    "geoorloofd": "other_authorised",
    "geschorst": "suspension",
}


def school_days(rows: int) -> list[date]:
    days, day = [], date(2025, 9, 1)
    while len(days) < rows // STUDENTS:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def write_days(path: Path, rows: int) -> None:
    """The days as the file's rows (one line each), grouped per school day."""
    rng = random.Random(4)
    with path.open("w", encoding="utf-8") as out:
        for d in school_days(rows):
            for n in range(STUDENTS):
                absent = 0 if rng.random() < 0.9 else rng.choice([1, 2, 6])
                reason = "ongeoorloofd" if absent == 0 else rng.choice(list(REASONS))
                allowed = "nee" if reason == "ongeoorloofd" else "ja"
                out.write(f"{2_000_000 + n};{d.isoformat()};6;{absent};{allowed};{reason}\n")


def child(mode: str, path: str) -> None:
    """Runs inside Django: set up the school, time one way in, print JSON."""
    import django

    django.setup()
    from datetime import date as date_

    from common import make_school
    from django.test import Client
    from django.utils import timezone

    from schakelpunt.accounts.api_clients import api_client_create
    from schakelpunt.accounts.models import Membership, User
    from schakelpunt.signals import importer
    from schakelpunt.signals.importer import absence_import, absence_import_job_run
    from schakelpunt.signals.models import AbsenceImportJob, AbsenceRecord
    from schakelpunt.students.models import Student

    school = make_school("ROC Bench")
    Student.objects.bulk_create(
        (
            Student(
                institution=school.institution,
                location=school.location,
                programme=school.programmes[2],
                student_number=str(2_000_000 + n),
                first_name="B",
                last_name=f"N{n}",
                date_of_birth=date_(2008, 1, 1),
                postcode="7511 AA",
                residence_municipality=school.place,
                enrolled_on=date_(2025, 8, 25),
            )
            for n in range(STUDENTS)
        ),
        batch_size=2000,
    )
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if mode == "file":
        admin = User.objects.create_user(email="bench@example.nl", password=None)
        Membership.objects.create(
            user=admin, organisation=school.institution, role="functional_admin"
        )
        data = (
            "studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden\n"
            + "\n".join(lines)
            + "\n"
        ).encode()
        start = time.perf_counter()
        result = absence_import(actor=admin, institution=school.institution, data=data)
        seconds = time.perf_counter() - start
        assert result.ok, result.errors[:5]
        print(json.dumps({"seconds": seconds, "signals": 0.0, "log": 0.0, "rows": result.created}))
        return

    issued = api_client_create(
        actor=None,
        organisation=school.institution,
        name="Bench SIS",
        scopes=["absence:write"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    bodies = []
    for i in range(0, len(lines), BATCH):
        days = []
        for line in lines[i : i + BATCH]:
            number, day, scheduled, absent, allowed, reason = line.split(";")
            days.append(
                {
                    "studentNumber": number,
                    "date": day,
                    "scheduledHours": int(scheduled),
                    "absentHours": int(absent),
                    "authorised": allowed == "ja",
                    "reason": REASONS[reason],
                }
            )
        bodies.append(json.dumps({"days": days}))
    # The signal computation of each job, timed apart.
    signals = [0.0]
    compute = importer.daily_signals_compute

    def timed_compute(**kwargs):  # type: ignore[no-untyped-def]
        begin = time.perf_counter()
        try:
            return compute(**kwargs)
        finally:
            signals[0] += time.perf_counter() - begin

    importer.daily_signals_compute = timed_compute  # type: ignore[assignment]
    # The access log's part (inside "api"), timed too.
    logged = [0.0]
    record = importer.access_log_record

    def timed_record(**kwargs):  # type: ignore[no-untyped-def]
        begin = time.perf_counter()
        try:
            return record(**kwargs)
        finally:
            logged[0] += time.perf_counter() - begin

    importer.access_log_record = timed_record  # type: ignore[assignment]
    start = time.perf_counter()
    for body in bodies:
        answer = client.post("/api/v1/absence/batches", data=body, content_type="application/json")
        assert answer.status_code == 202, answer.content[:500]
        absence_import_job_run(answer.json()["id"])  # the worker's part
    seconds = time.perf_counter() - start
    jobs = list(AbsenceImportJob.objects.values_list("status", "created", "errors"))
    assert all(status == "done" for status, _c, _e in jobs), jobs[:2]
    rows = AbsenceRecord.objects.count()
    assert rows == sum(created for _s, created, _e in jobs) == len(lines)
    print(
        json.dumps(
            {"seconds": seconds - signals[0], "signals": signals[0], "log": logged[0], "rows": rows}
        )
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL, or '' to skip")
    args = parser.parse_args()
    print(
        f"absence through the API (batches of {BATCH}) and the file, {args.rows} rows, "
        f"{args.runs} runs; Django test client over WSGI; " + machine()
    )
    os.environ["ALLOWED_HOSTS"] = "testserver"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "verzuim.txt"
        write_days(path, args.rows)
        databases = ["SQLite"] + (["PostgreSQL"] if args.postgres else [])
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for i in range(args.runs):
            for database in databases:
                for mode in ("file", "api"):
                    if database == "SQLite":
                        url = f"sqlite:///{tmp}/bench-{mode}-{i}.sqlite3"
                        results.setdefault((database, mode), []).append(
                            run_child(__file__, url, mode, str(path))
                        )
                        continue
                    name = f"schakelpunt_bench_api_{os.getpid()}_{mode}_{i}"
                    url = postgres_database(args.postgres, name, create=True)
                    try:
                        results.setdefault((database, mode), []).append(
                            run_child(__file__, url, mode, str(path))
                        )
                    finally:
                        postgres_database(args.postgres, name, create=False)
        for (database, mode), runs in results.items():
            rates = [r["rows"] / r["seconds"] for r in runs]
            line = (
                f"{database:<11} {mode:<5} median {statistics.median(rates):>9,.0f} rows/s "
                f"({statistics.median(r['seconds'] for r in runs):.1f} s); runs: "
                + ", ".join(f"{r['seconds']:.1f}" for r in runs)
            )
            if mode == "api":
                total = [r["rows"] / (r["seconds"] + r["signals"]) for r in runs]
                line += (
                    f"; api+signals median {statistics.median(total):,.0f} rows/s "
                    f"(signals {statistics.median(r['signals'] for r in runs):.1f} s); of api, "
                    f"access log {statistics.median(r['log'] for r in runs):.1f} s"
                )
            print(line)


if __name__ == "__main__":
    main()
