"""mozilla-django-oidc, configured per organisation: the start of the login and the callback
read the issuer, client and endpoints from the `IdentityProvider` chosen on the login page
(kept with the state in the session), never from global settings. Decision 0025."""

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django_otp import login as otp_login
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]
from mozilla_django_oidc.utils import (  # type: ignore[import-untyped]
    absolutify,
    import_from_settings,
)
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .models import IdentityProvider, User
from .oidc import (
    SIGNING_ALGORITHMS,
    OidcRefusal,
    RefusalReason,
    constant_equals,
    person_for_claims,
    provider_asserts_mfa,
    provider_second_factor,
)

logger = logging.getLogger(__name__)

BACKEND = "schakelpunt.accounts.oidc_auth.OrganisationOIDCBackend"
CALLBACK_URL = "oidc:callback"
# Claims that only the signed ID token may give; the user info never overrides them.
_ID_TOKEN_ONLY = frozenset({"iss", "aud", "azp", "exp", "iat", "nbf", "nonce", "amr", "acr"})

# The library's knobs that are the same for every provider; the rest comes from the provider.
_FIXED_SETTINGS: dict[str, Any] = {
    "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL,
    "OIDC_USE_NONCE": True,
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_ALLOW_UNSECURED_JWT": False,
    "OIDC_VERIFY_SSL": True,
    "OIDC_VERIFY_KID": True,
    "OIDC_CREATE_USER": False,
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_STORE_ID_TOKEN": False,
    "OIDC_TOKEN_USE_BASIC_AUTH": False,
    "OIDC_PROXY": None,
}


def _setting(attr: str, *args: Any) -> Any:
    if attr in _FIXED_SETTINGS:
        return _FIXED_SETTINGS[attr]
    if attr == "OIDC_TIMEOUT":
        return settings.OIDC_TIMEOUT
    return import_from_settings(attr, *args)


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    """Checks the provider's answer: the code for tokens (with the PKCE verifier), the ID
    token's signature (the provider's JWKS), algorithm, issuer, audience, expiry and nonce,
    then finds the person (`oidc.person_for_claims`). Takes no password: Django's
    `authenticate(username=..., password=...)` never reaches it (keyword-only arguments)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The base class reads one global provider from the settings; ours comes per login.
        self.UserModel = User
        self.provider: IdentityProvider | None = None
        self.id_token_claims: dict[str, Any] = {}

    def get_settings(self, attr: str, *args: Any) -> Any:
        return _setting(attr, *args)

    def _configure(self, provider: IdentityProvider) -> None:
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = provider.signing_algorithm
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(
        self,
        request: HttpRequest | None,
        *,
        identity_provider: IdentityProvider,
        nonce: str | None,
        code_verifier: str | None,
    ) -> User:
        """The person, or OidcRefusal. Called by the callback view only."""
        if request is None:
            raise OidcRefusal(RefusalReason.STATE, "no request")
        self.request = request
        self._configure(identity_provider)
        code = request.GET.get("code")
        if not code:
            raise OidcRefusal(RefusalReason.PROVIDER_ERROR, "no code")
        payload = {
            "client_id": identity_provider.client_id,
            "client_secret": identity_provider.client_secret,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": absolutify(request, reverse(CALLBACK_URL)),
        }
        if code_verifier:
            payload["code_verifier"] = code_verifier
        try:
            token_info = self.get_token(payload)
        except (requests.RequestException, ValueError) as error:
            raise OidcRefusal(RefusalReason.PROVIDER_ERROR, f"token: {error}") from error
        id_token = token_info.get("id_token") if isinstance(token_info, dict) else None
        if not isinstance(id_token, str):
            raise OidcRefusal(RefusalReason.PROVIDER_ERROR, "no id token")
        self.id_token_claims = self.verify_token(id_token, nonce=nonce)
        claims = dict(self.id_token_claims)
        access_token = token_info.get("access_token")
        if identity_provider.userinfo_endpoint and isinstance(access_token, str):
            claims = self._with_userinfo(claims, access_token, id_token)
        return person_for_claims(provider=identity_provider, claims=claims)

    def _with_userinfo(
        self, claims: dict[str, Any], access_token: str, id_token: str
    ) -> dict[str, Any]:
        try:
            info = self.get_userinfo(access_token, id_token, claims)
        except (requests.RequestException, ValueError, SuspiciousOperation) as error:
            raise OidcRefusal(RefusalReason.PROVIDER_ERROR, f"userinfo: {error}") from error
        if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
            # OpenID Connect Core 5.3.2: the user info must be about the same subject.
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, "userinfo subject differs")
        merged = {k: v for k, v in info.items() if k not in _ID_TOKEN_ONLY}
        merged.update(claims)
        return merged

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The ID token's claims once every check passed (OpenID Connect Core 3.1.3.7)."""
        provider = self.provider
        if provider is None:
            raise OidcRefusal(RefusalReason.PROVIDER_OFF, "no provider")
        nonce = kwargs.get("nonce")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, "unreadable") from error
        algorithm = header.get("alg")
        if algorithm != provider.signing_algorithm or algorithm not in SIGNING_ALGORITHMS:
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, f"algorithm {algorithm!r}")
        try:
            key = self.retrieve_matching_jwk(token)
        except (SuspiciousOperation, KeyError, requests.RequestException, ValueError) as error:
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, f"no matching key: {error}") from error
        except jwt.PyJWTError as error:
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, f"key: {error}") from error
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=provider.client_id,
                issuer=provider.issuer,
                leeway=settings.OIDC_CLOCK_LEEWAY,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as error:
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, type(error).__name__) from error
        audience = claims["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != provider.client_id:
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, "azp")
        token_nonce = claims.get("nonce")
        if not nonce or not isinstance(token_nonce, str) or not constant_equals(nonce, token_nonce):
            raise OidcRefusal(RefusalReason.INVALID_TOKEN, "nonce")
        return claims

    def get_user(self, user_id: int) -> User | None:
        """The session's person, while not blocked; a system never has a screen session."""
        return User.objects.filter(pk=user_id, is_active=True, is_api_client=False).first()


