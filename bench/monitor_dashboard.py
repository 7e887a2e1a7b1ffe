"""Server time of the monitor's dashboards on the demo region, on SQLite and on PostgreSQL.

    python bench/monitor_dashboard.py [--students 21000] [--runs 7] [--postgres URL]

Builds the demo region in a fresh database (which precomputes the dashboards of the demo
logins), then times, through Django's test client (the whole request: login session, access
policy, kept figures, template): the municipality dashboard and the governance dashboard as
they are opened (kept), the same after a change of breakdown (a table not yet kept, then
kept), and what keeping costs: building the dashboard of the municipality and of the whole
institution from the work itself, the Excel export and the PDF report. Target: under 300 ms
for a page whose figures are kept. Prints the median of the runs per measurement.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import machine, run_child, sqlite_and_postgres


def _median_ms(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def child(students: int, runs: int) -> None:
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from schakelpunt.access.policy import monitor_scopes
    from schakelpunt.accounts.models import User
    from schakelpunt.demo.builder import build_demo_region
    from schakelpunt.monitor.periods import school_year_of
    from schakelpunt.monitor.snapshots import dashboard_for, warm_monitor

    build_demo_region(students=students)
    warm_monitor()
    year = school_year_of(timezone.localdate())
    result = {}
    for login, label in (("gemeente", "municipality"), ("bestuur", "governance")):
        user = User.objects.get(email=f"{login}@demo.schakelpunt.nl")
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)

        def page(params: dict[str, str], c: Client = client) -> None:
            response = c.get("/monitor/", params)
            assert response.status_code == 200

        page({})  # the session and the first request's imports
        result[f"{label} dashboard, kept"] = _median_ms(lambda: page({}), runs)
        start = time.perf_counter()
        page({"uitsplitsing": "niveau"})
        result[f"{label}: new breakdown, first time"] = round(
            (time.perf_counter() - start) * 1000, 1
        )
        result[f"{label}: new breakdown, kept"] = _median_ms(
            lambda: page({"uitsplitsing": "niveau"}), runs
        )
        scope = monitor_scopes(user)[0]
        result[f"{label}: building the dashboard"] = _median_ms(
            lambda s=scope: dashboard_for(s, year, force=True), max(runs // 3, 1)
        )
        result[f"{label}: Excel export"] = _median_ms(lambda: page({"formaat": "xlsx"}), 3)
        result[f"{label}: PDF report"] = _median_ms(lambda: page({"formaat": "pdf"}), 3)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=21_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.students, args.runs)
        return
    print(f"Monitor dashboards, demo region of {args.students} students; {machine()}")
    databases = sqlite_and_postgres(args.postgres, "schakelpunt_bench_mon")
    for name, url in databases.items():
        result = run_child(
            __file__, url, "--students", str(args.students), "--runs", str(args.runs)
        )
        for label, ms in result.items():
            print(f"{name:10} {label:45} {ms:9.1f} ms")


if __name__ == "__main__":
    main()
