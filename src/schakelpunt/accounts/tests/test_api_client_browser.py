"""Connecting a provider's system in a real browser: choose the organisation, tick the
scopes, copy the key once; a reload does not show it again; then revoke it. Every page
meets WCAG 2.1 AA."""

import os
import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect
from tests.test_accessibility import assert_accessible
from tests.test_browser_trajectory import log_in

from schakelpunt.accounts.models import ApiClient, Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set to a folder to keep a screenshot of each step (for a review, not for the assertions).
SHOTS = os.environ.get("SCHAKELPUNT_SCREENSHOTS", "")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"koppelingen-{name}.png"), full_page=True)


def test_admin_connects_a_providers_system_copies_the_key_once_and_revokes_it(
    live_server, page, world
) -> None:  # type: ignore[no-untyped-def]
    provider = Organisation.objects.get(name="Zorg Een")
    provider.managed_by = Organisation.objects.get(name="ROC Een")
    provider.save()
    base = live_server.url
    log_in(page, base, "admin@example.nl")
    page.goto(f"{base}/beheer/koppelingen/")
    expect(page.get_by_text("Er zijn nog geen systemen gekoppeld.")).to_be_visible()
    page.get_by_role("link", name="Systeem koppelen").click()

    page.get_by_label("Organisatie").select_option(label="Zorg Een")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Systeem koppelen voor Zorg Een")
    expect(page.get_by_label("Studenten en inschrijvingen aanleveren")).to_have_count(0)
    expect(page.get_by_role("group", name="Rechten van het systeem")).to_contain_text(
        "Verzuim aanleveren: alleen voor Mbo-instelling."
    )
    assert_accessible(page, "register a system")
    page.get_by_role("button", name="Koppelen en sleutel maken").click()  # nothing filled in
    expect(page.get_by_role("alert").first).to_contain_text("Controleer deze 2 velden")
    assert_accessible(page, "register a system, with errors")
    _shot(page, "1-fouten")

    page.get_by_label("Naam van het systeem").fill("Cliëntregistratie")
    page.get_by_label("Verwijzingen naar de eigen organisatie lezen").check()
    page.get_by_label("Verwijzingen afhandelen (accepteren, contact, afsluiten)").check()
    page.get_by_role("button", name="Koppelen en sleutel maken").click()
    expect(page.get_by_role("alert")).to_contain_text("Kopieer de sleutel nu")
    token = page.locator("#token").inner_text().strip()
    assert re.fullmatch(r"spk_[0-9a-f]{8}_\S+", token)
    assert_accessible(page, "the key, once")
    _shot(page, "2-sleutel")

    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(reverse("referral-list")).status_code == 200
    page.reload()
    expect(page.locator("#token")).to_have_count(0)
    expect(page.get_by_text("al getoond en wordt niet nog eens getoond")).to_be_visible()

    page.goto(f"{base}/beheer/koppelingen/")
    row = page.locator("tbody tr", has_text="Cliëntregistratie")
    expect(row).to_contain_text("Zorg Een")
    expect(row).to_contain_text("actief")
    assert_accessible(page, "the list")
    _shot(page, "3-lijst")
    row.get_by_role("link", name="Cliëntregistratie").click()
    page.get_by_role("link", name="Koppeling intrekken").click()
    page.get_by_role("button", name="Ja, intrekken").click()
    expect(page.get_by_role("status")).to_contain_text("is ingetrokken")
    _shot(page, "4-ingetrokken")
    assert api.get(reverse("referral-list")).status_code == 401
    assert ApiClient.objects.get().revoked_by.email == "admin@example.nl"  # type: ignore[union-attr]
