"""Events reach a provider's system through a real HTTP receiver: signed CloudEvents, thin,
only to who may know, retried with back-off, a withdrawal of consent first and final."""

import json
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.api_clients import api_client_revoke
from schakelpunt.events.models import Delivery, DeliveryStatus, EventType
from schakelpunt.events.services import _claim
from schakelpunt.referrals.models import Referral, ReferralStatus
from schakelpunt.referrals.services import ConsentInput, consent_withdraw, referral_create
from schakelpunt.support.services import trajectory_open

from .helpers import (
    QUESTION,
    deliver,
    refer,
    service_of_zorg_een,
    signature_is_valid,
    step,
    subscribe,
)
from .receiver import HANG, Receiver

S = ReferralStatus


def _events(receiver: Receiver, path: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(r.body) for r in receiver.at(path)]


def test_a_referral_reaches_the_providers_system_as_a_signed_thin_cloudevent(
    world: World, receiver: Receiver
) -> None:
    secret, token = subscribe(world, receiver, "Zorg Een", "/zorg-een")[1:]
    subscribe(world, receiver, "Zorg Twee", "/zorg-twee")
    student = world.students["t1"]
    student.bsn = "111222333"
    student.save(update_fields=["bsn"])
    referral = refer(world, service_of_zorg_een())
    step(world, "worker_p1", referral, S.ACCEPTED)

    assert "afgeleverd: 3" in deliver()

    events = _events(receiver, "/zorg-een")
    assert [e["type"] for e in events] == [
        "nl.schakelpunt.referral.sent",
        "nl.schakelpunt.consent.given",
        "nl.schakelpunt.referral.accepted",
    ]
    for request, event in zip(receiver.at("/zorg-een"), events, strict=True):
        assert request.headers["content-type"] == "application/cloudevents+json"
        assert signature_is_valid(secret, request.headers["schakelpunt-signature"], request.body)
        assert not signature_is_valid(
            "sps_een-andere-sleutel", request.headers["schakelpunt-signature"], request.body
        )
        assert event["specversion"] == "1.0"
        uuid.UUID(event["id"])
        assert event["source"].startswith("urn:nld:")
        assert datetime.fromisoformat(event["time"]).tzinfo is not None
        assert event["datacontenttype"] == "application/json"
        assert event["sequence"].isdigit()
        # No name, BSN or free text anywhere in what was sent.
        body = request.body.decode()
        for word in (student.first_name, student.last_name, student.bsn, "slaapt", QUESTION):
            assert word not in body
    accepted = events[2]
    assert accepted["subject"] == f"referral/{referral.pk}"
    assert accepted["data"] == {"referralId": referral.pk, "status": "accepted"}
    # The details come from the API, with the system's own token, where the policy decides.
    dataref = urlsplit(accepted["dataref"])
    assert dataref.path.startswith(f"/api/v1/referrals/{referral.pk}")
    fetched = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(dataref.path)
    assert fetched.status_code == 200
    assert (fetched.json()["id"], fetched.json()["status"]) == (referral.pk, "accepted")
    assert events[1]["data"] == {
        "consentId": referral.consent_id,
        "status": "given",
        "referralIds": [referral.pk],
    }
    # The sequence follows the order in which things happened.
    assert [e["sequence"] for e in events] == sorted(e["sequence"] for e in events)
    # Another provider's system hears nothing of a referral that is not theirs.
    assert receiver.at("/zorg-twee") == []
    assert not Delivery.objects.filter(subscription__organisation__name="Zorg Twee").exists()


def test_a_draft_is_told_to_nobody(world: World, receiver: Receiver) -> None:
    subscribe(world, receiver, "Zorg Een", "/zorg-een")
    referral_create(
        actor=world.users["care_l1"],
        student_id=world.students["t1"].pk,
        service_id=service_of_zorg_een().pk,
        question=QUESTION,
        parts=["contact"],
        consent=ConsentInput(student_agrees=True),
        send=False,
    )
    deliver()
    assert receiver.requests == []


