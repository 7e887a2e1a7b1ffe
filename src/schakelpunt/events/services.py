"""Events out to connected systems, as NL GOV CloudEvents (decision 0028).

`emit` writes the outbox rows in the transaction of the change it reports, one per
subscription whose system may know of it by the access policy. `deliver_due` sends what is
due, signed, with back-off; a withdrawal of consent goes first and stops the rest.
"""

import contextlib
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import (
    organisations_user_may_manage,
    referrals_for_user,
    student_ids_showing,
)
from schakelpunt.accounts.models import ApiClient, User
from schakelpunt.accounts.scopes import ApiScope
from schakelpunt.referrals.models import Consent, Referral, ReferralStatus
from schakelpunt.support.models import Trajectory, TrajectoryState

from .models import Delivery, DeliveryStatus, EventType, Subscription

SIGNATURE_HEADER = "Schakelpunt-Signature"
CONTENT_TYPE = "application/cloudevents+json"
# Waits after the 1st to 5th failed attempt; the 6th failure is final.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
WITHDRAWAL_PRIORITY = 10
# Connect and read timeout in seconds; a receiver answers at once and works afterwards.
DEFAULT_TIMEOUT = 5.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A system sees referrals (and so hears of them) only with one of these scopes.
_RECEIVING_SCOPES = frozenset({ApiScope.REFERRALS_READ, ApiScope.REFERRALS_WRITE})

REFERRAL_TYPES: dict[str, EventType] = {
    ReferralStatus.SENT: EventType.REFERRAL_SENT,
    ReferralStatus.RECEIVED: EventType.REFERRAL_RECEIVED,
    ReferralStatus.ACCEPTED: EventType.REFERRAL_ACCEPTED,
    ReferralStatus.DECLINED: EventType.REFERRAL_DECLINED,
    ReferralStatus.FIRST_CONTACT: EventType.REFERRAL_FIRST_CONTACT,
    ReferralStatus.HELP_STARTED: EventType.REFERRAL_HELP_STARTED,
    ReferralStatus.ENDED: EventType.REFERRAL_ENDED,
    ReferralStatus.WITHDRAWN: EventType.REFERRAL_WITHDRAWN,
}


# --- Emitting: the outbox, written in the transaction of the change. ---


@dataclass(frozen=True)
class _Event:
    type: EventType
    kind: str  # "referral", "consent" or "trajectory"
    object_id: int
    student_id: int
    status: str
    organisation_ids: frozenset[int]  # who could be told at all; the policy narrows it


def _event_for(about: Referral | Consent | Trajectory) -> _Event | None:
    if isinstance(about, Referral):
        referral_type = REFERRAL_TYPES.get(about.status)
        if referral_type is None:
            return None  # a draft is nobody's business yet
        return _Event(
            referral_type,
            "referral",
            about.pk,
            about.student_id,
            about.status,
            frozenset({about.to_organisation_id}),
        )
    if isinstance(about, Consent):
        withdrawn = about.withdrawn_at is not None
        return _Event(
            EventType.CONSENT_WITHDRAWN if withdrawn else EventType.CONSENT_GIVEN,
            "consent",
            about.pk,
            about.student_id,
            "withdrawn" if withdrawn else "given",
            frozenset({about.organisation_id}),
        )
    if about.state == TrajectoryState.SIGNALLED:
        trajectory_type, status = EventType.TRAJECTORY_STARTED, "started"
    elif about.state == TrajectoryState.CLOSED:
        trajectory_type, status = EventType.TRAJECTORY_ENDED, "ended"
    else:
        return None  # moves between clarifying, active and closing stay inside the school
    receivers = Referral.objects.filter(student_id=about.student_id).values_list(
        "to_organisation_id", flat=True
    )
    return _Event(
        trajectory_type, "trajectory", about.pk, about.student_id, status, frozenset(receivers)
    )


