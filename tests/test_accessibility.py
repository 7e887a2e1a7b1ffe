"""WCAG 2.1 AA checks with axe-core in Debian's chromium, on the pages each role uses most."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from schakelpunt.accounts.tests.factories import PASSWORD
from schakelpunt.meetings.services import MeetingInput, decision_add, meeting_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page, what: str) -> None:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")


def test_pages_meet_wcag_21_aa(live_server, page, world):
    base = live_server.url
    page.goto(f"{base}/account/inloggen/")
    assert_accessible(page, "login")
    page.get_by_role("button", name="Inloggen").click()  # empty form: the error state
    assert_accessible(page, "login with errors")

    from schakelpunt.support.plans import GoalInput, plan_save
    from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator

    anna = world.students["t1"]
    care = world.users["care_l1"]
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

    from schakelpunt.signals.triage import concern_raise

    concern_raise(actor=world.users["coach"], student=anna, text="Mist veel lessen")

    from schakelpunt.directory.tests.factories import full_directory
    from schakelpunt.referrals.models import Referral

    service = full_directory()
    meeting = meeting_plan(
        actor=care,
        details=MeetingInput(
            "mdo", "MDO", timezone.now() - timedelta(hours=1), 60, "Lokaal 1", care
        ),
        student=anna,
        question="Wat helpt Anna?",
    )
    decision_add(actor=care, item_id=meeting.items.get().pk, text="Gesprek met moeder")
    sent = Referral.objects.get(student=world.students["t2"])
    accepted = Referral.objects.get(student=world.students["t3"])

    log_in(page, base, "care_l1@example.nl")
    assert_accessible(page, "care coordinator start page")
    pages = [
        "/verwijzingen/",
        "/overleg/",
        f"/overleg/nieuw/{anna.pk}/",
        f"/overleg/{meeting.pk}/",
        "/acties/",
        f"/verwijzingen/nieuw/{anna.pk}/",
        f"/verwijzingen/{sent.pk}/",
        "/sociale-kaart/?q=jongeren",
        f"/sociale-kaart/{service.pk}/?student={anna.pk}",
        "/studenten/",
        f"/studenten/{anna.pk}/",
        "/account/",
        "/studenten/999999/",
        "/studenten/caseload/",
        f"/studenten/{anna.pk}/plan/",
        f"/studenten/{anna.pk}/plan/bewerken/",
        "/meldingen/",
        "/verzuim/",
        "/triage/",
        "/verzuim/terugblik/",
        "/verzuim/rmc-lijst/",
    ]
    for path in pages:
        page.goto(base + path)
        assert_accessible(page, path)

    # Enough residents with support that the dashboard draws its charts.
    from schakelpunt.accounts.tests.factories import municipality
    from schakelpunt.students.tests.factories import StudentFactory
    from schakelpunt.support.models import Trajectory

    for _ in range(10):
        resident = StudentFactory(
            programme=anna.programme,
            residence_municipality=municipality("GM0153"),
            enrolled_on=anna.enrolled_on,
        )
        Trajectory.objects.create(
            student=resident, state="active", tier="basis", coordinator=care, life_domains=["home"]
        )

    page.context.clear_cookies()
    log_in(page, base, "municipal@example.nl")
    assert_accessible(page, "municipal start page")
    page.goto(f"{base}/gemeente/")
    assert_accessible(page, "municipal overview")
    page.goto(f"{base}/monitor/")
    assert page.get_by_role("img", name="Ondersteuning naar zwaarte: licht waar het kan").count()
    assert_accessible(page, "monitor")
    page.goto(f"{base}/financiering/?model=per_student&rate=150")
    assert_accessible(page, "funding and the contribution model")

    page.context.clear_cookies()
    log_in(page, base, "worker_p1@example.nl")
    for path in ("/verwijzingen/", f"/verwijzingen/{accepted.pk}/", f"/verwijzingen/{sent.pk}/"):
        page.goto(base + path)
        assert_accessible(page, f"provider {path}")

    page.context.clear_cookies()
    log_in(page, base, "anna@example.nl")
    page.goto(f"{base}/studenten/{anna.pk}/inzage/")
    assert_accessible(page, "student's access log")
    page.goto(f"{base}/studenten/{anna.pk}/")
    assert_accessible(page, "student's own file")

    page.context.clear_cookies()
    log_in(page, base, "absence@example.nl")
    for path in ("/verzuim/importeren/", "/triage/"):
        page.goto(base + path)
        assert_accessible(page, f"attendance coordinator {path}")

    page.context.clear_cookies()
    log_in(page, base, "rmc@example.nl")
    page.goto(f"{base}/verzuim/rmc-lijst/")
    assert_accessible(page, "RMC list with follow-up forms")

    page.context.clear_cookies()
    log_in(page, base, "admin@example.nl")
    page.goto(f"{base}/verzuim/instellingen/")
    assert_accessible(page, "signal settings")
    page.goto(f"{base}/financiering/tarieven/")
    assert_accessible(page, "prices of services")
    for path in (
        "/sociale-kaart/controleren/",
        "/sociale-kaart/nieuw/",
        f"/sociale-kaart/{service.pk}/bewerken/",
        f"/sociale-kaart/organisatie/{service.organisation_id}/",
    ):
        page.goto(base + path)
        assert_accessible(page, f"directory {path}")

    page.context.clear_cookies()
    log_in(page, base, "privacy@example.nl")
    page.goto(f"{base}/privacy/toegangslog/")
    assert_accessible(page, "privacy officer's log search")
    page.goto(f"{base}/privacy/zonder-toestemming/")
    assert_accessible(page, "privacy officer's shares without consent")


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, page, world):
    log_in(page, live_server.url, "coach@example.nl")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"