def test_a_failing_receiver_is_tried_again_after_one_then_five_minutes(
    world: World, receiver: Receiver
) -> None:
    receiver.answer("/zorg-een", 500, 503, 200)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        subscribe(world, receiver, "Zorg Een", "/zorg-een", [EventType.REFERRAL_SENT])
        refer(world, service_of_zorg_een())
        start = timezone.now()

        deliver()
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.PENDING,
            1,
            500,
        )
        assert delivery.next_attempt_at == start + timedelta(minutes=1)

        traveller.shift(timedelta(seconds=59))
        deliver()
        assert len(receiver.at("/zorg-een")) == 1  # not due yet

        traveller.shift(timedelta(seconds=1))
        deliver()
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status_code) == (2, 503)
        assert delivery.next_attempt_at == timezone.now() + timedelta(minutes=5)

        traveller.shift(timedelta(minutes=4))
        deliver()
        assert len(receiver.at("/zorg-een")) == 2
        traveller.shift(timedelta(minutes=1))
        deliver()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (3, 200, "")
    assert delivery.next_attempt_at is None
    events = _events(receiver, "/zorg-een")
    assert len({e["id"] for e in events}) == 1  # one event, sent three times
    stamps = [r.headers["schakelpunt-signature"].split(",")[0] for r in receiver.at("/zorg-een")]
    assert len(set(stamps)) == 3  # each attempt signed at its own time


def test_after_six_failures_the_delivery_fails_and_the_administrator_tries_it_again(
    world: World, receiver: Receiver
) -> None:
    receiver.answer("/zorg-een", 500)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        subscription = subscribe(
            world, receiver, "Zorg Een", "/zorg-een", [EventType.REFERRAL_SENT]
        ).subscription
        refer(world, service_of_zorg_een())
        deliver()
        for wait in (1, 5, 30, 120, 720):
            traveller.shift(timedelta(minutes=wait))
            deliver()
        traveller.shift(timedelta(days=2))
        deliver()
    delivery = Delivery.objects.get()
    assert len(receiver.at("/zorg-een")) == 6
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        6,
        None,
    )

    admin = client_for(world.users["admin"])
    page = admin.get(reverse("events:detail", args=[subscription.pk]), {"status": "failed"})
    assert "Nu opnieuw proberen" in page.content.decode()
    receiver.answer("/zorg-een", 200)
    admin.post(reverse("events:retry", args=[subscription.pk, delivery.pk]))
    deliver()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(receiver.at("/zorg-een")) == 7


def test_410_gone_ends_the_subscription_and_nothing_more_is_sent(
    world: World, receiver: Receiver
) -> None:
    receiver.answer("/zorg-een", 410)
    subscription = subscribe(world, receiver, "Zorg Een", "/zorg-een").subscription
    referral = refer(world, service_of_zorg_een())  # referral.sent and consent.given
    deliver()
    subscription.refresh_from_db()
    assert subscription.ended_at is not None and subscription.ended_by is None
    assert len(receiver.at("/zorg-een")) == 1
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.CANCELLED, DeliveryStatus.FAILED]
    step(world, "worker_p1", referral, S.ACCEPTED)
    assert Delivery.objects.count() == 2  # an ended subscription gets no new rows
    deliver()
    assert len(receiver.at("/zorg-een")) == 1


def test_a_receiver_that_hangs_is_given_up_on_after_the_timeout(
    world: World, receiver: Receiver
) -> None:
    receiver.answer("/zorg-een", HANG)
    subscribe(world, receiver, "Zorg Een", "/zorg-een", [EventType.REFERRAL_SENT])
    refer(world, service_of_zorg_een())
    started = time.monotonic()
    deliver()
    assert time.monotonic() - started < 3
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and delivery.last_status_code is None
    assert "Geen antwoord binnen" in delivery.last_error


