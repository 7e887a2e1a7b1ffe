"""Server time of every page of every demo role, next to a bare view through the same stack.

    python bench/pages.py [--students 21000] [--requests 20] [--database-url URL]
                          [--only ROLE,ROLE] [--reuse]

Builds the demo region in a fresh database (SQLite by default; a PostgreSQL URL names a
database that is dropped and made anew, never flushed: the access log refuses TRUNCATE), then
for every demo login times each page of that role's menu (the navigation the role sees), one
student file, one plan and the API lists, with Django's test client: the whole stack in
process (middleware, session, access policy, queries, template), no network, no browser.

Each page: two warm-up requests, then `--requests` timed ones (fewer, at least 3, for a page
that would take longer than `--max-seconds`); prints the median and the 95th percentile, and
the ratio of that p95 to the p95 of a bare view (login required, returns "ok") that the bench
adds through a URLconf of its own, timed for the same login, taking turns with the page. An empty page in
the site's layout (navigation, messages) is timed too: what every page costs before its own
work.
Pages over 25x the bare view (50x from 100,000 students) are flagged with "!!".

Also times a login through the login form (the password hasher's share shown apart) and the
start page the browser is sent to after it.
`--reuse` times an existing database as it is (no build); with a PostgreSQL URL it is not
dropped.
"""

import argparse
import os
import statistics
import sys
import time
import types

from common import django_setup_for_pages, machine


