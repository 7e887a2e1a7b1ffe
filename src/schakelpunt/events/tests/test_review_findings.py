"""What the security review found in events, fixed: a revoked or expired system is sent
nothing more; a receiver never sits on this machine or the internal network, also not by a
name whose DNS answer changes; `sequence` counts a subscription's own events only."""

import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.api_clients import api_client_create, api_client_revoke
from schakelpunt.accounts.models import Organisation
from schakelpunt.directory.models import DirectoryOrganisation, Service
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.events import services
from schakelpunt.events.models import Delivery, DeliveryStatus, EventType, Subscription
from schakelpunt.referrals.models import Referral, ReferralStatus

from .helpers import deliver, refer, service_of_zorg_een, step, subscribe
from .receiver import Receiver

PUBLIC = "93.184.215.14"  # a globally routable address (never connected to here)


# --- 1. A revoked or expired system --------------------------------------------------------


def test_a_revoked_system_gets_nothing_more_not_even_a_retry(
    world: World, receiver: Receiver
) -> None:
    receiver.answer("/zorg-een", 500)
    subscribed = subscribe(world, receiver, "Zorg Een", "/zorg-een")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        refer(world, service_of_zorg_een())  # referral.sent and consent.given
        deliver()  # the first fails and waits for its retry
        assert len(receiver.requests) == 1
        api_client_revoke(actor=None, client=subscribed.subscription.api_client)
        traveller.shift(timedelta(minutes=2))
        assert "niet verstuurd: 2" in deliver()
    assert len(receiver.requests) == 1
    assert set(Delivery.objects.values_list("status", "last_error")) == {
        (DeliveryStatus.CANCELLED, "Niet verstuurd: koppeling ingetrokken.")
    }
    admin = client_for(world.users["admin"])
    for page in (
        reverse("events:list"),
        reverse("events:detail", args=[subscribed.subscription.pk]),
    ):
        assert "Koppeling ingetrokken — er gaat niets meer heen" in admin.get(page).content.decode()


def test_an_expired_system_gets_nothing_and_its_failed_delivery_cannot_be_retried(
    world: World, receiver: Receiver
) -> None:
    receiver.answer("/zorg-een", 410)  # a final failure, so the retry button would show
    subscribed = subscribe(world, receiver, "Zorg Een", "/zorg-een", [EventType.REFERRAL_SENT])
    refer(world, service_of_zorg_een())
    deliver()
    failed = Delivery.objects.get()
    Subscription.objects.update(ended_at=None)  # as if the 410 had not ended it
    client = subscribed.subscription.api_client
    client.expires_on = timezone.localdate() - timedelta(days=1)
    client.save(update_fields=["expires_on"])
    admin = client_for(world.users["admin"])
    response = admin.post(
        reverse("events:retry", args=[subscribed.subscription.pk, failed.pk]), follow=True
    )
    assert "ingetrokken of verlopen" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
    # Something waiting from before the expiry is cancelled at sending, and nothing new is
    # written for it.
    Delivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    refer(world, service_of_zorg_een(), student="t2")
    assert Delivery.objects.count() == 1
    deliver()
    failed.refresh_from_db()
    assert (failed.status, failed.last_error) == (
        DeliveryStatus.CANCELLED,
        "Niet verstuurd: koppeling verlopen.",
    )
    assert len(receiver.requests) == 1
    listing = admin.get(reverse("events:list")).content.decode()
    assert "Koppeling verlopen — er gaat niets meer heen" in listing


# --- 2. Never this machine or the internal network ------------------------------------------


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[list[str]]]]:
    """A DNS to play, for everything in the process (urllib3's own lookups too): per name
    the answers in turn, the last one repeating; any other name does not exist."""
    answers: dict[str, list[list[str]]] = {}

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        plan = answers.get(str(host).rstrip("."))
        if plan is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = plan.pop(0) if len(plan) > 1 else plan[0]
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, int(port or 0)),
            )
            for address in addresses
        ]

    real = socket.getaddrinfo

    def lookup(host: Any, *args: Any, **kwargs: Any) -> list[Any]:
        try:
            ipaddress.ip_address(str(host))
        except ValueError:
            return getaddrinfo(host, *args, **kwargs)
        return real(host, *args, **kwargs)  # an address literal: no DNS involved

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield answers


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


