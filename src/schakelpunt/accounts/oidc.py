"""Login through an organisation's own identity provider (OpenID Connect, decision 0025):
who a provider's subject is in Schakelpunt, when a login is refused, when the provider's
second factor counts, and the provider's configuration.

A person is found by the stable subject (`sub`) linked once; the first time, by the verified
e-mail address of someone who already has an active role in the provider's organisation,
never by name. Roles and teams are only Schakelpunt's memberships, never the provider's claims.
"""

import hmac
import ipaddress
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_configure_institution

from .models import (
    ExternalIdentity,
    IdentityProvider,
    IdentityProviderSecondFactor,
    Membership,
    Organisation,
    User,
)
from .roles import OrganisationKind, Role

logger = logging.getLogger(__name__)

# Only signatures with the provider's published public keys; never a shared secret or none.
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256")


class RefusalReason(StrEnum):
    CANCELLED = "cancelled"
    STATE = "state"
    PROVIDER_OFF = "provider_off"
    PROVIDER_ERROR = "provider_error"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (a reason, not a secret)
    UNVERIFIED_EMAIL = "unverified_email"
    UNKNOWN_PERSON = "unknown_person"
    NO_MEMBERSHIP = "no_membership"
    BLOCKED = "blocked"
    SYSTEM_ACCOUNT = "system_account"
    LINKED_ELSEWHERE = "linked_elsewhere"


def refusal_message(reason: RefusalReason) -> str:
    """What the person reads on the refusal page: what happened and what to do."""
    ask = _("Vraag de functioneel beheerder van uw school of organisatie om hulp.")
    again = _("Ga terug naar de inlogpagina en probeer het opnieuw.")
    texts = {
        RefusalReason.CANCELLED: _("Het inloggen bij uw school of organisatie is afgebroken.")
        + " "
        + again,
        RefusalReason.STATE: _(
            "Deze inlogpoging is verlopen of al gebruikt. Om veiligheidsredenen telt elke "
            "inlogpoging maar één keer."
        )
        + " "
        + again,
        RefusalReason.PROVIDER_OFF: _(
            "Inloggen via deze identiteitsprovider staat niet (meer) aan."
        )
        + " "
        + ask,
        RefusalReason.PROVIDER_ERROR: _(
            "De identiteitsprovider van uw school of organisatie gaf geen geldig antwoord."
        )
        + " "
        + again
        + " "
        + ask,
        RefusalReason.INVALID_TOKEN: _(
            "Het bewijs van inloggen van de identiteitsprovider klopt niet of is verlopen. "
            "Er is niemand ingelogd."
        )
        + " "
        + again
        + " "
        + ask,
        RefusalReason.UNVERIFIED_EMAIL: _(
            "Uw identiteitsprovider heeft uw e-mailadres niet als gecontroleerd doorgegeven. "
            "Daarom kan Schakelpunt u de eerste keer niet herkennen."
        )
        + " "
        + ask,
        RefusalReason.UNKNOWN_PERSON: _(
            "U bent ingelogd bij uw school of organisatie, maar Schakelpunt kent u nog niet. "
            "Er is geen account voor u aangemaakt."
        )
        + " "
        + ask,
        RefusalReason.NO_MEMBERSHIP: _(
            "U heeft in Schakelpunt geen actieve rol bij deze school of organisatie."
        )
        + " "
        + ask,
        RefusalReason.BLOCKED: _("Uw account in Schakelpunt is geblokkeerd.") + " " + ask,
        RefusalReason.SYSTEM_ACCOUNT: _(
            "Dit account hoort bij een gekoppeld systeem en kan niet op het scherm inloggen."
        ),
        RefusalReason.LINKED_ELSEWHERE: _(
            "Uw account in Schakelpunt is al gekoppeld aan een ander account bij deze "
            "identiteitsprovider."
        )
        + " "
        + ask,
    }
    return texts[reason]


