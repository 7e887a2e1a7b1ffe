"""Size and server time of the functional administrator's institution page
("Opbouw van de instelling", /beheer/instelling/) for the demo institution.

    python bench/institution_page.py [--students 2000] [--requests 5] [--database-url URL]

Builds the demo region of `--students` students in a fresh database (SQLite by default; a
PostgreSQL URL names a database that is dropped and made anew), logs in as the demo's
functional administrator (beheer@demo.schakelpunt.nl) through Django's test client and asks
for the page: the whole stack in process (middleware, session, access policy, queries,
template), no network. Two warm-up requests, then `--requests` timed ones; prints the size in
KB, the median and spread in ms and the number of queries. Also times the page of one
location, one team and one programme and the page to add a part, when the overview links to
them.
"""

import argparse
import os
import re
import statistics
import sys
import time

from common import django_setup_for_pages, machine

ADMIN = "beheer@demo.schakelpunt.nl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page")
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--save-html", default="", help="write the overview's HTML to this file")
    args = parser.parse_args()

    django_setup_for_pages(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from schakelpunt.accounts.institution import institutions_configured_by
    from schakelpunt.accounts.models import Location, Programme, User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", students=args.students, stdout=open(os.devnull, "w"))  # noqa: SIM115
    built = time.perf_counter() - started

    admin = User.objects.get(email=ADMIN)
    institution = institutions_configured_by(admin)[0]
    client = Client()
    client.force_login(admin)
    overview = "/beheer/instelling/"
    page = client.get(overview)
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    if args.save_html:
        with open(args.save_html, "w", encoding="utf-8") as out:
            out.write(html)
    # The first page of each part the overview links to, and the page with the forms to
    # add a part (none of these before the overview was split).
    edit_pages = [
        (f"edit page ({kind})", found.group(0))
        for kind in ("locaties", "teams", "opleidingen")
        if (found := re.search(rf"{overview}{kind}/\d+/(?=\")", html))
    ]
    if f"{overview}nieuw/?" in html:
        edit_pages.append(("add page", f"{overview}nieuw/"))

    print(machine())
    print(
        f"{connection.vendor}, demo region of {args.students} students (built in {built:.0f} s); "
        f"{institution.name}: "
        f"{Location.objects.filter(institution=institution).count()} locations, "
        f"{Programme.objects.filter(team__location__institution=institution).count()} "
        "programmes; "
        f"{args.requests} timed requests per page after 2 warm-up"
    )
    print(f"\n{'page':<44} {'KB':>7} {'median':>9} {'min':>8} {'max':>8} {'queries':>8}")
    for label, url in [("overview " + overview, overview), *edit_pages]:
        for _ in range(2):
            client.get(url)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        shown = label if label.startswith("overview") else f"{label} {url}"
        print(
            f"{shown[:44]:<44} {len(response.content) / 1024:7.0f} "
            f"{statistics.median(times):7.0f}ms {min(times):6.0f}ms {max(times):6.0f}ms "
            f"{len(queries):8}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