INTERNAL = [
    "https://127.0.0.1:5432/",
    "https://127.1.2.3/hook",
    "https://localhost/hook",
    "https://api.localhost/hook",
    "https://10.0.0.5/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://224.0.0.1/hook",
    "https://intern.example.nl/hook",  # a name that resolves inside
    "https://half.example.nl/hook",  # one of its addresses inside is enough
]


@pytest.mark.parametrize("url", INTERNAL)
def test_the_administrator_cannot_point_a_receiver_inside(
    world: World, settings, dns: dict[str, list[list[str]]], url: str
) -> None:  # type: ignore[no-untyped-def]
    settings.EVENTS_ALLOW_LOOPBACK_HTTP = False
    dns["intern.example.nl"] = [["10.20.30.40"]]
    dns["half.example.nl"] = [[PUBLIC, "192.168.0.10"]]
    response = client_for(world.users["admin"]).post(
        reverse("events:create"),
        {
            "api_client": _client_of_zorg_een(),
            "name": "Meldingen",
            "callback_url": url,
            "event_types": [EventType.REFERRAL_SENT],
        },
    )
    assert "mag niet naar deze server of het interne netwerk wijzen" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_public_name_or_one_not_resolving_yet_is_taken(
    world: World, settings, dns: dict[str, list[list[str]]]
) -> None:  # type: ignore[no-untyped-def]
    settings.EVENTS_ALLOW_LOOPBACK_HTTP = False
    dns["ontvanger.example.nl"] = [[PUBLIC]]
    admin = client_for(world.users["admin"])
    client_id = _client_of_zorg_een()
    for url in ("https://ontvanger.example.nl/hook", "https://nog-niet.example.nl/hook"):
        response = admin.post(
            reverse("events:create"),
            {
                "api_client": client_id,
                "name": "Meldingen",
                "callback_url": url,
                "event_types": [EventType.REFERRAL_SENT],
            },
        )
        assert response.status_code == 302, response.content.decode()
    assert Subscription.objects.count() == 2


