"""Connected systems: register one with scopes, hand out its secret once, revoke it, and
find the client behind a presented token. The policy decides who may manage them."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import organisations_user_may_manage

from .models import ApiClient, Organisation, User
from .scopes import SCOPES_BY_KIND

TOKEN_PREFIX = "spk"  # noqa: S105 (the public start of every token, not a secret)
# A year at most: a forgotten integration stops by itself (docs/api.md).
MAX_VALIDITY = timedelta(days=366)
# last_used_at is written at most this often, not on every call.
_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedClient:
    client: ApiClient
    # The whole secret: shown once, never stored.
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


def may_manage_api_clients(user: User, organisation: Organisation) -> bool:
    """The functional administrator who keeps the organisation's people keeps its systems."""
    return organisation.pk in organisations_user_may_manage(user)


def _check_scopes(organisation: Organisation, scopes: list[str]) -> list[str]:
    allowed = SCOPES_BY_KIND.get(organisation.kind, frozenset())
    wrong = sorted(set(scopes) - allowed)
    if wrong:
        raise ValidationError(
            _("Deze rechten passen niet bij %(organisation)s: %(scopes)s.")
            % {"organisation": organisation.name, "scopes": ", ".join(wrong)}
        )
    if not scopes:
        raise ValidationError(_("Kies ten minste één recht."))
    return sorted(set(scopes))


def _check_expiry(expires_on: date) -> date:
    today = timezone.localdate()
    if expires_on < today:
        raise ValidationError(_("De einddatum ligt in het verleden."))
    if expires_on > today + MAX_VALIDITY:
        raise ValidationError(_("Een sleutel is hoogstens een jaar geldig."))
    return expires_on


@transaction.atomic
def api_client_create(
    *,
    actor: User | None,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    expires_on: date,
) -> IssuedClient:
    """Register a system; `actor` None is the operator on the command line."""
    if actor is not None and not may_manage_api_clients(actor, organisation):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError(_("Geef de koppeling een naam."))
    checked = _check_scopes(organisation, scopes)
    _check_expiry(expires_on)
    prefix, token = _new_token()
    principal = User.objects.create_user(
        email=f"koppeling-{uuid.uuid4().hex[:12]}@koppelingen.schakelpunt.invalid",
        password=None,
        first_name=_("Koppeling"),
        last_name=f"{name} ({organisation.name})"[:150],
        is_api_client=True,
    )
    client = ApiClient.objects.create(
        organisation=organisation,
        user=principal,
        name=name,
        scopes=checked,
        token_prefix=prefix,
        token_hash=token_hash(token),
        expires_on=expires_on,
        created_by=actor,
    )
    return IssuedClient(client=client, token=token)


@transaction.atomic
def api_client_renew(*, actor: User | None, client: ApiClient, expires_on: date) -> IssuedClient:
    """A new secret (the old one stops at once), valid until `expires_on`."""
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if actor is not None and not may_manage_api_clients(actor, locked.organisation):
        raise PermissionDenied
    if locked.revoked_at is not None:
        raise ValidationError(_("Deze koppeling is ingetrokken; maak een nieuwe."))
    _check_expiry(expires_on)
    prefix, token = _new_token()
    locked.token_prefix = prefix
    locked.token_hash = token_hash(token)
    locked.expires_on = expires_on
    locked.save(update_fields=["token_prefix", "token_hash", "expires_on"])
    return IssuedClient(client=locked, token=token)


@transaction.atomic
def api_client_revoke(*, actor: User | None, client: ApiClient) -> ApiClient:
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if actor is not None and not may_manage_api_clients(actor, locked.organisation):
        raise PermissionDenied
    if locked.revoked_at is not None:
        raise ValidationError(_("Deze koppeling is al ingetrokken."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def api_client_for_token(token: str) -> ApiClient | None:
    """The live client this token belongs to, or None (unknown, wrong, revoked, expired)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    client = (
        ApiClient.objects.select_related("user", "organisation")
        .filter(token_prefix=parts[1])
        .first()
    )
    if client is None or not hmac.compare_digest(client.token_hash, token_hash(token)):
        return None
    if not client.is_active():
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > _USE_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
