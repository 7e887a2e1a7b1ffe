"""What the processing log (issue 19) adds to one student-file view.

    git worktree add /tmp/oldlog ae17d52     # the code before issue 19, once
    python bench/processing_log.py --old-tree /tmp/oldlog [--students 500] [--views 30]
                                   [--writes 200] [--new-tree DIR]
                                   [--database-url postgres://postgres@127.0.0.1:5432/x]

Runs the same measurement twice, each in a child process against its own fresh database
(SQLite by default; with a PostgreSQL URL, a database dropped and made anew per tree):

- now: the code of `--new-tree` (default: the checkout this script lives in): the log row
  names the processing activity, legal basis, on whose behalf and emergency access, and the
  hash chain (version 2) covers them;
- v1:  the code of `--old-tree`, a checkout of the commit before issue 19 (rows without
  those fields, hash chain version 1).

In each: build the demo region, log in a care coordinator of one location, and time
(1) a GET of one student's file through Django's whole stack (`--views` times; the log rows are
written inside it), (2) writing the log rows of one such view alone, `access_log_record` for
the parts the page shows (`--writes` times). Prints the medians and the difference.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import inspect

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from schakelpunt.access.models import AccessLogEntry
    from schakelpunt.access.parts import Action
    from schakelpunt.access.policy import student_access
    from schakelpunt.access.services import access_log_record
    from schakelpunt.accounts.models import Membership, Organisation, User
    from schakelpunt.accounts.roles import Role
    from schakelpunt.students.models import Student

    call_command("migrate", verbosity=0)
    call_command("demo", students=args.students, stdout=open(os.devnull, "w"))  # noqa: SIM115
    roc = Organisation.objects.filter(kind="mbo").order_by("pk").first()
    student = Student.objects.filter(institution=roc, left_on__isnull=True).order_by("pk").first()
    assert student is not None and student.location_id is not None
    user = User.objects.create_user("bench-processing-log@example.nl", "not-used-for-login-0")
    Membership.objects.create(
        user=user, organisation=roc, role=Role.CARE_COORDINATOR, location_id=student.location_id
    )
    client = Client()
    client.force_login(user)
    url = f"/studenten/{student.pk}/"
    for _ in range(3):  # warm up
        assert client.get(url).status_code == 200
    views = []
    for _ in range(args.views):
        start = time.perf_counter()
        response = client.get(url)
        views.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200

    access = student_access(user, student)
    parts = access.parts(Action.VIEW)
    extra = {}
    if "activity" in inspect.signature(access_log_record).parameters:
        from schakelpunt.privacy.register import Activity

        extra = {"activity": Activity.SUPPORT, "emergency": False}
    writes = []
    for _ in range(args.writes):
        fresh = User.objects.get(pk=user.pk)  # a new request's user: memberships read again
        start = time.perf_counter()
        with transaction.atomic():
            access_log_record(
                actor=fresh,
                students=[student],
                action=Action.VIEW,
                parts=parts,
                role=access.roles,
                path=url,
                **extra,
            )
        writes.append((time.perf_counter() - start) * 1000)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "view_ms": statistics.median(views),
                "write_ms": statistics.median(writes),
                "rows_per_view": len(parts),
                "log_rows": AccessLogEntry.objects.count(),
            }
        )
    )


def run(tree: Path, database_url: str, name: str, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="schakelpunt-bench-") as data_dir:
        url = database_url or f"sqlite:///{data_dir}/bench.sqlite3"
        if url.startswith("postgres"):
            sys.path.insert(0, str(HERE.parent))
            from common import postgres_database

            base = url.rsplit("/", 1)[0]
            url = postgres_database(f"{base}/postgres", name, create=True)
        env = {
            **os.environ,
            # The tree's own code, before the installed checkout.
            "PYTHONPATH": str(tree / "src"),
            "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.base",
            "SCHAKELPUNT_DATA_DIR": data_dir,
            "DATABASE_URL": url,
            "ALLOWED_HOSTS": "testserver",
            "SCHAKELPUNT_OTP_REQUIRED": "false",
        }
        done = subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(HERE),
                "--child",
                f"--students={args.students}",
                f"--views={args.views}",
                f"--writes={args.writes}",
            ],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--views", type=int, default=30)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--old-tree", default="", help="git worktree add /tmp/oldlog ae17d52")
    parser.add_argument("--new-tree", default=str(HERE.parent.parent))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    import platform

    old, new = Path(args.old_tree), Path(args.new_tree)
    if not args.old_tree or not (old / "src" / "schakelpunt").is_dir():
        raise SystemExit(f"{old} holds no checkout: git worktree add {old} ae17d52")
    results = {
        "v1": run(old, args.database_url, "schakelpunt_bench_log_v1", args),
        "now": run(new, args.database_url, "schakelpunt_bench_log_now", args),
    }
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {results['now']['vendor']}, demo of "
        f"{args.students} students; medians of {args.views} file views and "
        f"{args.writes} log writes ({results['now']['rows_per_view']:.0f} rows per view)"
    )
    print(f"  {'':<24}{'v1':>12}{'now':>12}{'extra':>12}")
    for key, label in (("view_ms", "student-file GET"), ("write_ms", "log rows of one view")):
        before, after = results["v1"][key], results["now"][key]
        print(
            f"  {label:<24}{before:>9.1f} ms{after:>9.1f} ms"
            f"{after - before:>+9.1f} ms ({(after - before) / before:+.0%})"
        )


if __name__ == "__main__":
    sys.exit(main())