def test_the_loopback_escape_is_for_loopback_only(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVENTS_ALLOW_LOOPBACK_HTTP = True
    assert services.callback_url_problem("http://127.0.0.1:8123/hook") is None
    assert services.callback_url_problem("https://localhost/hook") is None
    for url in ("https://10.0.0.5/hook", "https://169.254.169.254/", "http://10.0.0.5/"):
        assert services.callback_url_problem(url) is not None
    settings.EVENTS_ALLOW_LOOPBACK_HTTP = False
    assert services.callback_url_problem("http://127.0.0.1:8123/hook") is not None


@pytest.fixture
def listener() -> Iterator[Callable[[], bool]]:
    """A bare TCP port on 127.0.0.1; asks whether anything connected to it at all."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.3)

    def connected() -> bool:
        try:
            server.accept()[0].close()
        except TimeoutError:
            return False
        return True

    connected.port = server.getsockname()[1]  # type: ignore[attr-defined]
    try:
        yield connected
    finally:
        server.close()


def _subscribed_to(world: World, url: str) -> Subscription:
    provider = Organisation.objects.get(name="Zorg Een")
    provider.managed_by = Organisation.objects.get(name="ROC Een")
    provider.save(update_fields=["managed_by"])
    client = api_client_create(
        actor=None,
        organisation=provider,
        name="Cliëntregistratie",
        scopes=["referrals:read"],
        expires_on=timezone.localdate() + timedelta(days=30),
    ).client
    return services.subscription_create(
        actor=world.users["admin"],
        api_client_id=client.pk,
        name="Meldingen",
        callback_url=url,
        event_types=[EventType.REFERRAL_SENT],
    ).subscription


@pytest.mark.parametrize(
    "answers",
    [
        # The name points inside by the time of sending: the check before sending sees it.
        [[PUBLIC], ["127.0.0.1"]],
        # DNS rebinding: the check before sending still sees the public address, the
        # connection's own lookup a moment later gets 127.0.0.1.
        [[PUBLIC], [PUBLIC], ["127.0.0.1"]],
    ],
    ids=["changed", "rebinding"],
)
def test_a_name_that_turns_inside_is_not_connected_to_and_the_delivery_fails(
    world: World,
    settings,  # type: ignore[no-untyped-def]
    dns: dict[str, list[list[str]]],
    listener: Callable[[], bool],
    answers: list[list[str]],
) -> None:
    settings.EVENTS_ALLOW_LOOPBACK_HTTP = False
    dns["ontvanger.example.nl"] = answers
    port = listener.port  # type: ignore[attr-defined]
    _subscribed_to(world, f"https://ontvanger.example.nl:{port}/hook")
    refer(world, service_of_zorg_een())
    assert "mislukt: 1" in deliver()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.last_error.startswith("Niet verstuurd: ")
    assert "interne netwerk" in delivery.last_error
    assert not listener()  # not even a TCP connection was opened


# --- 3. The sequence is the subscription's own count ----------------------------------------


def _service_of_zorg_twee() -> Service:
    provider = Organisation.objects.get(name="Zorg Twee")
    entry, _ = DirectoryOrganisation.objects.get_or_create(
        name="Zorg Twee", defaults={"description": "Jeugdhulp", "account": provider}
    )
    return ServiceFactory(organisation=entry, name="Gezinscoaching")


def _sequences(receiver: Receiver, path: str) -> list[int]:
    return [int(json.loads(r.body)["sequence"]) for r in receiver.at(path)]


def test_each_system_counts_its_own_events_without_gaps_from_the_others(
    world: World, receiver: Receiver
) -> None:
    types = [EventType.REFERRAL_SENT, EventType.REFERRAL_ACCEPTED]
    subscribe(world, receiver, "Zorg Een", "/zorg-een", types)
    subscribe(world, receiver, "Zorg Twee", "/zorg-twee", types)
    een, twee = service_of_zorg_een(), _service_of_zorg_twee()
    # Interleaved: with one shared count, each would see the gaps of the other's events.
    to_een = refer(world, een)
    to_twee = refer(world, twee)
    step(world, "worker_p1", to_een, ReferralStatus.RECEIVED)  # not subscribed: no number
    step(world, "worker_p1", to_een, ReferralStatus.ACCEPTED)
    step(world, "worker_p2", to_twee, ReferralStatus.RECEIVED)
    step(world, "worker_p2", to_twee, ReferralStatus.ACCEPTED)
    refer(world, twee)
    refer(world, een)
    deliver()
    assert _sequences(receiver, "/zorg-een") == [1, 2, 3]
    assert _sequences(receiver, "/zorg-twee") == [1, 2, 3]
    sent = json.loads(receiver.at("/zorg-een")[0].body)["sequence"]
    assert sent == "00000000000000000001"  # a fixed width: sorting the strings sorts the events


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL connections")
def test_two_events_at_once_to_one_system_get_two_numbers(world: World, receiver: Receiver) -> None:
    """The second change waits for the first one's counter and takes the next number: no
    number twice, none skipped."""
    subscription = subscribe(world, receiver, "Zorg Een", "/zorg-een").subscription
    first_written = threading.Event()
    outcomes: dict[str, Any] = {}

    def change(student: str, linger: bool) -> None:
        try:
            if not linger:
                first_written.wait(10)
            with transaction.atomic():
                outcomes[student] = services.emit(
                    Referral.objects.get(student=world.students[student])
                )
                if linger:
                    first_written.set()
                    time.sleep(1.5)  # not committed yet while the other change emits
        except Exception as error:
            outcomes[student] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=change, args=("t2", True)),
        threading.Thread(target=change, args=("t3", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == {"t2": 1, "t3": 1}
    sequences = sorted(int(d.cloudevent["sequence"]) for d in Delivery.objects.all())
    assert sequences == [1, 2]
    subscription.refresh_from_db()
    assert subscription.last_sequence == 2
