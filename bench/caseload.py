"""Server time of the caseload page for a care coordinator with 300 students.

    python bench/caseload.py [--requests 20] [--students 21000] [--database-url URL]

Builds the demo region in a fresh database (a PostgreSQL URL names a database that is
dropped and made anew), gives a new care coordinator one location with
300 students, and times GET requests through Django's whole stack (middleware, access policy,
queries, template), in process, without network. Prints the median and spread.
"""

import argparse
import os
import statistics
import sys
import time

from common import django_setup_for_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--students", type=int, default=21_000)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    args = parser.parse_args()

    django_setup_for_pages(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from schakelpunt.accounts.models import Location, Membership, Organisation, User
    from schakelpunt.accounts.roles import Role
    from schakelpunt.students.models import Student

    call_command("migrate", verbosity=0)
    call_command("demo", students=args.students, stdout=open(os.devnull, "w"))  # noqa: SIM115

    roc = Organisation.objects.get(kind="mbo")
    first = Location.objects.filter(institution=roc).order_by("pk").first()
    assert first is not None
    bench_location = Location.objects.create(
        institution=roc, name="Benchmark", municipality=first.municipality
    )
    chosen = list(
        Student.objects.filter(location=first).order_by("pk").values_list("pk", flat=True)[:300]
    )
    Student.objects.filter(pk__in=chosen).update(location=bench_location)
    user = User.objects.create_user("bench@example.nl", "not-used-for-login-0")
    Membership.objects.create(
        user=user, organisation=roc, role=Role.CARE_COORDINATOR, location=bench_location
    )
    client = Client()
    client.force_login(user)
    print(
        f"caseload of a care coordinator with {len(chosen)} students "
        f"({args.students} in the region), {args.requests} requests each, "
        f"{connection.vendor}"
    )
    for label, url in [
        ("caseload, all", "/studenten/caseload/"),
        ("caseload, open trajectories", "/studenten/caseload/?state=any&sorteer=-evaluatie"),
        ("start page", "/"),
    ]:
        assert client.get(url).status_code == 200  # warm up
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        print(
            f"  {label:<30} median {statistics.median(times):6.1f} ms"
            f"  (min {min(times):.1f}, max {max(times):.1f})"
        )


if __name__ == "__main__":
    sys.exit(main())
