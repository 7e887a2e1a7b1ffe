"""The people screens in a real browser: find a coach, move them to another team, end the
role so that the coach can no longer open the student, and block the account."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.test_browser_trajectory import log_in

from schakelpunt.accounts.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_moves_a_coach_then_ends_the_role_and_blocks_the_account(
    live_server, page, world
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    anna, bram = world.students["t1"], world.students["t2"]
    log_in(page, base, "admin@example.nl")
    page.goto(f"{base}/beheer/mensen/")

    search = page.get_by_role("search", name="Mensen zoeken")
    search.get_by_label("Rol").select_option(label="Studieloopbaanbegeleider (SLB)")
    search.get_by_label("Zoek op naam of e-mailadres").fill("coach@example")
    search.get_by_role("button", name="Zoeken").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coach")

    page.get_by_role("link", name="Rol of team wijzigen").click()
    page.get_by_label("Opleidingsteam").select_option(label="T2")
    page.get_by_role("button", name="Wijzigen").click()
    expect(page.get_by_role("status")).to_contain_text("is vanaf vandaag")
    assert Membership.objects.get(user__email="coach@example.nl", valid_until__isnull=True)

    # End the new role at once: yesterday is the last day.
    page.get_by_role("link", name="Beëindigen").click()
    yesterday = timezone.localdate() - timedelta(days=1)
    expect(page.get_by_label("Laatste dag")).to_have_value(yesterday.isoformat())
    page.get_by_role("button", name="Beëindigen").click()
    expect(page.get_by_role("status")).to_contain_text("eindigt na")

    page.get_by_role("button", name="Account blokkeren").click()
    expect(page.get_by_role("status")).to_contain_text("is geblokkeerd")

    # The coach sees neither student any more, and cannot log in.
    page.context.clear_cookies()
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill("coach@example.nl")
    page.get_by_label("Wachtwoord").fill("een-lang-test-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    for student in (anna, bram):
        response = page.goto(f"{base}/studenten/{student.pk}/")
        assert response is not None
        assert "/account/inloggen/" in page.url
