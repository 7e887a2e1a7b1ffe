"""A coach in a real browser: logs in, opens a student, is refused another student's file."""

import pytest
from playwright.sync_api import expect

from schakelpunt.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coach_opens_own_student_and_is_refused_another(live_server, page, world):
    anna = world.students["t1"]
    bram = world.students["t2"]  # another team: not this coach's student

    page.goto(f"{live_server.url}/")
    assert "/account/inloggen/" in page.url
    page.get_by_label("E-mailadres").fill("coach@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Mijn studenten")).to_be_visible()

    page.get_by_role("link", name="Studenten", exact=True).click()
    page.get_by_role("link", name=f"{anna.last_name}, {anna.first_name}").click()
    assert page.get_by_role("heading", level=1).inner_text() == anna.display_name
    expect(page.get_by_role("heading", name="Verzuimmeldingen")).to_be_visible()
    assert bram.last_name not in page.content()

    response = page.goto(f"{live_server.url}/studenten/{bram.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Niet gevonden")).to_be_visible()
    assert bram.last_name not in page.content()


def test_search_filters_the_list_as_you_type(live_server, page, world):
    page.goto(f"{live_server.url}/account/inloggen/")
    page.get_by_label("E-mailadres").fill("care_l1@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/studenten/")
    rows = page.locator("#student-results tbody tr")
    assert rows.count() == 2
    page.get_by_label("Zoek op naam of studentnummer").fill(world.students["t2"].last_name)
    # expect() polls from outside the page: the CSP forbids the eval of wait_for_function.
    expect(rows).to_have_count(1)
    assert world.students["t2"].last_name in rows.first.inner_text()


def test_the_footer_stays_at_the_bottom_of_a_short_page(live_server, page, db):
    """On the login page (short) the footer with the language choice ends at the bottom of
    the window, not halfway down the screen with empty space under it."""
    page.goto(f"{live_server.url}/account/inloggen/")
    footer = page.locator("footer").bounding_box()
    assert footer is not None
    assert footer["y"] + footer["height"] == pytest.approx(page.viewport_size["height"], abs=1)  # type: ignore[index]
