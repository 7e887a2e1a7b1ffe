"""The functional administrator builds an empty institution in a real browser: the empty
page says what to do, the example file imports, a rename works; WCAG 2.1 AA on both states."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

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
    assert page.get_by_role("heading", name="Er is nog niets ingericht").is_visible()
    assert_accessible(page, "empty institution")

    page.get_by_label("Bestand met opleidingen (CSV of Excel)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Importeren").click()
    page.wait_for_load_state()
    assert page.get_by_text("Geïmporteerd: 9 nieuw, 0 gewijzigd, 0 ongewijzigd.").is_visible()
    assert Programme.objects.count() == 9
    heading = page.get_by_role("heading", name="Locatie Hengelo Spoorzone")
    assert heading.is_visible()
    assert_accessible(page, "institution with programmes")

    section = page.locator("section.card", has=heading)
    section.locator("summary").first.click()
    section.get_by_label("Nieuwe naam").first.fill("Hengelo Station")
    section.get_by_role("button", name="Naam opslaan").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("De naam van de locatie is gewijzigd.").is_visible()
    assert page.get_by_role("heading", name="Locatie Hengelo Station").is_visible()
