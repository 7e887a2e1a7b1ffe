"""A case meeting in a real browser: the care coordinator plans it with an external worker and
the student, records a decision with an action; the action is in the plan and the owner's list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schakelpunt.access.parts import Part
from schakelpunt.accounts.models import Organisation
from schakelpunt.referrals.models import Consent, Referral, ReferralStatus
from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_meeting_decide_action_in_plan_and_owners_list(live_server, page, world):
    base = live_server.url
    anna = world.students["t1"]
    care = world.users["care_l1"]
    trajectory = trajectory_open(actor=care, student=anna, life_domains=["home"])
    trajectory_set_coordinator(
        actor=care,
        trajectory_id=trajectory.pk,
        coordinator=care,
        expected_version=trajectory.version,
    )
    provider = Organisation.objects.get(name="Zorg Een")
    Referral.objects.create(student=anna, to_organisation=provider, status=ReferralStatus.ACCEPTED)
    Consent.objects.create(student=anna, organisation=provider, parts=[Part.CONTACT, Part.SUPPORT])

    log_in(page, base, "care_l1@example.nl")
    page.goto(f"{base}/studenten/{anna.pk}/")
    page.get_by_role("link", name="Overleg plannen").click()
    # The meeting is held now (it began an hour ago): decisions are recorded once it has begun.
    began = timezone.localtime() - timedelta(hours=1)
    page.get_by_label("Datum", exact=True).fill(began.date().isoformat())
    page.get_by_label("Begintijd").fill(began.strftime("%H:%M"))
    page.get_by_label("Plaats of videolink").fill("Lokaal 1.05")
    page.get_by_label("Vraag voor het overleg").fill(
        "Anna slaapt slecht en mist lessen; wat helpt?"
    )
    assert page.get_by_label("De student uitnodigen").is_checked()
    page.get_by_role("button", name="Overleg plannen").click()
    expect(page.get_by_text("Het overleg is gepland")).to_be_visible()

    page.get_by_label("Deelnemer", exact=True).select_option(label=str(world.users["worker_p1"]))
    page.get_by_label("Rol in het overleg").fill("jeugdhulpverlener")
    page.get_by_role("button", name="Uitnodigen", exact=True).click()
    expect(page.get_by_text("is uitgenodigd.")).to_be_visible()

    decision = page.get_by_role("form", name="Besluit over Anna", exact=False)
    decision.get_by_label("Besluit", exact=True).fill("Slaapritme aanpakken met jeugdhulp.")
    decision.get_by_label("Actie voor het plan").fill("Slaapdagboek met Anna bespreken")
    decision.get_by_label("Wie doet het").select_option(label=str(world.users["worker_p1"]))
    decision.get_by_label("Uiterlijk op").fill(
        (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    decision.get_by_role("button", name="Besluit vastleggen").click()
    expect(
        page.get_by_text("Het besluit is vastgelegd en de actie staat in het plan.")
    ).to_be_visible()

    page.goto(f"{base}/studenten/{anna.pk}/plan/")
    expect(page.get_by_text("Slaapdagboek met Anna bespreken")).to_be_visible()

    log_in(page, base, "worker_p1@example.nl")
    page.get_by_role("link", name="Mijn acties").click()
    expect(
        page.get_by_role("cell", name="Slaapdagboek met Anna bespreken", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("link", name="Anna", exact=False).first).to_be_visible()