def emit(about: Referral | Consent | Trajectory) -> int:
    """Record the event that `about` just went through, for every subscriber that may know
    of it. Call it inside the change's transaction, after the change: the type follows from
    the new state (a referral's status, a consent given or withdrawn, a trajectory opened or
    closed). Returns the number of deliveries written."""
    event = _event_for(about)
    if event is None or not event.organisation_ids:
        return 0
    subscriptions = (
        Subscription.objects.filter(
            ended_at__isnull=True, organisation_id__in=sorted(event.organisation_ids)
        )
        .select_related("api_client__user")
        .order_by("pk")  # one order for every writer: the sequence counters lock in it
    )
    now = timezone.now()
    event_id = uuid.uuid4()
    written = 0
    withdrawn_for: dict[int, bool] = {}  # per organisation
    for subscription in subscriptions:
        organisation_id = subscription.organisation_id
        if organisation_id not in withdrawn_for:
            withdrawn_for[organisation_id] = consent_withdrawn(event.student_id, organisation_id)
        withdrawn = withdrawn_for[organisation_id]
        if withdrawn and event.type == EventType.CONSENT_WITHDRAWN:
            # Whether or not this subscription takes the withdrawal itself.
            _cancel_about_student(subscription, event.student_id)
        elif withdrawn:
            continue  # nothing more about this student until a new consent
        if event.type not in subscription.event_types:
            continue
        if not subscription.api_client.is_active():
            continue  # revoked or expired: told nothing (and _claim stops what waits)
        principal = subscription.api_client.user
        if not _may_know(principal, subscription, event):
            continue
        _write(subscription, event, event_id, now, _data(principal, event))
        written += 1
    return written


def _may_know(principal: User, subscription: Subscription, event: _Event) -> bool:
    """The access policy, asked for the subscriber's own system: never more than it could
    read through the API itself."""
    if subscription.api_client.organisation_id != subscription.organisation_id:
        return False
    visible = referrals_for_user(principal).filter(to_organisation_id=subscription.organisation_id)
    if event.kind == "referral":
        return visible.filter(pk=event.object_id).exists()
    if event.kind == "consent":
        return visible.filter(consent_id=event.object_id).exists()
    return event.student_id in student_ids_showing(principal, [event.student_id], Part.SUPPORT)


def consent_withdrawn(student_id: int, organisation_id: int) -> bool:
    """Has the student withdrawn consent for this organisation, with no consent running now?
    Then nothing more about the student goes there; a new consent reopens."""
    today = timezone.localdate()
    consents = list(Consent.objects.filter(student_id=student_id, organisation_id=organisation_id))
    return any(c.withdrawn_at is not None for c in consents) and not any(
        c.is_active_on(today) for c in consents
    )


def _cancel_about_student(subscription: Subscription, student_id: int) -> int:
    return (
        Delivery.objects.filter(
            subscription=subscription, student_id=student_id, status=DeliveryStatus.PENDING
        )
        .exclude(type=EventType.CONSENT_WITHDRAWN)
        .update(
            status=DeliveryStatus.CANCELLED,
            next_attempt_at=None,
            last_error=_("Niet verstuurd: toestemming ingetrokken."),
        )
    )


def _data(principal: User, event: _Event) -> dict[str, Any]:
    """Thin: numbers and a status, never a name, BSN or free text. The receiver asks the API
    for more, where the policy decides again."""
    if event.kind == "referral":
        return {"referralId": event.object_id, "status": event.status}
    visible = referrals_for_user(principal)
    if event.kind == "consent":
        ids = visible.filter(consent_id=event.object_id)
        return {
            "consentId": event.object_id,
            "status": event.status,
            "referralIds": sorted(ids.values_list("pk", flat=True)),
        }
    ids = visible.filter(student_id=event.student_id)
    return {
        "trajectoryId": event.object_id,
        "status": event.status,
        "referralIds": sorted(ids.values_list("pk", flat=True)),
    }


def event_source() -> str:
    """`source`: a URN in the 'nld' namespace naming this installation (EVENTS_SOURCE, e.g.
    urn:nld:oin:<OIN>:systeem:schakelpunt), else one made from SITE_URL's host."""
    configured: str = getattr(settings, "EVENTS_SOURCE", "")
    if configured:
        return configured
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"urn:nld:schakelpunt:{host}"


def _site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def _write(
    subscription: Subscription,
    event: _Event,
    event_id: uuid.UUID,
    now: datetime,
    data: dict[str, Any],
) -> Delivery:
    subject = f"{event.kind}/{event.object_id}"
    delivery = Delivery.objects.create(
        subscription=subscription,
        event_id=event_id,
        type=event.type,
        student_id=event.student_id,
        subject=subject,
        cloudevent={},
        priority=WITHDRAWAL_PRIORITY if event.type == EventType.CONSENT_WITHDRAWN else 0,
        next_attempt_at=now,
        created_at=now,
    )
    # The subscription's own counter, raised in the change's transaction: the UPDATE locks
    # the row (PostgreSQL) or the database (SQLite) until commit, so concurrent events to one
    # subscription get distinct, rising numbers, and a rolled-back change gives its number back.
    Subscription.objects.filter(pk=subscription.pk).update(last_sequence=F("last_sequence") + 1)
    sequence = Subscription.objects.filter(pk=subscription.pk).values_list(
        "last_sequence", flat=True
    )[0]
    cloudevent: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(event_id),
        "source": event_source(),
        "type": str(event.type),
        "time": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        # The order of events to this receiver, counted per subscription (so it tells
        # nothing of what others are sent); a gap is an event cancelled before sending.
        "sequence": f"{sequence:020d}",
    }
    if event.kind == "referral":
        cloudevent["dataref"] = _site_url() + reverse("referral-detail", args=[event.object_id])
    cloudevent["data"] = data
    delivery.cloudevent = cloudevent
    delivery.save(update_fields=["cloudevent"])
    return delivery


