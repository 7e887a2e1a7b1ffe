"""A correction request in a real browser (issue 19, item 4): the student finds "Mijn gegevens"
from their own file, asks, the care coordinator answers from "Verzoeken van studenten", and the
student reads the answer."""

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


def test_the_student_asks_the_coordinator_answers_the_student_reads_it(live_server, page, world):
    anna = world.students["t1"]
    base = live_server.url
    log_in(page, base, "anna@example.nl")
    page.goto(f"{base}/studenten/{anna.pk}/")
    # The link on the file itself (the menu has "Mijn gegevens" too).
    page.get_by_role("main").get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_role("heading", name="Mijn gegevens", level=1)).to_be_visible()
    page.get_by_role("link", name="Vraag om iets te verbeteren").click()

    # Sent empty: every mistake at the top, linked to its field; nothing is sent.
    page.get_by_role("button", name="Versturen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Schrijf op wat er niet klopt.")
    link = summary.get_by_role("link", name="Wat klopt er niet?: Schrijf op wat er niet klopt.")
    expect(link).to_have_attribute("href", "#id_wrong")

    page.get_by_label("Over welk deel gaat het?").select_option(label="Hoe ze je kunnen bereiken")
    page.get_by_label("Wat klopt er niet?").fill("Mijn telefoonnummer is oud.")
    page.get_by_label("Wat moet het wel zijn?").fill("06 12345678")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Je vraag is verstuurd.")).to_be_visible()
    expect(page.get_by_role("cell", name="We kijken ernaar")).to_be_visible()

    log_in(page, base, "care_l1@example.nl")
    page.goto(f"{base}/privacy/verzoeken/")
    page.get_by_role("link", name=anna.display_name).click()
    expect(page.get_by_text("06 12345678")).to_be_visible()
    page.get_by_label("Toegewezen: de gegevens zijn verbeterd").check()
    page.get_by_label("Antwoord aan de student").fill("Je nummer is aangepast.")
    page.get_by_role("button", name="Antwoord opslaan").click()
    expect(page.get_by_text("Het antwoord is opgeslagen; de student ziet het.")).to_be_visible()

    log_in(page, base, "anna@example.nl")
    page.goto(f"{base}/privacy/mijn-gegevens/")
    expect(page.get_by_role("cell", name="Je nummer is aangepast.")).to_be_visible()
    expect(page.get_by_role("cell", name="Verbeterd", exact=True)).to_be_visible()
