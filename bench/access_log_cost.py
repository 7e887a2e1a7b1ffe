"""What the access log costs per page: a file view and list views, with and without logging.

    python bench/access_log_cost.py [--students 2000] [--requests 15] [--rounds 5]
                                    [--database-url URL]

Builds the demo region in a fresh database (SQLite by default; a PostgreSQL URL points at a
database that is dropped and made anew), gives a care coordinator one location, and times GET
requests through Django's whole stack in process, in three ways, taking turns round by round
so that they share the machine's ups and downs:

- no log:      the access log's writer replaced by nothing (how lists were before issue 15);
- plain log:   one INSERT per view, no hash chain (how file views were before issue 15);
- hash chain:  what runs now (lock the chain's end, hash each row, insert, move the end).

The access log grows during the run, as it does in use. Prints the median per page and way.
"""

import argparse
import itertools
import os
import statistics
import sys
import time
from typing import Any

from common import django_setup_for_pages, machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=15, help="per page, way and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    args = parser.parse_args()

    django_setup_for_pages(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from schakelpunt.access import services
    from schakelpunt.access.models import AccessLogEntry
    from schakelpunt.accounts.models import Membership, Organisation, User
    from schakelpunt.accounts.roles import Role
    from schakelpunt.students.models import Student

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", students=args.students, stdout=open(os.devnull, "w"))  # noqa: SIM115
    built = time.perf_counter() - started

    roc = Organisation.objects.get(kind="mbo")
    student = Student.objects.filter(institution=roc, left_on__isnull=True).order_by("pk").first()
    assert student is not None and student.location_id is not None
    user = User.objects.create_user("bench-log@example.nl", "not-used-for-login-0")
    Membership.objects.create(
        user=user, organisation=roc, role=Role.CARE_COORDINATOR, location_id=student.location_id
    )
    client = Client()
    client.force_login(user)

    chained = services._append
    numbers = itertools.count(10**12)  # the plain log's rows stay out of the chain's way

    def plain(entries: list[Any]) -> None:
        for entry in entries:
            entry.sequence = next(numbers)
        AccessLogEntry.objects.bulk_create(entries, batch_size=500)

    ways = {"no log": lambda entries: None, "plain log": plain, "hash chain": chained}
    pages = {
        "file view": f"/studenten/{student.pk}/",
        "caseload (list, 25)": "/studenten/caseload/",
        "API students (list, 50)": "/api/v1/students/",
    }
    times: dict[tuple[str, str], list[float]] = {(p, w): [] for p in pages for w in ways}
    for url_ in pages.values():
        assert client.get(url_).status_code == 200  # warm up
    for _ in range(args.rounds):
        for way, append in ways.items():
            services._append = append  # type: ignore[assignment]
            for page, url_ in pages.items():
                for _ in range(args.requests):
                    start = time.perf_counter()
                    response = client.get(url_)
                    times[(page, way)].append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200
    services._append = chained  # type: ignore[assignment]

    print(machine())
    print(
        f"{connection.vendor}, demo of {args.students} students (built in "
        f"{built:.0f} s), {AccessLogEntry.objects.count()} log rows at the end, "
        f"{args.rounds} rounds x {args.requests} requests per page and way"
    )
    print(f"  {'page':<26}" + "".join(f"{w:>14}" for w in ways) + "   chain vs none")
    for page in pages:
        medians = [statistics.median(times[(page, w)]) for w in ways]
        extra = medians[-1] - medians[0]
        print(
            f"  {page:<26}"
            + "".join(f"{m:>11.1f} ms" for m in medians)
            + f"   {extra:+.1f} ms ({extra / medians[0]:+.0%})"
        )
    # (`accesslog verify` would now name the plain log's first row: outside the chain.)


if __name__ == "__main__":
    sys.exit(main())