class OidcRefusal(Exception):
    """A login through the provider that must not go on; nobody is logged in."""

    def __init__(self, reason: RefusalReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail

    @property
    def message(self) -> str:
        return refusal_message(self.reason)


def identity_providers_for_login() -> list[IdentityProvider]:
    """The buttons on the login page: every provider in use."""
    return list(
        IdentityProvider.objects.filter(enabled=True)
        .select_related("organisation")
        .order_by("name", "pk")
    )


def _email_is_verified(claims: dict[str, Any]) -> bool:
    # Some providers send the boolean as a string.
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _has_active_membership(user: User, organisation: Organisation) -> bool:
    return Membership.objects.active().filter(user=user, organisation=organisation).exists()


def _check_may_log_in(user: User, provider: IdentityProvider) -> None:
    if user.is_api_client:
        raise OidcRefusal(RefusalReason.SYSTEM_ACCOUNT)
    if not user.is_active:
        raise OidcRefusal(RefusalReason.BLOCKED)
    if not _has_active_membership(user, provider.organisation):
        raise OidcRefusal(RefusalReason.NO_MEMBERSHIP)


def person_for_claims(*, provider: IdentityProvider, claims: dict[str, Any]) -> User:
    """The Schakelpunt person the provider's verified claims stand for, linking the subject
    at the first login. Raises OidcRefusal; never creates an account."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise OidcRefusal(RefusalReason.INVALID_TOKEN, "no subject")
    linked = (
        ExternalIdentity.objects.filter(provider=provider, subject=subject)
        .select_related("user")
        .first()
    )
    if linked is not None:
        _check_may_log_in(linked.user, provider)
        return linked.user
    # First login: only the provider's verified address of someone with a role there.
    if not _email_is_verified(claims):
        raise OidcRefusal(RefusalReason.UNVERIFIED_EMAIL)
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise OidcRefusal(RefusalReason.UNVERIFIED_EMAIL, "no e-mail")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise OidcRefusal(RefusalReason.UNKNOWN_PERSON)
    _check_may_log_in(user, provider)
    return _identity_link(provider=provider, user=user, subject=subject)


def _identity_link(*, provider: IdentityProvider, user: User, subject: str) -> User:
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=user.pk).first()  # one link at a time
            if ExternalIdentity.objects.filter(provider=provider, user=user).exists():
                # Another subject at this provider already is this person: a reused address.
                raise OidcRefusal(RefusalReason.LINKED_ELSEWHERE)
            ExternalIdentity.objects.create(provider=provider, user=user, subject=subject)
    except IntegrityError as error:  # the same subject linked a moment ago by a second tab
        linked = ExternalIdentity.objects.filter(provider=provider, subject=subject).first()
        if linked is None or linked.user_id != user.pk:
            raise OidcRefusal(RefusalReason.LINKED_ELSEWHERE) from error
    logger.info("oidc: linked user %s to subject at provider %s", user.pk, provider.pk)
    return user


def mfa_values(provider: IdentityProvider) -> set[str]:
    return {v for v in provider.mfa_values.replace(",", " ").split() if v}


def provider_asserts_mfa(*, provider: IdentityProvider, id_token_claims: dict[str, Any]) -> bool:
    """The provider says in the signed ID token that a second factor was used: one of the
    configured values in `amr`, or `acr` equal to one of them."""
    wanted = mfa_values(provider)
    amr = id_token_claims.get("amr")
    if isinstance(amr, list) and any(isinstance(v, str) and v in wanted for v in amr):
        return True
    acr = id_token_claims.get("acr")
    return isinstance(acr, str) and acr in wanted


def provider_second_factor(
    *, user: User, provider: IdentityProvider
) -> IdentityProviderSecondFactor:
    """The django-otp device that marks a session as verified by the provider's own MFA."""
    device, _created = IdentityProviderSecondFactor.objects.get_or_create(
        user=user,
        provider=provider,
        defaults={"name": provider.name[:64], "confirmed": True},
    )
    return device


def password_login_refused(*, user: User) -> bool:
    """True when every active role of the person is in an organisation that logs in only
    through its identity provider (someone without any role keeps the password form)."""
    organisations = {
        m.organisation_id: m.organisation.password_login
        for m in Membership.objects.active().filter(user=user).select_related("organisation")
    }
    return bool(organisations) and not any(organisations.values())


def constant_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# --- Configuration by the institution's functional administrator or the operator.


def institutions_for_identity_provider_setup(*, user: User) -> list[Organisation]:
    """The MBO institutions whose own identity provider this person sets up."""
    candidates = Organisation.objects.filter(
        kind=OrganisationKind.MBO_INSTITUTION,
        memberships__user=user,
        memberships__role=Role.FUNCTIONAL_ADMIN,
    ).distinct()
    return [o for o in candidates.order_by("name") if may_configure_institution(user, o)]


def _check_url(url: str, label: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and settings.OIDC_ALLOW_HTTP_LOOPBACK and _is_loopback(parts):
        return
    raise ValidationError(
        _("%(label)s moet een https-adres zijn (%(url)s).") % {"label": label, "url": url}
    )


def _is_loopback(parts: Any) -> bool:
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    end_session_endpoint: str
    signing_algorithm: str


def identity_provider_discover(*, issuer: str) -> Discovery:
    """Read the provider's `/.well-known/openid-configuration` (OpenID Connect Discovery);
    the document must name the same issuer."""
    issuer = issuer.strip()
    _check_url(issuer, _("De issuer"))
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ValidationError(
            _("De gegevens van de identiteitsprovider konden niet worden opgehaald van %(url)s.")
            % {"url": url}
        ) from error
    if not isinstance(document, dict):
        raise ValidationError(
            _("Het antwoord van %(url)s is geen OpenID-configuratie.") % {"url": url}
        )
    found = str(document.get("issuer", ""))
    if found.rstrip("/") != issuer.rstrip("/"):
        raise ValidationError(
            _("De identiteitsprovider noemt een andere issuer (%(found)s) dan opgegeven.")
            % {"found": found}
        )
    algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithm = next((a for a in SIGNING_ALGORITHMS if a in algorithms), "")
    if not algorithm:
        raise ValidationError(
            _("De identiteitsprovider ondertekent niet met RS256, PS256 of ES256.")
        )
    try:
        return Discovery(
            issuer=found,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            userinfo_endpoint=str(document.get("userinfo_endpoint", "")),
            end_session_endpoint=str(document.get("end_session_endpoint", "")),
            signing_algorithm=algorithm,
        )
    except KeyError as error:
        raise ValidationError(
            _("In de OpenID-configuratie ontbreekt %(field)s.") % {"field": error.args[0]}
        ) from error


@dataclass
class ProviderSettings:
    name: str
    issuer: str
    client_id: str
    # Empty: keep the stored secret.
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""
    scopes: str = "openid email profile"
    signing_algorithm: str = "RS256"
    mfa_values: str = "mfa hwk swk otp"
    enabled: bool = True


def identity_provider_save(
    *,
    actor: User | None,
    organisation: Organisation,
    values: ProviderSettings,
    password_login: bool,
) -> IdentityProvider:
    """Set the institution's provider and whether its people may still use a password.
    `actor` None: the operator on the command line."""
    if actor is not None and not may_configure_institution(actor, organisation):
        raise ValidationError(_("U mag de identiteitsprovider van deze instelling niet instellen."))
    missing = [
        label
        for value, label in (
            (values.name, _("de tekst op de knop")),
            (values.issuer, _("de issuer")),
            (values.client_id, _("het client-id")),
            (values.authorization_endpoint, _("het authorization endpoint")),
            (values.token_endpoint, _("het token endpoint")),
            (values.jwks_uri, _("het JWKS-adres")),
        )
        if not value.strip()
    ]
    if missing:
        raise ValidationError(
            _("Vul ook %(fields)s in (of gebruik 'Gegevens ophalen').")
            % {"fields": ", ".join(missing)}
        )
    for url, label in (
        (values.issuer, _("De issuer")),
        (values.authorization_endpoint, _("Het authorization endpoint")),
        (values.token_endpoint, _("Het token endpoint")),
        (values.jwks_uri, _("Het JWKS-adres")),
        (values.userinfo_endpoint, _("Het userinfo endpoint")),
        (values.end_session_endpoint, _("Het uitlog-adres")),
    ):
        if url:
            _check_url(url, label)
    if values.signing_algorithm not in SIGNING_ALGORITHMS:
        raise ValidationError(_("Kies RS256, PS256 of ES256 als ondertekening."))
    if "openid" not in values.scopes.split():
        raise ValidationError(_("De scopes moeten 'openid' bevatten."))
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        provider = IdentityProvider.objects.filter(organisation=organisation).first()
        secret = values.client_secret or (provider.client_secret if provider else "")
        if not secret:
            raise ValidationError(_("Vul het client-secret in."))
        if not password_login and not values.enabled:
            raise ValidationError(
                _(
                    "Inloggen met wachtwoord kan alleen uit als inloggen via de "
                    "identiteitsprovider aan staat; anders kan niemand van de instelling inloggen."
                )
            )
        fields = {
            "name": values.name.strip(),
            "issuer": values.issuer.strip(),
            "client_id": values.client_id.strip(),
            "client_secret": secret,
            "authorization_endpoint": values.authorization_endpoint.strip(),
            "token_endpoint": values.token_endpoint.strip(),
            "jwks_uri": values.jwks_uri.strip(),
            "userinfo_endpoint": values.userinfo_endpoint.strip(),
            "end_session_endpoint": values.end_session_endpoint.strip(),
            "scopes": " ".join(values.scopes.split()),
            "signing_algorithm": values.signing_algorithm,
            "mfa_values": " ".join(values.mfa_values.replace(",", " ").split()),
            "enabled": values.enabled,
        }
        provider, _created = IdentityProvider.objects.update_or_create(
            organisation=organisation, defaults=fields
        )
        if organisation.password_login != password_login:
            organisation.password_login = password_login
            organisation.save(update_fields=["password_login"])
    logger.info(
        "oidc: provider of organisation %s set by %s (enabled=%s, password_login=%s)",
        organisation.pk,
        actor.pk if actor else "operator",
        values.enabled,
        password_login,
    )
    return provider
