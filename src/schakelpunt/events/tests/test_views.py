"""The functional administrator's screens: a subscription with its secret shown once, the
delivery log with a filter, ending; everyone else gets a 404."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.events.models import Delivery, DeliveryStatus, EventType, Subscription

from .helpers import deliver, refer, service_of_zorg_een, subscribe
from .receiver import Receiver


def _client_of_zorg_een() -> int:
    provider = Organisation.objects.get(name="Zorg Een")
    provider.managed_by = Organisation.objects.get(name="ROC Een")
    provider.save(update_fields=["managed_by"])
    return api_client_create(
        actor=None,
        organisation=provider,
        name="Cliëntregistratie",
        scopes=["referrals:read"],
        expires_on=timezone.localdate() + timedelta(days=30),
    ).client.pk


def test_the_administrator_makes_a_subscription_and_sees_the_secret_once(
    world: World, receiver: Receiver
) -> None:
    client_id = _client_of_zorg_een()
    admin = client_for(world.users["admin"])
    form = admin.get(reverse("events:create"))
    assert "Cliëntregistratie" in form.content.decode()
    response = admin.post(
        reverse("events:create"),
        {
            "api_client": client_id,
            "name": "Meldingen cliëntregistratie",
            "callback_url": receiver.url("/hook"),
            "event_types": [EventType.REFERRAL_SENT, EventType.CONSENT_WITHDRAWN],
        },
    )
    subscription = Subscription.objects.get()
    assert response["Location"] == reverse("events:secret", args=[subscription.pk])
    shown = admin.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    assert subscription.secret in shown.content.decode()
    again = admin.get(response["Location"]).content.decode()  # a reload: gone
    assert subscription.secret not in again and "al getoond" in again
    assert subscription.event_types == [EventType.REFERRAL_SENT, EventType.CONSENT_WITHDRAWN]
    assert subscription.created_by == world.users["admin"]
    listing = admin.get(reverse("events:list")).content.decode()
    detail = admin.get(reverse("events:detail", args=[subscription.pk])).content.decode()
    assert "Meldingen cliëntregistratie" in listing
    assert subscription.secret not in listing and subscription.secret not in detail


def test_only_https_unless_loopback_is_allowed(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVENTS_ALLOW_LOOPBACK_HTTP = False
    client_id = _client_of_zorg_een()
    admin = client_for(world.users["admin"])
    for url in ("http://127.0.0.1:8123/hook", "http://ontvanger.example.nl/hook"):
        response = admin.post(
            reverse("events:create"),
            {
                "api_client": client_id,
                "name": "Meldingen",
                "callback_url": url,
                "event_types": [EventType.REFERRAL_SENT],
            },
        )
        assert "moet met https:// beginnen" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_system_that_may_not_read_referrals_cannot_subscribe(world: World) -> None:
    provider = Organisation.objects.get(name="Zorg Een")
    provider.managed_by = Organisation.objects.get(name="ROC Een")
    provider.save(update_fields=["managed_by"])
    directory_only = api_client_create(
        actor=None,
        organisation=provider,
        name="Sociale kaart",
        scopes=["directory:read"],
        expires_on=timezone.localdate() + timedelta(days=30),
    ).client
    response = client_for(world.users["admin"]).post(
        reverse("events:create"),
        {
            "api_client": directory_only.pk,
            "name": "Meldingen",
            "callback_url": "https://ontvanger.example.nl/hook",
            "event_types": [EventType.REFERRAL_SENT],
        },
    )
    assert "mag geen verwijzingen lezen" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_delivery_log_filters_on_status_and_ending_stops_what_waits(
    world: World, receiver: Receiver
) -> None:
    receiver.answer("/zorg-een", 500)
    subscription = subscribe(world, receiver, "Zorg Een", "/zorg-een").subscription
    refer(world, service_of_zorg_een())
    deliver()  # the first fails; the rest of the round leaves this receiver alone
    admin = client_for(world.users["admin"])
    url = reverse("events:detail", args=[subscription.pk])
    page = admin.get(url).content.decode()
    assert "<td>Verwijzing verstuurd</td>" in page and "<td>Toestemming gegeven</td>" in page
    assert "<td>500</td>" in page
    delivered = admin.get(url, {"status": DeliveryStatus.DELIVERED}).content.decode()
    assert "<td>Verwijzing verstuurd</td>" not in delivered and "Geen afleveringen." in delivered
    waiting = admin.get(url, {"status": DeliveryStatus.PENDING}).content.decode()
    assert waiting.count("<td>Verwijzing verstuurd</td>") == 1

    admin.post(reverse("events:end", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.ended_by == world.users["admin"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}


@pytest.mark.parametrize("who", ["worker_p1", "care_l1", "coach", "privacy", "other_admin"])
def test_everyone_else_gets_a_404(world: World, receiver: Receiver, who: str) -> None:
    subscription = subscribe(world, receiver, "Zorg Een", "/zorg-een").subscription
    if who == "other_admin":
        user = UserFactory(email="beheer@roc-twee.nl")
        MembershipFactory(
            user=user,
            organisation=Organisation.objects.get(name="ROC Twee"),
            role=Role.FUNCTIONAL_ADMIN,
        )
    else:
        user = world.users[who]
    browser = client_for(user)
    detail = browser.get(reverse("events:detail", args=[subscription.pk]))
    end = browser.post(reverse("events:end", args=[subscription.pk]))
    secret = browser.get(reverse("events:secret", args=[subscription.pk]))
    assert detail.status_code == 404 and end.status_code == 404 and secret.status_code == 404
    if who != "other_admin":
        assert browser.get(reverse("events:list")).status_code == 404
    subscription.refresh_from_db()
    assert subscription.ended_at is None


def test_the_delivery_log_costs_the_same_queries_for_one_or_fifty_rows(
    world: World, receiver: Receiver, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    subscription = subscribe(world, receiver, "Zorg Een", "/zorg-een").subscription
    admin = client_for(world.users["admin"])
    url = reverse("events:detail", args=[subscription.pk])

    def add(count: int) -> None:
        for n in range(count):
            Delivery.objects.create(
                subscription=subscription,
                event_id=uuid.uuid4(),
                type=EventType.REFERRAL_SENT,
                subject=f"referral/{n}",
                cloudevent={},
                status=DeliveryStatus.FAILED,
                attempts=6,
                last_status_code=500,
            )

    add(1)
    admin.get(url)  # the session and the user once, as every later request
    with CaptureQueriesContext(connection) as one:
        admin.get(url)
    add(49)
    with django_assert_num_queries(len(one.captured_queries)):
        page = admin.get(url)
    assert page.content.decode().count("Nu opnieuw proberen") == 50
