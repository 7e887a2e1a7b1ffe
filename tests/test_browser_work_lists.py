"""The work lists in a real browser (issue 16): filter triage and the RMC reports with the
keyboard and the labels a screen reader reads, bookmark the result, clear the filters."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schakelpunt.signals.models import AbsenceReport, AbsenceReportKind, Concern, Urgency

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_care_coordinator_filters_triage_and_starts_a_trajectory(live_server, page, world):
    base = live_server.url
    anna, bram = world.students["t1"], world.students["t2"]
    coach = world.users["coach"]
    Concern.objects.create(
        student=anna,
        raised_by=coach,
        text="Anna vertelt over ruzie thuis.",
        life_domains=["home"],
        urgency=Urgency.URGENT,
    )
    Concern.objects.create(
        student=bram, raised_by=coach, text="Bram loopt achter met stage.", life_domains=["work"]
    )

    log_in(page, base, "care_l1@example.nl")
    page.get_by_role("link", name="Triage").click()
    cards = page.locator("section.card", has=page.locator("h2 a"))
    expect(cards).to_have_count(2)

    # Filter with labelled fields inside a fieldset named for screen readers.
    filters = page.get_by_role("group", name="Zoeken en filteren")
    filters.get_by_label("Urgentie").select_option(label="Dringend")
    filters.get_by_role("button", name="Filteren").click()
    expect(cards).to_have_count(1)
    assert "urgentie=urgent" in page.url  # a GET form: the filtered list can be bookmarked
    card = cards.first
    expect(card.get_by_text("Anna vertelt over ruzie thuis.")).to_be_visible()
    expect(card.get_by_text("Thuissituatie")).to_be_visible()  # the concern's life domain

    # The bookmark opens the same list.
    page.goto(page.url)
    expect(cards).to_have_count(1)

    # Clear, then search by name with the keyboard only.
    page.get_by_role("link", name="Wis filters").click()
    expect(cards).to_have_count(2)
    search = page.get_by_label("Zoek op naam of studentnummer")
    search.fill(bram.first_name)
    search.press("Enter")
    expect(cards).to_have_count(1)
    expect(cards.first.get_by_text("Bram loopt achter met stage.")).to_be_visible()
    # A worry about the internship: the message asks about study, not "we hebben je gemist".
    message = cards.first.get_by_label("Bericht aan de student").input_value()
    assert "stage" in message and "gemist" not in message

    # Starting a trajectory from Anna's concern closes the concern and opens her file.
    page.get_by_role("link", name="Wis filters").click()
    cards.filter(has_text=anna.first_name).get_by_role("button", name="Traject starten").click()
    expect(
        page.get_by_text("de zorgmelding is afgesloten en aan het traject gekoppeld")
    ).to_be_visible()
    assert f"/studenten/{anna.pk}/" in page.url
    assert Concern.objects.get(student=anna).trajectory is not None
    page.get_by_role("link", name="Triage").click()
    expect(cards).to_have_count(1)


def test_rmc_filters_reports_by_municipality_and_exports_what_it_sees(live_server, page, world):
    base = live_server.url
    bram = world.students["t2"]  # lives in Hengelo
    today = timezone.localdate()
    AbsenceReport.objects.create(
        student=bram,
        kind=AbsenceReportKind.RMC,
        start_date=today - timedelta(30),
        threshold_on=today - timedelta(3),
        end_date=today - timedelta(3),
        unauthorised_hours=24,
        rules_version="test",
    )

    log_in(page, base, "rmc@example.nl")
    page.goto(f"{base}/verzuim/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)

    filters = page.get_by_role("group", name="Zoeken en filteren")
    filters.get_by_label("Woongemeente").select_option(label="Hengelo (O.)")
    filters.get_by_label("Soort melding").select_option(label="RMC-melding (18–23 jaar)")
    filters.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(1)
    assert bram.student_number in rows.first.inner_text()
    assert "ROC Een" in rows.first.inner_text()  # the school
    assert "gemeente=" in page.url and "soort=rmc" in page.url

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Deze meldingen exporteren (CSV)").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    lines = text.splitlines()
    assert len(lines) == 2 and bram.full_name in lines[1] and "RMC-melding" in lines[1]

    page.get_by_role("link", name="Wis filters").click()
    expect(rows).to_have_count(2)


def test_rmc_list_filters_by_follow_up(live_server, page, world):
    base = live_server.url
    dewi = world.students["early"]
    log_in(page, base, "rmc@example.nl")
    page.goto(f"{base}/verzuim/rmc-lijst/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    filters = page.get_by_role("group", name="Zoeken en filteren")
    filters.get_by_label("Opvolging").select_option(label="Aan het werk")
    filters.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("Niemand op de lijst voldoet aan deze filters.")).to_be_visible()
    filters = page.get_by_role("group", name="Zoeken en filteren")
    filters.get_by_label("Opvolging").select_option(label="Nog niet opgepakt")
    filters.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(1)
    assert dewi.first_name in rows.first.inner_text()
