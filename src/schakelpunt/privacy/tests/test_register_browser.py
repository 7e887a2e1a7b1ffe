"""The privacy officer reads the register in a real browser, accessibly, and downloads it."""

import csv
import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from schakelpunt.accounts.tests.factories import PASSWORD
from schakelpunt.privacy.register import Activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_privacy_officer_reads_and_downloads_the_register(live_server, page, world):
    base = live_server.url
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill(world.users["privacy"].email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/privacy/register/")
    assert page.get_by_role("heading", level=1).inner_text() == "Register van verwerkingen"
    # The table of contents leads to each activity's section.
    page.get_by_role("link", name="Vroegsignalering").click()
    section = page.locator("section", has=page.locator("#verwerking-early_warning"))
    assert "Taak van algemeen belang" in section.inner_text()
    assert "bij uitschrijving" in section.inner_text()
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download als CSV (voor Excel)").click()
    download = info.value
    assert download.suggested_filename == "register-van-verwerkingen.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == len(Activity) + 1
    assert {row[1] for row in rows[1:]} == {a.value for a in Activity}
