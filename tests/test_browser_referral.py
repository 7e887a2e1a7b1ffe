"""A referral closed-loop in a real browser: the coordinator refers with consent, the
provider's worker accepts and records first contact, the coordinator and the student see it."""

import re

import pytest
from playwright.sync_api import expect

from schakelpunt.accounts.models import Organisation
from schakelpunt.directory.models import DirectoryOrganisation
from schakelpunt.directory.tests.factories import ServiceFactory

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refer_accept_first_contact_and_everyone_sees_it(live_server, page, world):
    base = live_server.url
    entry = DirectoryOrganisation.objects.create(
        name="Zorg Een", description="Jeugdhulp", account=Organisation.objects.get(name="Zorg Een")
    )
    ServiceFactory(organisation=entry, name="Jongerencoaching", first_contact_days=5)
    anna = world.students["t1"]

    # The care coordinator refers Anna from her file, with her consent.
    log_in(page, base, "care_l1@example.nl")
    page.goto(f"{base}/studenten/{anna.pk}/")
    page.get_by_role("link", name="Verwijzen", exact=True).click()
    page.get_by_label("Aanbod op de sociale kaart").select_option(
        label="Zorg Een — Jongerencoaching"
    )
    page.get_by_label("Hulpvraag").fill("Anna slaapt slecht en wil met iemand praten.")
    page.get_by_label("De student stemt in").check()
    page.get_by_role("button", name="Verwijzing versturen").click()
    expect(page.get_by_text("De verwijzing is verstuurd.")).to_be_visible()
    referral_url = page.url

    # The provider's worker sees the question without the name, accepts, records contact.
    log_in(page, base, "worker_p1@example.nl")
    page.get_by_role("link", name="Verwijzingen", exact=True).click()
    page.get_by_role("row", name=re.compile("Jongerencoaching")).get_by_role("link").click()
    expect(page.get_by_text("Anna slaapt slecht en wil met iemand praten.")).to_be_visible()
    expect(page.get_by_text("Naam en gedeelde gegevens ziet u zodra")).to_be_visible()
    # Before accepting, nothing but the question names her: no surname, no student number.
    assert anna.last_name not in page.content()
    assert anna.student_number not in page.content()
    page.get_by_role("button", name="Accepteren").click()
    expect(page.get_by_role("heading", name="Overdracht")).to_be_visible()
    assert "Anna" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Eerste contact vastleggen").click()
    expect(page.get_by_text("Verwijzing bijgewerkt: eerste contact gemaakt.")).to_be_visible()
    page.get_by_label("Uw advies aan school").fill("Vaste check-in op maandagochtend.")
    page.get_by_role("button", name="Advies versturen").click()

    # The coordinator sees the step and the advice.
    log_in(page, base, "care_l1@example.nl")
    page.goto(referral_url)
    expect(page.get_by_text("Eerste contact gemaakt", exact=True).first).to_be_visible()
    expect(page.get_by_text("Vaste check-in op maandagochtend.")).to_be_visible()

    # Anna sees her referral in her own file and in her notifications.
    log_in(page, base, "anna@example.nl")
    page.get_by_role("link", name="Naar mijn dossier").click()
    expect(page.get_by_role("link", name="Jongerencoaching")).to_be_visible()
    expect(page.get_by_text("heeft je gesproken").first).to_be_visible()
    page.get_by_role("link", name="Meldingen", exact=False).click()
    expect(
        page.get_by_text("Je verwijzing naar Jongerencoaching: eerste contact gemaakt.")
    ).to_be_visible()
