"""Events out to connected systems, as NL GOV CloudEvents (decision 0028).

`emit` writes the outbox rows in the transaction of the change it reports, one per
subscription whose system may know of it by the access policy. `deliver_due` sends what is
due, signed, with back-off; a withdrawal of consent goes first and stops the rest.
"""

import contextlib
import hashlib
import hmac
import json
import secrets
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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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
    subscriptions = Subscription.objects.filter(
        ended_at__isnull=True, organisation_id__in=sorted(event.organisation_ids)
    ).select_related("api_client__user")
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
    cloudevent: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(event_id),
        "source": event_source(),
        "type": str(event.type),
        "time": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        # The order of events to this receiver (a gap is an event it was not told of).
        "sequence": f"{delivery.pk:020d}",
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
    """http:// to this machine only on a developer's machine or in tests (the test receiver
    listens on a loopback port); everywhere else https is required."""
    return bool(getattr(settings, "EVENTS_ALLOW_LOOPBACK_HTTP", settings.DEBUG))


def callback_url_problem(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.username or parts.password:
        return _("Zet geen gebruikersnaam of wachtwoord in het adres.")
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and loopback_http_allowed():
        return None
    return _("Het adres van de ontvanger moet met https:// beginnen.")


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
        .select_related("subscription")
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
    delivery = due.select_related("subscription").first()
    if delivery is None:
        return None
    subscription = delivery.subscription
    stop = ""
    if subscription.ended_at is not None:
        stop = _("Niet verstuurd: abonnement beëindigd.")
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


def _post(delivery: Delivery) -> tuple[int | None, str]:
    """POST the CloudEvent in structured mode; the status code, or our own short error."""
    subscription = delivery.subscription
    problem = callback_url_problem(subscription.callback_url)
    if problem:
        return None, problem[:200]
    body = body_of(delivery)
    timeout = float(getattr(settings, "EVENTS_TIMEOUT", DEFAULT_TIMEOUT))
    try:
        with requests.post(
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
        ) as response:
            return response.status_code, ""
    except requests.Timeout:
        return None, _("Geen antwoord binnen %(seconds)s seconden.") % {"seconds": timeout}
    except requests.ConnectionError:
        return None, _("Geen verbinding met de ontvanger.")
    except requests.RequestException as error:
        return None, type(error).__name__[:200]


def deliver_one(pk: int) -> str | None:
    """One attempt at one delivery; its new status (None: not due, or taken by another)."""
    delivery = _claim(pk)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery.status if delivery is not None else None
    code, error = _post(delivery)
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
