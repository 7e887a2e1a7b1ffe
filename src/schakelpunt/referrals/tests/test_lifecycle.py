"""A referral as a tracked promise: every step, the refused ones, and the agreed first contact."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.world import World, client_for

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.services import membership_create
from schakelpunt.accounts.tests.factories import UserFactory
from schakelpunt.directory.models import DirectoryOrganisation, Service, ServiceStatus
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.notifications.models import Notification
from schakelpunt.referrals.models import ConsentBasis, Outcome, Referral, ReferralStatus
from schakelpunt.referrals.selectors import overdue_days, provider_worklist, school_worklist
from schakelpunt.referrals.services import (
    EMERGENCY_DAYS,
    ConsentInput,
    ReferralError,
    StaleReferralError,
    StepInput,
    referral_create,
    referral_step,
)
from schakelpunt.referrals.workflow import TRANSITIONS

S = ReferralStatus


def _service(world: World, **extra: object) -> Service:
    provider = Organisation.objects.get(name="Zorg Een")
    entry = DirectoryOrganisation.objects.create(
        name="Zorg Een", description="Jeugdhulp", account=provider
    )
    return ServiceFactory(organisation=entry, name="Jongerencoaching", **extra)


def _refer(world: World, service: Service, student: str = "t2", **extra: object) -> Referral:
    values: dict = {
        "question": "Bram slaapt slecht en mist veel lessen. Wil praten met iemand.",
        "parts": ["contact", "support"],
        "consent": ConsentInput(student_agrees=True),
        **extra,
    }
    return referral_create(
        actor=world.users["care_l1"],
        student_id=world.students[student].pk,
        service_id=service.pk,
        **values,
    )


def _step(world: World, who: str, referral: Referral, to: str, **details: object) -> Referral:
    referral.refresh_from_db()
    return referral_step(
        actor=world.users[who],
        referral_id=referral.pk,
        to_status=to,
        expected_version=referral.version,
        details=StepInput(**details),  # type: ignore[arg-type]
    )


def test_the_whole_way_from_sent_to_ended(world: World) -> None:
    service = _service(world, first_contact_days=8)
    referral = _refer(world, service)
    assert referral.status == S.SENT
    assert referral.consent is not None and referral.consent.parts == ["contact", "support"]
    _step(world, "worker_p1", referral, S.RECEIVED)
    accepted = _step(world, "worker_p1", referral, S.ACCEPTED)
    today = timezone.localdate()
    assert accepted.first_contact_due == today + timedelta(days=8)
    _step(world, "worker_p1", referral, S.FIRST_CONTACT, first_contact_on=today)
    _step(world, "worker_p1", referral, S.HELP_STARTED)
    ended = _step(world, "worker_p1", referral, S.ENDED, outcome=Outcome.SUCCESSFUL)
    assert ended.ended_on == today and ended.outcome == Outcome.SUCCESSFUL
    assert [e.to_status for e in ended.events.all()] == [
        S.SENT,
        S.RECEIVED,
        S.ACCEPTED,
        S.FIRST_CONTACT,
        S.HELP_STARTED,
        S.ENDED,
    ]
    # The coordinator who referred heard of every step the provider took.
    assert Notification.objects.filter(recipient=world.users["care_l1"]).count() == 5


def test_the_provider_sees_no_name_before_accepting(world: World) -> None:
    referral = _refer(world, _service(world))
    note = Notification.objects.get(recipient=world.users["worker_p1"])
    assert "Bram" not in note.message and "Jongerencoaching" in note.message
    _step(world, "worker_p1", referral, S.ACCEPTED)
    assert not Notification.objects.filter(
        recipient=world.users["worker_p1"], message__contains="Bram"
    )
    _step(world, "care_l1", referral, S.WITHDRAWN, note="Student verhuist")
    # Withdrawn: the provider no longer sees Bram, so the message names the referral only.
    withdrawn = Notification.objects.filter(recipient=world.users["worker_p1"]).first()
    assert withdrawn is not None and "ingetrokken" in withdrawn.message
    assert "Bram" not in withdrawn.message and f"verwijzing {referral.pk}" in withdrawn.message


@pytest.mark.parametrize(
    ("who", "start", "to"),
    [
        ("care_l1", S.SENT, S.ACCEPTED),  # the school does not accept for the provider
        ("worker_p1", S.SENT, S.WITHDRAWN),  # only the school takes its question back
        ("worker_p1", S.ACCEPTED, S.HELP_STARTED),  # no help before first contact
        ("worker_p2", S.SENT, S.ACCEPTED),  # another provider
        ("coach", S.SENT, S.WITHDRAWN),  # a coach does not handle referrals
        ("worker_p1", S.ENDED, S.HELP_STARTED),  # ended is ended
    ],
)
def test_steps_out_of_turn_are_refused(world: World, who: str, start: str, to: str) -> None:
    referral = _refer(world, _service(world))
    Referral.objects.filter(pk=referral.pk).update(status=start)
    with pytest.raises(ReferralError):
        _step(world, who, referral, to, note="reden", outcome=Outcome.SUCCESSFUL)
    referral.refresh_from_db()
    assert referral.status == start


def test_every_table_step_names_who_takes_it() -> None:
    assert {who for who, _why in TRANSITIONS.values()} == {"school", "provider"}
    assert all(why for _who, why in TRANSITIONS.values())


def test_declining_withdrawing_and_failing_need_a_reason(world: World) -> None:
    referral = _refer(world, _service(world))
    with pytest.raises(ReferralError, match="reden"):
        _step(world, "worker_p1", referral, S.DECLINED)
    with pytest.raises(ReferralError, match="reden"):
        _step(world, "care_l1", referral, S.WITHDRAWN)
    _step(world, "worker_p1", referral, S.ACCEPTED)
    with pytest.raises(ReferralError, match="Zonder eerste contact"):
        _step(world, "worker_p1", referral, S.ENDED, outcome=Outcome.SUCCESSFUL)
    with pytest.raises(ReferralError, match="waarom"):
        _step(world, "worker_p1", referral, S.ENDED, outcome=Outcome.NOT_SUCCESSFUL)
    ended = _step(
        world,
        "worker_p1",
        referral,
        S.ENDED,
        outcome=Outcome.NOT_SUCCESSFUL,
        end_reason="unreachable",
        note="Drie keer gebeld",
    )
    assert ended.get_end_reason_display() == "Student niet bereikbaar"


def test_a_step_on_an_old_version_is_refused(world: World) -> None:
    referral = _refer(world, _service(world))
    seen = referral.version
    _step(world, "worker_p1", referral, S.RECEIVED)
    with pytest.raises(StaleReferralError):
        referral_step(
            actor=world.users["care_l1"],
            referral_id=referral.pk,
            to_status=S.WITHDRAWN,
            expected_version=seen,
            details=StepInput(note="te laat"),
        )
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED


def test_first_contact_is_overdue_the_day_after_the_agreed_days(world: World) -> None:
    service = _service(world, first_contact_days=3)
    start = timezone.localdate()
    referral = _refer(world, service)
    _step(world, "worker_p1", referral, S.ACCEPTED)
    referral.refresh_from_db()
    assert referral.first_contact_due == start + timedelta(days=3)
    assert overdue_days(referral, start + timedelta(days=3)) == 0
    assert overdue_days(referral, start + timedelta(days=5)) == 2
    with time_machine.travel(start + timedelta(days=5), tick=False):
        work = provider_worklist(world.users["worker_p1"], start + timedelta(days=5))
        assert [r.pk for r in work.overdue] == [referral.pk]
        school = school_worklist(world.users["care_l1"], start + timedelta(days=5))
        assert [r.pk for r in school.overdue] == [referral.pk]
        _step(world, "worker_p1", referral, S.FIRST_CONTACT, first_contact_on=start + timedelta(4))
    referral.refresh_from_db()
    assert overdue_days(referral, start + timedelta(days=30)) == 0


def test_inactive_services_and_empty_questions_are_refused(world: World) -> None:
    service = _service(world)
    with pytest.raises(ReferralError, match="hulpvraag"):
        _refer(world, service, question="  ")
    with pytest.raises(ReferralError, match="onderdelen"):
        _refer(world, service, parts=[])
    with pytest.raises(ReferralError, match="buiten de gekozen"):
        _refer(world, service, parts=["identity"])
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.INACTIVE)
    with pytest.raises(ReferralError, match="niet actief"):
        _refer(world, service)
    assert not Referral.objects.filter(service=service).exists()


def test_a_provider_without_an_account_gets_one(world: World) -> None:
    service = ServiceFactory(name="Schuldhulp")
    referral = _refer(world, service)
    service.organisation.refresh_from_db()
    assert referral.to_organisation == service.organisation.account
    assert referral.to_organisation.get_kind_display() == "Zorgaanbieder"


def test_emergency_sharing_needs_the_separate_permission(world: World) -> None:
    service = _service(world)
    with pytest.raises(ReferralError, match="zonder toestemming"):
        _refer(world, service, consent=ConsentInput(emergency_reason="Acuut gevaar"))
    world.users["care_l1"].memberships.update(emergency_sharing=True)
    world.users["care_l1"] = User.objects.get(pk=world.users["care_l1"].pk)  # a new request
    referral = _refer(world, service, consent=ConsentInput(emergency_reason="Acuut gevaar"))
    assert referral.consent is not None
    assert referral.consent.basis == ConsentBasis.EMERGENCY
    assert referral.consent.expires_on == timezone.localdate() + timedelta(days=EMERGENCY_DAYS)
    # The privacy officer of the school sees it, with the reason; a coach does not.
    html = client_for(world.users["privacy"]).get(reverse("access:emergency")).content.decode()
    assert "Acuut gevaar" in html and "Bram" in html
    assert client_for(world.users["coach"]).get(reverse("access:emergency")).status_code == 404


@settings(max_examples=30, deadline=None)
@given(days=st.integers(min_value=1, max_value=90), late=st.integers(min_value=-5, max_value=40))
def test_overdue_days_follow_the_agreement(days: int, late: int) -> None:
    accepted = timezone.localdate()
    referral = Referral(
        status=S.ACCEPTED, accepted_on=accepted, first_contact_due=accepted + timedelta(days)
    )
    assert overdue_days(referral, accepted + timedelta(days + late)) == max(0, late)


def test_a_municipal_team_handles_referrals_to_its_entry_point(world: World) -> None:
    enschede = Organisation.objects.get(name="Gemeente Enschede")
    entry = DirectoryOrganisation.objects.create(
        name="Gemeente Enschede", description="Toegang", account=enschede
    )
    team = ServiceFactory(organisation=entry, name="Wijkteam Enschede", is_entry_point=True)
    worker = UserFactory(email="wijkteam@example.nl")
    membership_create(
        actor=world.users["admin"],
        user=worker,
        organisation=enschede,
        role=Role.EXTERNAL_CARE_WORKER,
    )
    referral = _refer(world, team)
    assert referral.to_organisation == enschede
    accepted = referral_step(
        actor=User.objects.get(pk=worker.pk),
        referral_id=referral.pk,
        to_status=S.ACCEPTED,
        expected_version=referral.version,
    )
    assert accepted.status == S.ACCEPTED
