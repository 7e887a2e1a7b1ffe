"""Reads of the connected systems, already scoped to the administrator who keeps them."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.access.policy import organisations_user_may_manage

from .models import ApiClient, Organisation, User
from .roles import OrganisationKind
from .scopes import SCOPES_BY_KIND, ApiScope

# "Verloopt binnen 30 dagen": time enough to renew and hand the new key to the supplier.
EXPIRY_WARNING = timedelta(days=30)


class ApiClientStatus(models.TextChoices):
    ACTIVE = "active", _("actief")
    EXPIRING = "expiring", _("verloopt binnen 30 dagen")
    EXPIRED = "expired", _("verlopen")
    REVOKED = "revoked", _("ingetrokken")


def api_client_status(client: ApiClient, today: date | None = None) -> ApiClientStatus:
    day = today or timezone.localdate()
    if client.revoked_at is not None:
        return ApiClientStatus.REVOKED
    if day > client.expires_on:
        return ApiClientStatus.EXPIRED
    if client.expires_on - day < EXPIRY_WARNING:
        return ApiClientStatus.EXPIRING
    return ApiClientStatus.ACTIVE


def scope_labels(scopes: list[str]) -> list[str]:
    """The scopes in Dutch, in the order ApiScope lists them; an unknown one as written."""
    known = {str(s.value): str(s.label) for s in ApiScope}
    order = {str(s.value): i for i, s in enumerate(ApiScope)}
    return [known.get(s, s) for s in sorted(scopes, key=lambda s: order.get(s, 99))]


def scopes_for(organisation: Organisation) -> list[ApiScope]:
    """The scopes this organisation may give its systems, in ApiScope's order."""
    allowed = SCOPES_BY_KIND.get(organisation.kind, frozenset())
    return [s for s in ApiScope if s in allowed]


def scopes_not_for(organisation: Organisation) -> list[tuple[ApiScope, list[str]]]:
    """The scopes it may not give, each with the kinds of organisation that may."""
    kinds = {str(k.value): str(k.label) for k in OrganisationKind}
    return [
        (
            scope,
            [kinds[kind] for kind, allowed in SCOPES_BY_KIND.items() if scope in allowed],
        )
        for scope in ApiScope
        if scope not in SCOPES_BY_KIND.get(organisation.kind, frozenset())
    ]


@dataclass(frozen=True)
class ApiClientRow:
    client: ApiClient
    scopes: list[str]
    status: ApiClientStatus
    last_used_at: datetime | None


def organisations_for_admin(*, actor: User) -> list[Organisation]:
    """The organisations whose systems this administrator registers."""
    return list(
        Organisation.objects.filter(pk__in=organisations_user_may_manage(actor)).order_by("name")
    )


def api_clients_for_admin(*, actor: User) -> QuerySet[ApiClient]:
    """The systems of the organisations this administrator keeps; none for anyone else."""
    return ApiClient.objects.filter(
        organisation_id__in=organisations_user_may_manage(actor)
    ).select_related("organisation", "created_by", "revoked_by")


def api_client_rows(*, actor: User, today: date | None = None) -> list[ApiClientRow]:
    day = today or timezone.localdate()
    return [
        ApiClientRow(c, scope_labels(c.scopes), api_client_status(c, day), c.last_used_at)
        for c in api_clients_for_admin(actor=actor)
    ]


def api_client_get_for_admin(*, actor: User, client_id: int) -> ApiClient:
    """One system, when this administrator keeps its organisation; else the same 404."""
    client = api_clients_for_admin(actor=actor).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client
