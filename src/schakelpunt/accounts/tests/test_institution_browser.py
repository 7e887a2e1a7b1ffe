"""The functional administrator builds an empty institution in a real browser: the empty
page says what to do, the example file imports, a rename on the location's own page works;
WCAG 2.1 AA on both states of the overview, on a location's and a team's own page and on the
page to add a part."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from schakelpunt.accounts.models import Programme
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[2] / "core" / "examples" / "opleidingen.csv"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page, what: str) -> None:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def test_admin_imports_the_example_and_renames_a_location(live_server, page, refdata):
    roc = OrganisationFactory(name="ROC Leeg")
    admin = UserFactory(email="beheer@leeg.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    base = live_server.url
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill("beheer@leeg.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/beheer/instelling/")
    expect(page.get_by_role("heading", name="Er is nog niets ingericht")).to_be_visible()
    assert_accessible(page, "empty institution")

    page.get_by_label("Bestand met opleidingen (CSV of Excel)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Importeren").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Ingelezen: 9 nieuw, 0 gewijzigd, 0 ongewijzigd.")).to_be_visible()
    assert Programme.objects.count() == 9
    heading = page.get_by_role("heading", name="Locatie Hengelo Spoorzone")
    expect(heading).to_be_visible()
    assert_accessible(page, "institution with programmes")

    section = page.locator("section.card", has=heading)
    section.get_by_role("link", name="Wijzigen").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Locatie Hengelo Spoorzone", level=1)).to_be_visible()
    assert_accessible(page, "a location's own page")
    page.get_by_label("Nieuwe naam").fill("Hengelo Station")
    page.get_by_role("button", name="Naam opslaan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("De naam van de locatie is gewijzigd.")).to_be_visible()
    expect(page.get_by_role("heading", name="Locatie Hengelo Station")).to_be_visible()
    page.get_by_role("link", name="Terug naar de opbouw").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Locatie Hengelo Station")).to_be_visible()
    # A team's page, with its coaches and the staff to add, passes the same check.
    station = page.locator(
        "section.card", has=page.get_by_role("heading", name="Locatie Hengelo Station")
    )
    station.get_by_role("link", name=re.compile(r"^Team ")).first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Studieloopbaanbegeleiders")).to_be_visible()
    assert_accessible(page, "a team's own page")
    # The forms to add a part, on their own page too.
    page.get_by_role("link", name="Terug naar de opbouw").click()
    page.get_by_role("link", name="Opleiding toevoegen").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Crebo")).to_be_visible()
    assert_accessible(page, "the forms to add a part")