# --- Subscriptions: made and ended by the functional administrator. ---


@dataclass(frozen=True)
class IssuedSubscription:
    subscription: Subscription
    # The signing key: shown once on the screen, then only used to sign.
    secret: str


def loopback_http_allowed() -> bool:
    """A receiver on this machine (http:// or https:// to 127.0.0.1, localhost, ::1) only on a
    developer's machine or in tests (the test receiver listens on a loopback port); everywhere
    else https to a public address is required."""
    return bool(getattr(settings, "EVENTS_ALLOW_LOOPBACK_HTTP", settings.DEBUG))


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class InternalAddressRefused(Exception):
    """The receiver's name leads to this machine or an internal network: not connected to.
    Not an OSError, so that neither urllib3 nor requests retries it or wraps it away."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} -> {address}")
        self.host = host
        self.address = address


def _internal(address: IpAddress) -> bool:
    """An address Schakelpunt never sends to: this machine, a private or link-local network
    (169.254.169.254 is the cloud's metadata service), or anything not globally routable."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def _refused(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback and loopback_http_allowed():
        return False  # the test receiver, or a developer's own
    return _internal(address)


def resolve(host: str, port: int) -> list[str]:
    """The addresses a name resolves to, as the connection would use them (a seam for the
    tests, which play a DNS answer that changes between registering and sending)."""
    return [
        str(info[4][0])
        for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        if info[0] in (socket.AF_INET, socket.AF_INET6)
    ]


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _host_problem(host: str, port: int) -> str | None:
    """Why a receiver at `host` is refused, or None. A name that does not resolve (yet) is
    taken: the check is made again, on the address actually connected to, at every send."""
    refusal = _(
        "Het adres van de ontvanger mag niet naar deze server of het interne netwerk wijzen."
    )
    literal = _literal(host)
    if literal is not None:
        return refusal if _refused(literal) else None
    if _is_local_name(host):
        return None if loopback_http_allowed() else refusal
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return None
    for address in addresses:
        parsed = _literal(address)
        if parsed is None or _refused(parsed):
            return refusal
    return None


def callback_url_problem(url: str) -> str | None:
    """Why this receiver's address is refused (in Dutch), or None. Checked when the
    subscription is made, and again before every send (a name may point elsewhere by then)."""
    parts = urlsplit(url.strip())
    if parts.username or parts.password:
        return _("Zet geen gebruikersnaam of wachtwoord in het adres.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return _("Dit is geen geldig adres.")
    host = parts.hostname
    if not host:
        return _("Het adres van de ontvanger moet met https:// beginnen.")
    if parts.scheme == "https":
        return _host_problem(host, port)
    if parts.scheme == "http" and host in LOOPBACK_HOSTS and loopback_http_allowed():
        return None
    return _("Het adres van de ontvanger moet met https:// beginnen.")


def _permitted_address(host: str, port: int) -> str:
    """Resolve once and pick the address to connect to, refusing an internal one; the
    connection then goes to exactly this address (no second lookup a DNS answer with a short
    life could turn to 127.0.0.1 in between: DNS rebinding)."""
    literal = _literal(host)
    addresses = [str(literal)] if literal is not None else resolve(host, port)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    for address in addresses:
        parsed = _literal(address)
        if parsed is None or _refused(parsed):
            raise InternalAddressRefused(host, address)
    return addresses[0]


class _GuardedConnectionMixin:
    """urllib3's connection, but the socket goes to `_permitted_address` only. TLS still
    checks the certificate against the name (`host`), as before."""

    _dns_host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        connection: Any = self
        try:
            address = _permitted_address(self._dns_host, self.port)
            return urllib3_connection.create_connection(
                (address, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except socket.gaierror as error:
            raise NameResolutionError(self._dns_host, connection, error) from error
        except TimeoutError as error:
            raise ConnectTimeoutError(
                connection, f"Connection to {self._dns_host} timed out."
            ) from error
        except OSError as error:
            raise NewConnectionError(
                connection, f"Failed to establish a new connection: {error}"
            ) from error


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


def _session() -> requests.Session:
    """For deliveries only: every connection through the guard, and no proxy from the
    environment (a proxy would connect for us, where the guard cannot look)."""
    session = requests.Session()
    session.trust_env = False
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def may_manage_subscriptions(user: User, organisation_id: int) -> bool:
    return organisation_id in organisations_user_may_manage(user)


@transaction.atomic
def subscription_create(
    *,
    actor: User,
    api_client_id: int,
    name: str,
    callback_url: str,
    event_types: list[str],
) -> IssuedSubscription:
    client = (
        ApiClient.objects.select_related("organisation", "user").filter(pk=api_client_id).first()
    )
    if client is None or not may_manage_subscriptions(actor, client.organisation_id):
        raise PermissionDenied
    problems: list[str] = []
    if not client.is_active():
        problems.append(_("Deze koppeling is ingetrokken of verlopen."))
    if not _RECEIVING_SCOPES & set(client.scopes):
        problems.append(_("Deze koppeling mag geen verwijzingen lezen en zou dus niets ontvangen."))
    if not name.strip():
        problems.append(_("Geef het abonnement een naam."))
    url_problem = callback_url_problem(callback_url)
    if url_problem:
        problems.append(url_problem)
    chosen = [t for t in EventType.values if t in event_types]
    if not chosen or len(chosen) != len(set(event_types)):
        problems.append(_("Kies ten minste één soort gebeurtenis."))
    if problems:
        raise ValidationError(problems)
    secret = f"sps_{secrets.token_urlsafe(32)}"
    subscription = Subscription.objects.create(
        organisation=client.organisation,
        api_client=client,
        name=name.strip(),
        callback_url=callback_url.strip(),
        secret=secret,
        event_types=chosen,
        created_by=actor,
    )
    return IssuedSubscription(subscription=subscription, secret=secret)


@transaction.atomic
def subscription_end(*, actor: User | None, subscription_id: int) -> Subscription:
    """End it: nothing more is sent, not even what waits. `actor` None: the receiver said 410."""
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None or (
        actor is not None and not may_manage_subscriptions(actor, subscription.organisation_id)
    ):
        raise PermissionDenied
    if subscription.ended_at is not None:
        raise ValidationError(_("Dit abonnement is al beëindigd."))
    subscription.ended_at = timezone.now()
    subscription.ended_by = actor
    subscription.save(update_fields=["ended_at", "ended_by"])
    subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED,
        next_attempt_at=None,
        last_error=_("Niet verstuurd: abonnement beëindigd."),
    )
    return subscription


@transaction.atomic
def delivery_retry(*, actor: User, delivery_id: int) -> Delivery:
    """A failed delivery once more, in the next round (within a minute)."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("subscription__api_client")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or not may_manage_subscriptions(
        actor, delivery.subscription.organisation_id
    ):
        raise PermissionDenied
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError(_("Alleen een mislukte aflevering kan opnieuw."))
    if delivery.subscription.ended_at is not None:
        raise ValidationError(_("Dit abonnement is beëindigd."))
    if not delivery.subscription.api_client.is_active():
        raise ValidationError(_("De koppeling van dit abonnement is ingetrokken of verlopen."))
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    return delivery


# --- Delivering: one round, run every minute by events.tasks and by `schakelpunt events`. ---


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 over "<timestamp>.<body>" (docs/api.md)."""
    digest = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.cloudevent, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class DeliveryRound:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


def deliver_due(*, limit: int = 500) -> DeliveryRound:
    """Send what is due, withdrawals of consent first, then oldest first. A receiver that
    fails is left alone for the rest of the round."""
    now = timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("-priority", "created_at", "pk")
        .values_list("pk", "subscription_id")[:limit]
    )
    outcome = DeliveryRound()
    failing: set[int] = set()
    for pk, subscription_id in due:
        if subscription_id in failing:
            continue
        status = deliver_one(pk)
        if status == DeliveryStatus.DELIVERED:
            outcome.delivered += 1
        elif status == DeliveryStatus.CANCELLED:
            outcome.cancelled += 1
        elif status is not None:
            failing.add(subscription_id)
            if status == DeliveryStatus.FAILED:
                outcome.failed += 1
            else:
                outcome.retrying += 1
    return outcome


def _claim(pk: int) -> Delivery | None:
    """Take the delivery for this attempt with a conditional update (on the attempt count it
    was read with), so two overlapping rounds never send it twice, on SQLite too. The next
    attempt is set now: a worker that dies mid-way leaves it to be tried again later."""
    now = timezone.now()
    due = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    delivery = due.select_related("subscription__api_client").first()
    if delivery is None:
        return None
    subscription = delivery.subscription
    client = subscription.api_client
    stop = ""
    if subscription.ended_at is not None:
        stop = _("Niet verstuurd: abonnement beëindigd.")
    elif client.revoked_at is not None:
        stop = _("Niet verstuurd: koppeling ingetrokken.")
    elif not client.is_active():
        stop = _("Niet verstuurd: koppeling verlopen.")
    elif (
        delivery.type != EventType.CONSENT_WITHDRAWN
        and delivery.student_id is not None
        and consent_withdrawn(delivery.student_id, subscription.organisation_id)
    ):
        stop = _("Niet verstuurd: toestemming ingetrokken.")
    if stop:
        due.update(status=DeliveryStatus.CANCELLED, next_attempt_at=None, last_error=stop)
        delivery.status = DeliveryStatus.CANCELLED
        return delivery
    attempts = delivery.attempts + 1
    next_attempt_at = now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
    if not due.filter(attempts=delivery.attempts).update(
        attempts=attempts, last_attempt_at=now, next_attempt_at=next_attempt_at
    ):
        return None  # another round took it
    delivery.attempts = attempts
    delivery.last_attempt_at = now
    delivery.next_attempt_at = next_attempt_at
    return delivery


def _post(delivery: Delivery) -> tuple[int | None, str, bool]:
    """POST the CloudEvent in structured mode: the status code, or our own short error, and
    whether that error is final (an address we never send to: no retry)."""
    subscription = delivery.subscription
    problem = callback_url_problem(subscription.callback_url)
    if problem:
        return None, _("Niet verstuurd: %(problem)s") % {"problem": problem}, True
    body = body_of(delivery)
    timeout = float(getattr(settings, "EVENTS_TIMEOUT", DEFAULT_TIMEOUT))
    try:
        with (
            _session() as session,
            session.post(
                subscription.callback_url,
                data=body,
                headers={
                    "Content-Type": CONTENT_TYPE,
                    "User-Agent": "Schakelpunt-gebeurtenissen/1",
                    SIGNATURE_HEADER: sign(subscription.secret, int(time.time()), body),
                },
                timeout=timeout,
                allow_redirects=False,
                stream=True,  # the answer's body is never read, let alone kept
            ) as response,
        ):
            return response.status_code, "", False
    except InternalAddressRefused as refused:
        return (
            None,
            _(
                "Niet verstuurd: %(host)s wijst naar %(address)s, een adres van deze server "
                "of het interne netwerk."
            )
            % {"host": refused.host[:60], "address": refused.address[:45]},
            True,
        )
    except requests.Timeout:
        return None, _("Geen antwoord binnen %(seconds)s seconden.") % {"seconds": timeout}, False
    except requests.ConnectionError:
        return None, _("Geen verbinding met de ontvanger."), False
    except requests.RequestException as error:
        return None, type(error).__name__[:200], False


def deliver_one(pk: int) -> str | None:
    """One attempt at one delivery; its new status (None: not due, or taken by another)."""
    delivery = _claim(pk)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery.status if delivery is not None else None
    code, error, final = _post(delivery)
    gone = code == 410
    with transaction.atomic():
        fresh = Delivery.objects.select_for_update().filter(pk=pk).first()
        if fresh is None:
            return None
        fresh.last_status_code = code
        now = timezone.now()
        if code is not None and 200 <= code < 300:
            fresh.status = DeliveryStatus.DELIVERED
            fresh.delivered_at = now
            fresh.next_attempt_at = None
            fresh.last_error = ""
        elif final:
            fresh.status = DeliveryStatus.FAILED
            fresh.next_attempt_at = None
            fresh.last_error = error[:200]
        elif gone or fresh.attempts > len(BACKOFF):
            fresh.status = DeliveryStatus.FAILED
            fresh.next_attempt_at = None
            fresh.last_error = (
                _("De ontvanger is weg (410); het abonnement is beëindigd.")
                if gone
                else (error or _("Antwoord %(code)s.") % {"code": code})
            )
        else:
            fresh.last_error = error or _("Antwoord %(code)s.") % {"code": code}
        fresh.save()
    if gone:
        with contextlib.suppress(ValidationError):  # unless ended meanwhile
            subscription_end(actor=None, subscription_id=delivery.subscription_id)
    return fresh.status
