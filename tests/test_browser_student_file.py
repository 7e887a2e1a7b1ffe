"""The student file, organised (issue 16, item 4), in a real browser: a summary on top and the
frequent actions one click away; each form's labels tick its own boxes (item 2)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schakelpunt.accounts.tests.factories import PASSWORD
from schakelpunt.signals.models import Concern
from schakelpunt.support.models import PlanAction
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/")


def in_view(page, locator) -> bool:  # type: ignore[no-untyped-def]
    """The whole element within the window, without the person scrolling."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_summary_on_top_and_each_frequent_action_one_click_away(live_server, page, world):
    anna = world.students["t1"]
    care = world.users["care_l1"]
    today = timezone.localdate()
    trajectory = trajectory_open(actor=care, student=anna, life_domains=["home"])
    trajectory_set_coordinator(
        actor=care, trajectory_id=trajectory.pk, coordinator=care, expected_version=1
    )
    plan_save(
        actor=care,
        trajectory_id=trajectory.pk,
        expected_version=0,
        goals=[GoalInput("home", "Een rustige plek om te leren")],
        actions=[
            ActionInput("Gesprek met moeder", today - timedelta(days=2), owner=care),
            ActionInput("Rooster aanpassen", today + timedelta(days=7), owner=care),
        ],
    )
    log_in(page, live_server.url, "care_l1@example.nl")
    page.goto(f"{live_server.url}/studenten/{anna.pk}/")

    # The summary answers the first questions without scrolling.
    summary = page.locator("#samenvatting")
    assert in_view(page, summary)
    expect(summary).to_contain_text(f"Regisseur{care}")
    expect(summary).to_contain_text("2 open, 1 te laat")
    expect(summary).to_contain_text("0 open zorgmeldingen")
    actions = page.get_by_role("navigation", name="Veelgebruikt in dit dossier")
    assert in_view(page, actions)

    # Each frequent form is one click away, and then in view.
    for link, form in [
        ("Contact vastleggen", "#contact-vastleggen"),
        ("Zorg melden", "#zorg"),
        ("Actie toevoegen", "#actie-toevoegen"),
    ]:
        page.goto(f"{live_server.url}/studenten/{anna.pk}/")
        actions.get_by_role("link", name=link).click()
        assert in_view(page, page.locator(f"{form} button[type=submit]")), link

    # Adding an action from the file puts it in the plan.
    form = page.locator("#actie-toevoegen")
    form.get_by_label("Actie", exact=True).fill("Afspraak bij de huisarts")
    form.get_by_label("Wie (medewerker)").select_option(label=str(care))
    form.get_by_label("Uiterlijk op").fill((today + timedelta(days=3)).isoformat())
    form.get_by_role("button", name="Actie toevoegen").click()
    expect(page.get_by_text("De actie staat in het plan.")).to_be_visible()
    expect(page.locator("#plan table")).to_contain_text("Afspraak bij de huisarts")
    assert PlanAction.objects.filter(description="Afspraak bij de huisarts", owner=care).exists()

    # Referring and planning a meeting open their own pages in one click.
    actions.get_by_role("link", name="Verwijzen").click()
    page.wait_for_url(f"**/verwijzingen/nieuw/{anna.pk}/")


def test_a_concern_label_ticks_the_box_of_the_concern_form(live_server, page, world):
    """Without a trajectory the file shows two forms with life domains: the trajectory's and
    the concern's. The concern's label ticked the trajectory's box (shared ids), and the
    concern was saved without its life domain."""
    anna = world.students["t1"]
    log_in(page, live_server.url, "care_l1@example.nl")
    page.goto(f"{live_server.url}/studenten/{anna.pk}/")
    concern = page.locator("#zorg")
    concern.get_by_text("Thuissituatie").click()
    assert concern.locator("input[value=home]").is_checked()
    assert not page.locator("#traject input[value=home]").is_checked()
    concern.get_by_label("Wat is uw zorg?").fill("Anna slaapt slecht door ruzie thuis.")
    concern.get_by_role("button", name="Zorg melden").click()
    expect(page.get_by_text("Uw zorg is gemeld")).to_be_visible()
    assert Concern.objects.get(student=anna).life_domains == ["home"]