class OidcStartView(OIDCAuthenticationRequestView):
    """`/oidc/<id>/start/`: to the chosen provider's login page with a fresh state, nonce and
    PKCE verifier; the provider is kept with the state, so the callback uses the same one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Skip the base class: it reads one global provider from the settings.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.provider: IdentityProvider | None = None

    def get_settings(self, attr: str, *args: Any) -> Any:
        if attr == "OIDC_RP_SCOPES" and self.provider is not None:
            return self.provider.scopes
        return _setting(attr, *args)

    def get(self, request: HttpRequest, provider_id: int) -> HttpResponse:
        provider = get_object_or_404(IdentityProvider, pk=provider_id, enabled=True)
        self.provider = provider
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response = super().get(request)
        # Bind the provider and the page to return to to this state alone.
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        states = request.session["oidc_states"]
        states[state]["provider"] = provider.pk
        states[state]["next"] = request.session.pop("oidc_login_next", None)
        request.session["oidc_states"] = states
        return response


def _refuse(
    request: HttpRequest,
    refusal: OidcRefusal,
    provider: IdentityProvider | None,
    *,
    log_out: bool = True,
) -> HttpResponse:
    """The Dutch page. A refused answer of a provider also ends a session this browser had;
    a callback without a login in progress (a replay, a stale tab) leaves a session alone."""
    logger.warning(
        "oidc: login refused (%s) at provider %s: %s",
        refusal.reason,
        provider.pk if provider else "-",
        refusal.detail,
    )
    if log_out and request.user.is_authenticated:
        auth.logout(request)
    return render(
        request,
        "accounts/oidc/refused.html",
        {"message": refusal.message, "provider": provider},
        status=403,
    )


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """`/oidc/callback/`: each state counts once; on any doubt a Dutch page and nobody
    logged in. After the login the session is verified for the second factor only when the
    provider asserted MFA in the signed ID token."""

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        entry = None
        if isinstance(states, dict) and state:
            entry = states.pop(state, None)
            if entry is not None:  # used up before anything else: a replay finds nothing
                request.session["oidc_states"] = states
                request.session.save()
        provider = None
        if isinstance(entry, dict):
            provider = (
                IdentityProvider.objects.filter(pk=int(entry.get("provider") or 0), enabled=True)
                .select_related("organisation")
                .first()
            )
        if request.GET.get("error"):
            cancelled = OidcRefusal(RefusalReason.CANCELLED, request.GET.get("error", ""))
            return _refuse(request, cancelled, provider, log_out=entry is not None)
        if not isinstance(entry, dict):
            return _refuse(request, OidcRefusal(RefusalReason.STATE), None, log_out=False)
        if provider is None:
            return _refuse(request, OidcRefusal(RefusalReason.PROVIDER_OFF), None)
        backend = OrganisationOIDCBackend()
        try:
            user = backend.authenticate(
                request,
                identity_provider=provider,
                nonce=entry.get("nonce"),
                code_verifier=entry.get("code_verifier"),
            )
        except OidcRefusal as refusal:
            return _refuse(request, refusal, provider)
        self.user = user
        auth.login(request, user, backend=BACKEND)
        if provider_asserts_mfa(provider=provider, id_token_claims=backend.id_token_claims):
            otp_login(request, provider_second_factor(user=user, provider=provider))
        return redirect(entry.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))
