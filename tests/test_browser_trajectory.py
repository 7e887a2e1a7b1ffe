"""Coach → care coordinator → student, in a real browser (issue 3's walk-through)."""

import pytest
from playwright.sync_api import expect

from schakelpunt.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")


def test_coach_opens_coordinator_plans_and_escalates_student_sees_it(live_server, page, world):
    base = live_server.url
    anna = world.students["t1"]
    file_url = f"{base}/studenten/{anna.pk}/"

    # The coach opens a trajectory and makes the care coordinator its coordinator.
    log_in(page, base, "coach@example.nl")
    page.goto(file_url)
    page.locator("#traject").get_by_label("Thuissituatie").check()
    page.get_by_label("Aanleiding").fill("Anna mist veel lessen en vertelt over ruzie thuis.")
    page.get_by_role("button", name="Traject openen").click()
    expect(page.get_by_text("Het traject is geopend.")).to_be_visible()
    coordinator = world.users["care_l1"]
    page.get_by_label("Regisseur", exact=True).select_option(label=str(coordinator))
    page.get_by_role("button", name="Regisseur kiezen").click()
    expect(page.get_by_text("De regisseur is gewijzigd.")).to_be_visible()

    # The care coordinator adds a goal and an action, then escalates to breedte.
    log_in(page, base, "care_l1@example.nl")
    page.goto(file_url)
    page.get_by_role("link", name="Plan maken").click()
    page.locator("#id_doel-0-life_domain").select_option("home")
    page.locator("#id_doel-0-text").fill("Ik wil een rustige plek om te leren.")
    page.locator("#id_actie-0-description").fill("Gesprek met Anna en haar moeder")
    page.locator("#id_actie-0-owner").select_option(label=str(coordinator))
    page.locator("#id_actie-0-due_on").fill("2030-01-15")
    page.get_by_role("button", name="Plan opslaan").click()
    expect(page.get_by_text("Het plan is opgeslagen.")).to_be_visible()
    page.goto(file_url)
    page.get_by_text("Fase, zwaarte of regisseur wijzigen").click()  # folded: less frequent
    page.locator("#id_tier-tier").select_option("breedte")
    page.locator("form:has(#id_tier-tier) textarea[name=reason]").fill(
        "Schoolmaatschappelijk werk erbij"
    )
    page.get_by_role("button", name="Zwaarte wijzigen").click()
    expect(page.get_by_text("De zwaarte is gewijzigd.")).to_be_visible()

    # Anna sees it in her own view and in her notifications.
    log_in(page, base, "anna@example.nl")
    page.get_by_role("link", name="Naar mijn dossier").click()
    expect(page.get_by_role("heading", name="Jouw hulp op school")).to_be_visible()
    expect(page.get_by_text("Ik wil een rustige plek om te leren.")).to_be_visible()
    expect(page.get_by_text("Gesprek met Anna en haar moeder")).to_be_visible()
    # Opened, a coordinator chosen, escalated.
    page.get_by_role("link", name="Meldingen (3 nieuw)").click()
    expect(page.get_by_text("Je krijgt nu meer hulp.")).to_be_visible()
    expect(page.get_by_text("Je krijgt nu extra hulp van school.")).to_be_visible()
    expect(
        page.get_by_text("Vanaf nu kun je voor je extra hulp op school terecht bij")
    ).to_be_visible()