def p95(times: list[float]) -> float:
    """The 95th percentile, nearest rank (of 20 timings: the 19th)."""
    ordered = sorted(times)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=21_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--only", default="", help="demo logins to time, e.g. studentbegeleider")
    parser.add_argument(
        "--max-seconds", type=float, default=60, help="per page; fewer timings beyond it"
    )
    parser.add_argument("--reuse", action="store_true", help="time the database as it is")
    args = parser.parse_args()

    django_setup_for_pages(args.database_url, fresh=not args.reuse)
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.contrib.auth.hashers import check_password
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpRequest, HttpResponse
    from django.template import RequestContext, Template
    from django.test import Client, RequestFactory
    from django.urls import clear_url_caches, include, path

    from schakelpunt.access.parts import Part
    from schakelpunt.access.policy import students_for_user
    from schakelpunt.accounts.models import User
    from schakelpunt.core.context_processors import navigation
    from schakelpunt.demo.builder import DEMO_PASSWORD, demo_logins
    from schakelpunt.students.models import Student
    from schakelpunt.support.models import SupportPlan

    built = 0.0
    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("demo", students=args.students, stdout=open(os.devnull, "w"))  # noqa: SIM115
        built = time.perf_counter() - started

    # The bare view, reachable only from this bench: a URLconf of its own around the real one.
    @login_required
    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    # The same, but as a page: the site's layout with its navigation, and nothing in it.
    layout = Template('{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}')

    @login_required
    def empty_page(request: HttpRequest) -> HttpResponse:
        return HttpResponse(layout.render(RequestContext(request)))

    urlconf = types.ModuleType("bench_pages_urls")
    urlconf.urlpatterns = [  # type: ignore[attr-defined]
        path("__bench__/bare/", bare),
        path("__bench__/empty-page/", empty_page),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[urlconf.__name__] = urlconf
    settings.ROOT_URLCONF = urlconf.__name__
    clear_url_caches()

    students = Student.objects.count()
    slow_factor = 50 if students >= 100_000 else 25
    wanted = {name for name in args.only.split(",") if name}
    print(machine())
    print(
        f"{connection.vendor}, demo region of {students} students"
        + (f" (built in {built:.0f} s)" if built else " (reused)")
        + f"; {args.requests} timed requests per page after 2 warm-up; flag: p95 over "
        f"{slow_factor}x the bare view's p95"
    )

    bare_url = "/__bench__/bare/"

    def timed(client: Client, page: str) -> tuple[list[float], list[float], int]:
        """The page's timings and the bare view's, taking turns so they share the machine's
        ups and downs (other processes on the same cores)."""
        status = 0
        start = time.perf_counter()
        for _ in range(2):
            client.get(bare_url)
            status = client.get(page).status_code
        warm = (time.perf_counter() - start) / 2
        # A page of seconds gets fewer timings (at least 3), so that a slow run still ends.
        count = max(3, min(args.requests, int(args.max_seconds / max(warm, 1e-3))))
        times, bare = [], []
        for _ in range(count):
            start = time.perf_counter()
            client.get(bare_url)
            bare.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            status = client.get(page).status_code
            times.append((time.perf_counter() - start) * 1000)
        return times, bare, status

    rows: list[tuple[str, str, float, float, float, int]] = []
    flagged: list[str] = []
    print(f"\n{'role':<20} {'page':<42} {'median':>9} {'p95':>9} {'bare p95':>9} {'x bare':>7}")
    for login in demo_logins():
        name = login.email.split("@")[0]
        if wanted and name not in wanted:
            continue
        user = User.objects.get(email=login.email)
        client = Client()
        client.force_login(user)
        request = RequestFactory().get("/")
        request.user = user
        pages: list[tuple[str, str]] = [("(empty page: the layout)", "/__bench__/empty-page/")]
        pages += [
            (str(item.label), item.url)
            for item in navigation(request)["nav_items"]  # type: ignore[attr-defined]
        ]
        student = students_for_user(user).order_by("pk").first()
        if student is not None:
            pages.append(("student file", f"/studenten/{student.pk}/"))
            plan_of = (
                SupportPlan.objects.filter(
                    trajectory__student__in=students_for_user(user, part=Part.SUPPORT)
                )
                .order_by("pk")
                .values_list("trajectory__student_id", flat=True)
                .first()
            )
            if plan_of is not None:
                pages.append(("plan", f"/studenten/{plan_of}/plan/"))
        pages += [("API students", "/api/v1/students/"), ("API referrals", "/api/v1/referrals/")]
        print(name, flush=True)
        for label, page in pages:
            times, bare, status = timed(client, page)
            ratio = p95(times) / p95(bare)
            mark = " !!" if ratio > slow_factor else ""
            shown = f"{label} {page}"[:42]
            note = "" if status == 200 else f"  (HTTP {status})"
            if len(times) < args.requests:
                note += f"  (n={len(times)})"
            print(
                f"{'':<20} {shown:<42} {statistics.median(times):7.1f}ms {p95(times):7.1f}ms"
                f" {p95(bare):7.1f}ms {ratio:6.1f}x{mark}{note}",
                flush=True,
            )
            rows.append((name, label, statistics.median(times), p95(times), ratio, status))
            if mark:
                flagged.append(f"{name} {label} ({ratio:.0f}x)")

        # Logging in through the form, the password hasher's share, and the start page the
        # browser then asks for.
        posts, hashes, starts = [], [], []
        for _ in range(5):
            fresh = Client()
            start = time.perf_counter()
            response = fresh.post(
                "/account/inloggen/", {"username": login.email, "password": DEMO_PASSWORD}
            )
            posts.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, response.status_code
            start = time.perf_counter()
            fresh.get(response["Location"])
            starts.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            check_password(DEMO_PASSWORD, user.password)
            hashes.append((time.perf_counter() - start) * 1000)
        post, hasher, landing = (statistics.median(x) for x in (posts, hashes, starts))
        rest = statistics.median(p - h for p, h in zip(posts, hashes, strict=True))
        print(
            f"{'':<20} {'login: POST, then the start page':<42} "
            f"{post:7.1f}ms (hasher {hasher:.0f} ms, the rest {rest:.0f} ms), "
            f"then {landing:.0f} ms",
            flush=True,
        )

    print("\nflagged: " + ("; ".join(flagged) if flagged else f"none (all within {slow_factor}x)"))
    if any(status != 200 for *_rest, status in rows):
        print("pages that did not answer 200 are marked with their status")


if __name__ == "__main__":
    sys.exit(main())
