"""Need-to-know around the file (issue 15, item 3): names in notifications, advice on the
plan page, enrolment in lists, and what a provider sees of the history and the parents.

Through the screens, as the people involved use them. The world: provider 1 has Chris (T3,
location L2) with an accepted referral and consent for contact and support (not enrolment),
and Bram (T2, L1) only as a sent referral with consent for contact.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from schakelpunt.accounts.tests.factories import OrganisationFactory
from schakelpunt.notifications.models import Notification
from schakelpunt.referrals.models import Advice, Consent, Referral, ReferralStatus
from schakelpunt.signals.models import Concern
from schakelpunt.students.models import Guardian, GuardianRelation
from schakelpunt.support.models import (
    ContactKind,
    ContactNote,
    Trajectory,
    TrajectoryEvent,
    TrajectoryEventKind,
    TrajectoryState,
)
from schakelpunt.support.plans import plan_save
from schakelpunt.support.services import trajectory_open
from tests.world import World, client_for


def _inbox(world: World, who: str) -> str:
    return client_for(world.users[who]).get(reverse("notifications:inbox")).content.decode()


# --- 1. A notification names a student only to whoever may already see the student. ---


def test_withdrawing_consent_does_not_name_the_student_to_a_provider_that_never_had_it(
    world: World,
) -> None:
    bram = world.students["t2"]
    referral = Referral.objects.get(student=bram)
    referral.created_by = world.users["coach2"]
    referral.save()
    consent = Consent.objects.get(student=bram)
    referral.consent = consent
    referral.save()
    response = client_for(world.users["care_l1"]).post(
        reverse("referrals:withdraw", args=[consent.pk])
    )
    assert response.status_code == 302
    provider = Notification.objects.get(recipient=world.users["worker_p1"]).message
    assert "Bram" not in provider and bram.last_name not in provider
    assert f"verwijzing {referral.pk}" in provider
    assert "Bram" not in _inbox(world, "worker_p1")
    # The school, which sees Bram, still reads his name.
    assert "Bram" in Notification.objects.get(recipient=world.users["coach2"]).message


def test_after_withdrawal_the_provider_that_had_the_file_reads_no_name_either(
    world: World,
) -> None:
    chris = world.students["t3"]
    consent = Consent.objects.get(student=chris)
    client_for(world.users["advisor_l2"]).post(reverse("referrals:withdraw", args=[consent.pk]))
    provider = Notification.objects.get(recipient=world.users["worker_p1"]).message
    assert "Chris" not in provider and chris.last_name not in provider
    assert provider.startswith("Een student")


def test_a_sent_referral_reaches_the_provider_without_the_name(world: World) -> None:
    from schakelpunt.referrals.services import referral_step

    referral = Referral.objects.get(student=world.students["t2"])
    referral.status = ReferralStatus.DRAFT
    referral.save()
    referral_step(
        actor=world.users["care_l1"],
        referral_id=referral.pk,
        to_status=ReferralStatus.SENT,
        expected_version=None,
    )
    message = Notification.objects.get(recipient=world.users["worker_p1"]).message
    assert "Bram" not in message and f"verwijzing {referral.pk}" in message


# --- 3. Advice on the plan page: per the referral's own access. ---


def _plan_for(world: World, student_key: str, who: str) -> Trajectory:
    trajectory = trajectory_open(actor=world.users[who], student=world.students[student_key])
    plan_save(
        actor=world.users[who],
        trajectory_id=trajectory.pk,
        expected_version=0,
        goals=[],
        actions=[],
        wishes="Weer naar stage",
    )
    return trajectory


def test_a_provider_reads_only_the_advice_on_its_own_referrals(world: World) -> None:
    chris = world.students["t3"]
    _plan_for(world, "t3", "advisor_l2")
    own = Referral.objects.get(student=chris)
    other_provider = OrganisationFactory(provider=True, name="Zorg Drie")
    other = Referral.objects.create(
        student=chris, to_organisation=other_provider, status=ReferralStatus.HELP_STARTED
    )
    Advice.objects.create(referral=own, text="Advies van Zorg Een: korte lijnen.")
    Advice.objects.create(referral=other, text="Advies van Zorg Drie: schuldhulp loopt.")
    url = reverse("support:plan", args=[chris.pk])
    provider = client_for(world.users["worker_p1"]).get(url).content.decode()
    assert "Advies van Zorg Een" in provider
    assert "Advies van Zorg Drie" not in provider and "Zorg Drie" not in provider
    school = client_for(world.users["advisor_l2"]).get(url).content.decode()
    assert "Advies van Zorg Een" in school and "Advies van Zorg Drie" in school


# --- 4. Lists and the start page: enrolment only where the viewer may see it. ---


def test_the_student_list_and_start_page_hide_enrolment_without_consent_for_it(
    world: World,
) -> None:
    chris = world.students["t3"]
    name = chris.programme.name
    # What a row shows of the enrolment: programme (level) and location.
    shown = {
        reverse("students:list"): [f"<td>{name} (", "<td>L2</td>"],
        reverse("core:home"): [f"{name}, L2"],
    }
    worker = client_for(world.users["worker_p1"])
    for url, markers in shown.items():
        html = worker.get(url).content.decode()
        assert "Chris" in html
        assert not [m for m in markers if m in html]
    # With consent for enrolment, the same rows show programme and location.
    Consent.objects.filter(student=chris).update(parts=["contact", "support", "enrolment"])
    for url, markers in shown.items():
        html = client_for(world.users["worker_p1"]).get(url).content.decode()
        assert all(m in html for m in markers)
    # The school's own staff see them as before.
    school = client_for(world.users["advisor_l2"]).get(reverse("students:list")).content.decode()
    assert f"<td>{name} (" in school


# --- 5. A provider sees the consented parts from its referral on, and parents only with
# the student's agreement. ---


def test_after_acceptance_the_provider_sees_only_the_referrals_period(world: World) -> None:
    chris = world.students["t3"]
    now = timezone.now()
    referral = Referral.objects.get(student=chris)
    referral.sent_at = now - timedelta(days=10)
    referral.save()
    coach = world.users["advisor_l2"]
    old = Trajectory.objects.create(
        student=chris, state=TrajectoryState.CLOSED, close_reason="goal_reached"
    )
    TrajectoryEvent.objects.create(
        trajectory=old,
        kind=TrajectoryEventKind.STATE,
        old_value="active",
        new_value="closed",
        reason="Eerder traject om thuissituatie",
        effective_on=(now - timedelta(days=400)).date(),
        at=now - timedelta(days=400),
        actor=coach,
    )
    Concern.objects.create(
        student=chris,
        raised_by=coach,
        text="Zorg van de coach, woordelijk: vermoedt problemen thuis",
        created_at=now - timedelta(days=2),
    )
    ContactNote.objects.create(
        student=chris,
        kind=ContactKind.CONVERSATION,
        happened_on=(now - timedelta(days=60)).date(),
        summary="Oud gesprek over de scheiding van de ouders",
        author=coach,
    )
    ContactNote.objects.create(
        student=chris,
        kind=ContactKind.CONVERSATION,
        happened_on=(now - timedelta(days=3)).date(),
        summary="Gesprek over de start van de hulp",
        author=coach,
    )
    Guardian.objects.create(
        student=chris, name="Moeder Chris", relation=GuardianRelation.PARENT, phone="0611122233"
    )
    url = reverse("students:detail", args=[chris.pk])
    provider = client_for(world.users["worker_p1"]).get(url).content.decode()
    assert "Gesprek over de start van de hulp" in provider
    assert "Eerder traject om thuissituatie" not in provider
    assert "Oud gesprek over de scheiding" not in provider
    assert "vermoedt problemen thuis" not in provider
    assert "0611122233" not in provider and "Moeder Chris" not in provider
    # The school's care team still sees the whole history and the parent.
    school = client_for(coach).get(url).content.decode()
    for text in ("Eerder traject om thuissituatie", "vermoedt problemen thuis", "0611122233"):
        assert text in school
    # A parent the student agreed to involve: the provider with consent for contact sees them.
    Guardian.objects.create(
        student=chris,
        name="Vader Chris",
        relation=GuardianRelation.PARENT,
        phone="0644455566",
        student_consents=True,
    )
    assert "0644455566" in client_for(world.users["worker_p1"]).get(url).content.decode()


def test_a_provider_reads_no_plan_version_from_before_its_referral(world: World) -> None:
    from schakelpunt.support.models import PlanVersion

    chris = world.students["t3"]
    trajectory = _plan_for(world, "t3", "advisor_l2")
    PlanVersion.objects.filter(plan__trajectory=trajectory).update(
        saved_at=timezone.now() - timedelta(days=40)
    )
    plan_save(
        actor=world.users["advisor_l2"],
        trajectory_id=trajectory.pk,
        expected_version=1,
        goals=[],
        actions=[],
        wishes="Samen met de hulpverlener verder",
    )
    referral = Referral.objects.get(student=chris)
    referral.sent_at = timezone.now() - timedelta(days=10)
    referral.save()
    url = reverse("support:plan", args=[chris.pk])
    provider = client_for(world.users["worker_p1"])
    html = provider.get(url).content.decode()
    assert "Samen met de hulpverlener verder" in html
    assert "?versie=1" not in html
    assert provider.get(f"{url}?versie=1").status_code == 404
    assert client_for(world.users["advisor_l2"]).get(f"{url}?versie=1").status_code == 200