def test_a_withdrawal_of_consent_goes_first_and_stops_everything_else_about_the_student(
    world: World, receiver: Receiver
) -> None:
    subscription = subscribe(world, receiver, "Zorg Een", "/zorg-een").subscription
    service = service_of_zorg_een()
    anna = refer(world, service)  # referral.sent and consent.given about Anna: waiting
    chris = Referral.objects.get(student=world.students["t3"])
    step(world, "worker_p1", chris, S.FIRST_CONTACT)  # about Chris: waiting
    consent_withdraw(actor=world.users["care_l1"], consent_id=anna.consent_id)
    step(world, "worker_p1", anna, S.RECEIVED)  # after the withdrawal: not even written

    deliver()

    events = _events(receiver, "/zorg-een")
    assert [(e["type"], e["subject"]) for e in events] == [
        ("nl.schakelpunt.consent.withdrawn", f"consent/{anna.consent_id}"),
        ("nl.schakelpunt.referral.first-contact", f"referral/{chris.pk}"),
    ]
    assert events[0]["data"] == {
        "consentId": anna.consent_id,
        "status": "withdrawn",
        "referralIds": [anna.pk],
    }
    about_anna = Delivery.objects.filter(student_id=world.students["t1"].pk)
    assert sorted(about_anna.values_list("type", "status")) == [
        (EventType.CONSENT_GIVEN, DeliveryStatus.CANCELLED),
        (EventType.CONSENT_WITHDRAWN, DeliveryStatus.DELIVERED),
        (EventType.REFERRAL_SENT, DeliveryStatus.CANCELLED),
    ]

    # A new consent reopens: the new referral and its consent are told again.
    again = refer(world, service)
    deliver()
    later = _events(receiver, "/zorg-een")[2:]
    assert [(e["type"], e["subject"]) for e in later] == [
        ("nl.schakelpunt.referral.sent", f"referral/{again.pk}"),
        ("nl.schakelpunt.consent.given", f"consent/{again.consent_id}"),
    ]
    assert subscription.deliveries.count() == 6


def test_a_delivery_written_before_a_withdrawal_is_not_sent_after_it(
    world: World, receiver: Receiver
) -> None:
    """Should a step and a withdrawal cross, the round checks again before it sends."""
    subscribe(world, receiver, "Zorg Een", "/zorg-een", [EventType.REFERRAL_SENT])
    anna = refer(world, service_of_zorg_een())
    # The withdrawal as a concurrent transaction would leave it: the consent withdrawn, the
    # delivery of referral.sent still waiting (this subscription does not take withdrawals).
    anna.consent.withdrawn_at = timezone.now()  # type: ignore[union-attr]
    anna.consent.save(update_fields=["withdrawn_at"])  # type: ignore[union-attr]
    deliver()
    assert receiver.requests == []
    assert Delivery.objects.get().status == DeliveryStatus.CANCELLED


def test_a_trajectory_is_told_only_to_a_provider_that_may_see_the_support_part(
    world: World, receiver: Receiver
) -> None:
    subscribe(world, receiver, "Zorg Een", "/zorg-een")
    subscribe(world, receiver, "Zorg Twee", "/zorg-twee")
    # Chris: accepted referral to Zorg Een with consent for the support part.
    chris = trajectory_open(actor=world.users["advisor_l2"], student=world.students["t3"])
    # Bram: Zorg Een's referral is not accepted yet, and the consent covers contact only.
    trajectory_open(actor=world.users["care_l1"], student=world.students["t2"])
    deliver()
    events = _events(receiver, "/zorg-een")
    referral = Referral.objects.get(student=world.students["t3"])
    assert [(e["type"], e["data"]) for e in events] == [
        (
            "nl.schakelpunt.trajectory.started",
            {"trajectoryId": chris.pk, "status": "started", "referralIds": [referral.pk]},
        )
    ]
    assert receiver.at("/zorg-twee") == []


def test_a_round_that_died_mid_send_leaves_the_delivery_for_a_later_round(
    world: World, receiver: Receiver
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        subscribe(world, receiver, "Zorg Een", "/zorg-een", [EventType.REFERRAL_SENT])
        refer(world, service_of_zorg_een())
        delivery = Delivery.objects.get()
        assert _claim(delivery.pk) is not None  # a worker took it, and then died
        assert _claim(delivery.pk) is None  # an overlapping round does not take it again
        deliver()
        assert receiver.requests == []
        traveller.shift(timedelta(minutes=1))
        deliver()
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_revoked_client_is_told_nothing(world: World, receiver: Receiver) -> None:
    subscription = subscribe(world, receiver, "Zorg Een", "/zorg-een").subscription
    api_client_revoke(actor=None, client=subscription.api_client)
    refer(world, service_of_zorg_een())
    assert not Delivery.objects.exists()


def test_a_withdrawal_cancels_what_waits_even_for_a_subscription_without_that_type(
    world: World, receiver: Receiver
) -> None:
    subscribe(world, receiver, "Zorg Een", "/zorg-een", [EventType.REFERRAL_SENT])
    anna = refer(world, service_of_zorg_een())
    consent_withdraw(actor=world.users["care_l1"], consent_id=anna.consent_id)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.CANCELLED
    assert delivery.last_error == "Niet verstuurd: toestemming ingetrokken."
    deliver()
    assert receiver.requests == []
