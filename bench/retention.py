"""The retention job over the demo region: rows deleted per second.

    python bench/retention.py [--students 2000] [--repeat 3] [--batch-size 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_retention python bench/retention.py

Builds the demo region once (SQLite, and PostgreSQL when DATABASE_URL names a server); its
history holds two school years of leavers. The run is proposed with a reference date two
years after the older year ended, so that year's leavers (with a startkwalificatie; the
others wait for their 23rd birthday) have expired. Each repetition starts from a copy of the
built database (a file copy; CREATE DATABASE … TEMPLATE on PostgreSQL), approves and runs in a
fresh process, and reports: students, rows deleted or anonymised (the run's own counts), the
time to keep the monitor's figures first, and the deletion's rows per second. Median of the
repetitions.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import machine, postgres_database


def child_build(students: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", students=students, stdout=open(os.devnull, "w"))  # noqa: SIM115
    # The monitor's figures of the leavers' periods, kept once here (the run's first step);
    # each repetition then finds them kept and measures the deletion itself.
    from schakelpunt.accounts.models import Organisation
    from schakelpunt.privacy.retention import _expired_students, keep_monitor_figures

    roc = Organisation.objects.get(kind="mbo")
    expired = [s for s, _e in _expired_students(roc, reference_date())]
    started = time.perf_counter()
    built = keep_monitor_figures(expired)
    print(json.dumps({"monitor_s": time.perf_counter() - started, "monitor_figures": built}))


def reference_date() -> date:
    """Two years after the end of the older school year of the demo's history."""
    from django.utils import timezone

    from schakelpunt.monitor.periods import previous, school_year_of

    older = previous(previous(school_year_of(timezone.localdate())))
    return date(older.end.year + 2, older.end.month, older.end.day)


def child_run(batch_size: int) -> None:
    import django

    django.setup()
    from schakelpunt.accounts.models import Organisation, User
    from schakelpunt.privacy.models import RetentionRun
    from schakelpunt.privacy.retention import (
        fingerprint,
        keep_monitor_figures,
        retention_approve,
        retention_propose,
        retention_run,
    )
    from schakelpunt.students.models import Student

    reference = reference_date()
    roc = Organisation.objects.get(kind="mbo")
    officer = User.objects.create_user("bench-privacy@example.nl", "not-used-for-login-0")
    from schakelpunt.accounts.models import Membership
    from schakelpunt.accounts.roles import Role

    Membership.objects.create(user=officer, organisation=roc, role=Role.PRIVACY_OFFICER)
    started = time.perf_counter()
    run = retention_propose(institution=roc, reference_date=reference)
    proposed = time.perf_counter() - started
    retention_approve(actor=officer, run=run, seen=fingerprint(run))
    pending = run.candidates.filter(skipped_reason="").values("student_id")
    students = list(
        Student.objects.filter(pk__in=pending).select_related(
            "institution", "residence_municipality__rmc_region"
        )
    )
    started = time.perf_counter()
    built = keep_monitor_figures(students)
    monitor = time.perf_counter() - started
    RetentionRun.objects.filter(pk=run.pk).update(
        counts={"monitor_kept": True, "monitor_computed": built}
    )
    started = time.perf_counter()
    done = retention_run(run, batch_size=batch_size)
    deleting = time.perf_counter() - started
    rows = sum(done.counts.get("tables", {}).values())
    print(
        json.dumps(
            {
                "reference": reference.isoformat(),
                "students": done.counts.get("students", 0),
                "rows": rows,
                "propose_s": proposed,
                "monitor_s": monitor,
                "monitor_figures": built,
                "delete_s": deleting,
            }
        )
    )


def _child(script: str, env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, script, "--child", *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label: str, url: str, args: argparse.Namespace) -> None:
    data_dir = tempfile.mkdtemp(prefix="schakelpunt-bench-retention-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
        "SCHAKELPUNT_DATA_DIR": data_dir,
        "HUEY_IMMEDIATE": "true",
    }
    script = str(Path(__file__).resolve())
    if url.startswith("sqlite"):
        template = Path(data_dir) / "template.sqlite3"
        built = _child(
            script, {**env, "DATABASE_URL": f"sqlite:///{template}"}, "build", str(args.students)
        )
    else:
        base = url.rsplit("/", 1)[0]
        template_url = postgres_database(f"{base}/postgres", "bench_retention_template", True)
        built = _child(script, {**env, "DATABASE_URL": template_url}, "build", str(args.students))
    results = []
    for i in range(args.repeat):
        if url.startswith("sqlite"):
            copy = Path(data_dir) / f"run{i}.sqlite3"
            shutil.copyfile(template, copy)
            run_url = f"sqlite:///{copy}"
        else:
            import psycopg

            name = f"bench_retention_{i}"
            with psycopg.connect(
                f"{base}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True
            ) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE bench_retention_template')
            run_url = f"{base}/{name}"
        results.append(
            _child(script, {**env, "DATABASE_URL": run_url}, "run", str(args.batch_size))
        )
    first = results[0]
    rates = [float(r["rows"]) / float(r["delete_s"]) for r in results]  # type: ignore[arg-type]
    print(
        f"{label}: demo of {args.students} students, reference date {first['reference']}: "
        f"{first['students']} leavers deleted, {first['rows']} rows deleted or anonymised "
        f"(batches of {args.batch_size})"
    )
    print(
        f"  delete: median {statistics.median(float(r['delete_s']) for r in results):.1f} s, "  # type: ignore[arg-type]
        f"{statistics.median(rates):,.0f} rows/s (runs: {', '.join(f'{r:,.0f}' for r in rates)})"
    )
    print(
        f"  before it, keep the monitor's figures: {float(built['monitor_s']):.1f} s once "  # type: ignore[arg-type]
        f"({built['monitor_figures']} figures computed), then "
        f"{statistics.median(float(r['monitor_s']) for r in results):.1f} s to find them kept; "  # type: ignore[arg-type]
        f"the dry run: {statistics.median(float(r['propose_s']) for r in results):.2f} s"  # type: ignore[arg-type]
    )
    shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        if sys.argv[2] == "build":
            child_build(int(sys.argv[3]))
        else:
            child_run(int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    print(machine())
    if not args.no_sqlite:
        measure("SQLite", "sqlite:///", args)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        measure("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
