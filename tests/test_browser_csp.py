"""The Content-Security-Policy holds and nothing of ours breaks it, for every kind of user.

Each page is opened in Debian's chromium with a listener for `securitypolicyviolation`
(installed through the DevTools protocol, so the policy does not block it); any violation,
or a script error, on any page fails the test.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.directory.tests.factories import full_directory
from schakelpunt.referrals.models import Referral
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory
from schakelpunt.support.plans import GoalInput, plan_save
from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


class Watch:
    """Violations and console errors of one browser page, per visited path."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(COLLECT)
        # Chromium also reports a refusal on the console; a script error means something broke.
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and self.problems.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(str(error)))

    def visit(self, base: str, path: str) -> None:
        response = self.page.goto(base + path)
        assert response is not None
        policy = {p.strip() for p in response.headers["content-security-policy"].split(";")}
        assert set(POLICY) <= policy, (path, policy)
        self.page.wait_for_load_state("networkidle")
        self.check(path)

    def check(self, where: str) -> None:
        found = self.page.evaluate("window.__violations")
        assert not found, f"{where}: {found}"
        assert not self.problems, f"{where}: {self.problems}"


def _poll(page, expression: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Wait until the expression is truthy (wait_for_function would need the eval the CSP
    forbids)."""
    for _ in range(100):
        value = page.evaluate(expression)
        if value:
            return value  # type: ignore[no-any-return]
        page.wait_for_timeout(50)
    raise AssertionError(f"{expression} stayed empty")


def _world_with_work(world):  # type: ignore[no-untyped-def]
    anna, care = world.students["t1"], world.users["care_l1"]
    t = trajectory_open(actor=care, student=anna, life_domains=["home"])
    t = trajectory_set_coordinator(
        actor=care, trajectory_id=t.pk, coordinator=care, expected_version=t.version
    )
    plan_save(
        actor=care,
        trajectory_id=t.pk,
        expected_version=0,
        goals=[GoalInput("home", "Rust")],
        actions=[],
    )
    for _ in range(10):  # enough residents for the monitor to draw its charts
        resident = StudentFactory(
            programme=anna.programme,
            residence_municipality=municipality("GM0153"),
            enrolled_on=timezone.localdate() - timedelta(days=30),
        )
        Trajectory.objects.create(
            student=resident, state="active", tier="basis", coordinator=care, life_domains=["home"]
        )
    return anna, full_directory()


def test_no_page_breaks_the_content_security_policy(live_server, page, world):
    base = live_server.url
    anna, service = _world_with_work(world)
    sent = Referral.objects.get(student=world.students["t2"])
    accepted = Referral.objects.get(student=world.students["t3"])
    watch = Watch(page)
    watch.visit(base, "/account/inloggen/")

    # The policy is enforced: an injected inline script does not run and is reported.
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.__ran = true"; document.body.append(s); }"""
    )
    reported = _poll(page, "window.__violations")
    assert page.evaluate("window.__ran") is None
    assert "script-src" in reported[0]
    watch.problems.clear()
    page.reload()

    log_in(page, base, "care_l1@example.nl")
    watch.check("care coordinator start page")
    for path in (
        "/studenten/",
        f"/studenten/{anna.pk}/",
        f"/studenten/{anna.pk}/plan/",
        f"/studenten/{anna.pk}/plan/bewerken/",
        f"/verwijzingen/{sent.pk}/",
        f"/sociale-kaart/{service.pk}/?student={anna.pk}",
        "/verzuim/",
        "/triage/",
        "/api/v1/students",
    ):
        watch.visit(base, path)
    # htmx at work: the student search and the sociale kaart filter swap in results.
    watch.visit(base, "/studenten/")
    page.locator("input[name=q]").fill(anna.last_name[:3])
    page.wait_for_url(re.compile(r"\?q="))  # htmx swapped the results and pushed the URL
    page.wait_for_load_state("networkidle")
    watch.check("student search (htmx)")
    watch.visit(base, "/sociale-kaart/")
    page.locator("input[name=q]").fill("jongeren")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    watch.check("sociale kaart search (htmx)")

    log_in(page, base, "municipal@example.nl")
    watch.visit(base, "/monitor/")
    assert page.get_by_role("img").count()  # the charts as inline SVG
    watch.visit(base, "/financiering/")

    log_in(page, base, "worker_p1@example.nl")
    for path in ("/verwijzingen/", f"/verwijzingen/{accepted.pk}/"):
        watch.visit(base, path)

    log_in(page, base, "admin@example.nl")
    for path in ("/beheer/organisaties/", "/beheer/gebruikers/nieuw/", "/verzuim/importeren/"):
        watch.visit(base, path)

    log_in(page, base, "privacy@example.nl")
    watch.visit(base, "/privacy/toegangslog/")

    log_in(page, base, "anna@example.nl")
    watch.visit(base, f"/studenten/{anna.pk}/")
    watch.visit(base, "/account/")
