"""Setting up a provider's subscribed system, and checking a delivery as a receiver would."""

import hashlib
import hmac
import io
import time
from datetime import timedelta
from typing import NamedTuple

from django.core.management import call_command
from django.utils import timezone
from tests.world import World

from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.models import Organisation
from schakelpunt.directory.models import DirectoryOrganisation, Service
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.events.models import EventType, Subscription
from schakelpunt.events.services import subscription_create
from schakelpunt.referrals.models import Referral
from schakelpunt.referrals.services import ConsentInput, StepInput, referral_create, referral_step

from .receiver import Receiver


class Subscribed(NamedTuple):
    subscription: Subscription
    secret: str  # the signing key
    token: str  # the API token of the subscribed system


def subscribe(
    world: World,
    receiver: Receiver,
    provider: str,
    path: str,
    types: list[str] | None = None,
) -> Subscribed:
    """The provider's system, subscribed by ROC Een's administrator (who keeps the provider)."""
    organisation = Organisation.objects.get(name=provider)
    organisation.managed_by = Organisation.objects.get(name="ROC Een")
    organisation.save(update_fields=["managed_by"])
    client = api_client_create(
        actor=None,
        organisation=organisation,
        name=f"Cliëntregistratie {provider}",
        scopes=["referrals:read", "referrals:write"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    issued = subscription_create(
        actor=world.users["admin"],
        api_client_id=client.client.pk,
        name=f"Meldingen {provider}",
        callback_url=receiver.url(path),
        event_types=types or list(EventType.values),
    )
    return Subscribed(issued.subscription, issued.secret, client.token)


def service_of_zorg_een() -> Service:
    provider = Organisation.objects.get(name="Zorg Een")
    entry, _ = DirectoryOrganisation.objects.get_or_create(
        name="Zorg Een", defaults={"description": "Jeugdhulp", "account": provider}
    )
    return ServiceFactory(organisation=entry, name="Jongerencoaching")


QUESTION = "Anna slaapt slecht en mist veel lessen; thuis is het onrustig."


def refer(world: World, service: Service, student: str = "t1") -> Referral:
    return referral_create(
        actor=world.users["care_l1"],
        student_id=world.students[student].pk,
        service_id=service.pk,
        question=QUESTION,
        parts=["contact", "support"],
        consent=ConsentInput(student_agrees=True),
    )


def step(world: World, who: str, referral: Referral, to: str) -> Referral:
    referral.refresh_from_db()
    return referral_step(
        actor=world.users[who],
        referral_id=referral.pk,
        to_status=to,
        expected_version=referral.version,
        details=StepInput(),
    )


def deliver() -> str:
    out = io.StringIO()
    call_command("events", "deliver", stdout=out)
    return out.getvalue()


def signature_is_valid(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does (docs/api.md): recompute, compare in constant time, refuse old."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])
