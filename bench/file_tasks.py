"""Scrolls and clicks for the five most frequent tasks on a student file, in Debian's chromium.

    python bench/file_tasks.py [--students 2000] [--login zorgcoordinator@demo.schakelpunt.nl]

Builds a small demo region in a fresh SQLite database, serves it, logs in as the care
coordinator and opens the file of a student they coordinate (open trajectory with a plan; the
one with the most referrals). In a 1280×800 window each task starts at the top of the file and
follows the shortest path the page offers a person (a shortcut when there is one, otherwise
the way through the page). Counted:

- clicks: clicks before the form can be filled in or the thing is read (typing and the final
  submit are the same in every layout, so not counted);
- scrolls: how far the person scrolls to bring the next thing to click or fill into view, in
  viewport heights (800 px = 1.0). A jump made by a link is a click, not a scroll.

Prints the page height and a Markdown table.

Measured for issue 16 (2,000 demo students, zorgcoordinator, a file with plan and referral):
before, one page of 4,559 px with "Zorg melden" folded at the bottom: 3 clicks and 15.5
viewport heights for the five tasks; after (summary and a row of frequent actions on top):
5 clicks and 0.1 viewport heights, every task one click (page 5,385 px: the concern and
action forms are open now, the rarer trajectory forms folded).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from common import machine

WIDTH, HEIGHT = 1280, 800
MARGIN = 16  # a person scrolls a little past the thing, not to the very edge
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@dataclass(frozen=True)
class Step:
    kind: str  # "click": bring into view and click; "reach": bring into view
    selector: str


SHORTCUT = "nav.file-actions"
CONTACT_SUBMIT = 'form[action$="/contact/"] button[type=submit]'
CONCERN_SUBMIT = 'form[action*="/triage/"] button[type=submit]'
EMPTY_ACTION_ROW = 'input[name^="actie-"][name$="-description"]:not([value])'
ACTIONS_TABLE = 'table:has(caption:text-is("Acties"))'

# Each task: the ways to do it, the shortcut first; the first whose first step is on the page
# is taken.
TASKS: list[tuple[str, list[list[Step]]]] = [
    (
        "Contactnotitie vastleggen",
        [
            [
                Step("click", f'{SHORTCUT} a:text-is("Contact vastleggen")'),
                Step("reach", CONTACT_SUBMIT),
            ],
            [Step("reach", CONTACT_SUBMIT)],
        ],
    ),
    (
        "Zorg melden",
        [
            [Step("click", f'{SHORTCUT} a:text-is("Zorg melden")'), Step("reach", CONCERN_SUBMIT)],
            [Step("click", 'summary:has-text("Zorg melden")'), Step("reach", CONCERN_SUBMIT)],
        ],
    ),
    (
        "Actie toevoegen",
        [
            [
                Step("click", f'{SHORTCUT} a:text-is("Actie toevoegen")'),
                Step("reach", 'form[action$="/plan/actie/"] button[type=submit]'),
            ],
            [
                Step("click", 'a:text-is("Plan bewerken")'),
                Step("reach", EMPTY_ACTION_ROW),
                Step("reach", 'button:text-is("Plan opslaan")'),
            ],
        ],
    ),
    (
        "Verwijzen",
        [
            [Step("click", f'{SHORTCUT} a:text-is("Verwijzen")')],
            [Step("click", 'a.button:text-is("Verwijzen")')],
        ],
    ),
    (
        "Plan inzien (doelen en acties)",
        [
            [Step("click", f'{SHORTCUT} a:text-is("Plan")'), Step("reach", ACTIONS_TABLE)],
            [Step("reach", ACTIONS_TABLE)],
        ],
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def into_view(page: Any, selector: str) -> float:
    """Scroll the way a person would until the element is in view; viewport heights scrolled."""
    element = page.locator(selector).first
    element.wait_for(state="visible")
    box = element.bounding_box()
    dy = 0.0
    if box["y"] + box["height"] > HEIGHT:
        dy = box["y"] + box["height"] - HEIGHT + MARGIN
    elif box["y"] < 0:
        dy = box["y"] - MARGIN
    if not dy:
        return 0.0
    before = page.evaluate("window.scrollY")
    page.evaluate("dy => window.scrollBy(0, dy)", dy)
    return float(abs(page.evaluate("window.scrollY") - before)) / HEIGHT


def run_task(page: Any, file_url: str, paths: list[list[Step]]) -> tuple[int, float, str]:
    page.goto(file_url)
    for path in paths:
        if page.locator(path[0].selector).count():
            break
    else:
        raise SystemExit(f"no way found on the page: {paths}")
    clicks, scrolls = 0, 0.0
    for step in path:
        scrolls += into_view(page, step.selector)
        if step.kind == "click":
            page.locator(step.selector).first.click()
            page.wait_for_load_state()
            clicks += 1
    return clicks, scrolls, " → ".join(s.selector for s in path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--login", default="zorgcoordinator@demo.schakelpunt.nl")
    parser.add_argument("--label", default="", help="a name for this layout in the table")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="schakelpunt-bench-")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "schakelpunt.conf.demo",
        "SCHAKELPUNT_DATA_DIR": data_dir,
        "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    os.environ.update(env)
    run = [sys.executable, "-m", "schakelpunt"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*run, "demo", "--students", str(args.students)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    import django

    django.setup()
    from django.db.models import Count

    from schakelpunt.accounts.models import User
    from schakelpunt.demo.builder import DEMO_PASSWORD
    from schakelpunt.support.models import Trajectory

    coordinator = User.objects.get(email=args.login)
    trajectory = (
        Trajectory.objects.filter(coordinator=coordinator, closed_at__isnull=True)
        .filter(plan__actions__isnull=False)
        .annotate(referral_count=Count("student__referrals", distinct=True))
        .order_by("-referral_count", "pk")
        .first()
    )
    if trajectory is None:
        raise SystemExit(f"{args.login} coordinates no open trajectory with a plan")
    base = f"http://127.0.0.1:{port}"
    file_url = f"{base}/studenten/{trajectory.student_id}/"
    server = subprocess.Popen(  # noqa: S603
        [*run, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/account/inloggen/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )
            # The measuring reads scroll positions with a script; the site's CSP forbids that.
            context = browser.new_context(
                locale="nl-NL", viewport={"width": WIDTH, "height": HEIGHT}, bypass_csp=True
            )
            page = context.new_page()
            page.goto(f"{base}/account/inloggen/")
            page.get_by_label("E-mailadres").fill(args.login)
            page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url(f"{base}/")
            page.goto(file_url)
            height = page.evaluate("document.documentElement.scrollHeight")
            print(f"# Student file, {args.label or 'this checkout'} — {machine()}")
            print(
                f"{args.login}, student {trajectory.student_id} ({args.students} students in the "
                f"demo region); window {WIDTH}×{HEIGHT}; page height {height} px "
                f"({height / HEIGHT:.1f} viewports)\n"
            )
            print("| task | clicks | scrolls (viewport heights) | path |")
            print("|---|---:|---:|---|")
            total_clicks, total_scrolls = 0, 0.0
            for name, paths in TASKS:
                clicks, scrolls, path = run_task(page, file_url, paths)
                total_clicks += clicks
                total_scrolls += scrolls
                print(f"| {name} | {clicks} | {scrolls:.1f} | `{path}` |")
            print(f"| **all five** | **{total_clicks}** | **{total_scrolls:.1f}** | |")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
