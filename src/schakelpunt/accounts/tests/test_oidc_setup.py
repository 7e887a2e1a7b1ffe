"""Setting up the institution's identity provider: the rules of the service and the
operator's command, without a provider running (no discovery needed for these)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from schakelpunt.accounts.models import IdentityProvider, Organisation
from schakelpunt.accounts.oidc import ProviderSettings, identity_provider_save

pytestmark = pytest.mark.django_db


def values(**change: object) -> ProviderSettings:
    base = ProviderSettings(
        name="Inloggen met je ROC-account",
        issuer="https://login.example/tenant/v2.0",
        client_id="schakelpunt",
        client_secret="geheim",
        authorization_endpoint="https://login.example/tenant/oauth2/v2.0/authorize",
        token_endpoint="https://login.example/tenant/oauth2/v2.0/token",
        jwks_uri="https://login.example/tenant/discovery/v2.0/keys",
    )
    for name, value in change.items():
        setattr(base, name, value)
    return base


def test_the_functional_administrator_saves_only_for_the_own_institution(world):
    roc2 = Organisation.objects.get(name="ROC Twee")
    with pytest.raises(ValidationError, match="niet instellen"):
        identity_provider_save(
            actor=world.users["admin"], organisation=roc2, values=values(), password_login=True
        )
    for key in ("coach", "privacy"):
        with pytest.raises(ValidationError):
            identity_provider_save(
                actor=world.users[key],
                organisation=Organisation.objects.get(name="ROC Een"),
                values=values(),
                password_login=True,
            )
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"token_endpoint": "http://login.example/token"}, "https-adres"),
        ({"signing_algorithm": "HS256"}, "RS256, PS256 of ES256"),
        ({"scopes": "email profile"}, "openid"),
        ({"client_secret": ""}, "client-secret"),
        ({"jwks_uri": ""}, "het JWKS-adres"),
    ],
)
def test_an_unsafe_or_incomplete_provider_is_refused(world, change, message):
    with pytest.raises(ValidationError, match=message):
        identity_provider_save(
            actor=world.users["admin"],
            organisation=Organisation.objects.get(name="ROC Een"),
            values=values(**change),
            password_login=True,
        )
    assert not IdentityProvider.objects.exists()


def test_passwords_go_off_only_with_the_provider_on(world):
    roc = Organisation.objects.get(name="ROC Een")
    admin = world.users["admin"]
    with pytest.raises(ValidationError, match="kan niemand van de instelling inloggen"):
        identity_provider_save(
            actor=admin, organisation=roc, values=values(enabled=False), password_login=False
        )
    roc.refresh_from_db()
    assert roc.password_login
    identity_provider_save(actor=admin, organisation=roc, values=values(), password_login=False)
    roc.refresh_from_db()
    assert not roc.password_login


def test_the_command_shows_the_provider_without_the_secret(world):
    identity_provider_save(
        actor=None,
        organisation=Organisation.objects.get(name="ROC Een"),
        values=values(client_secret="heel-geheim-0123"),
        password_login=True,
    )
    out = io.StringIO()
    call_command("identityprovider", "show", institution="ROC Een", stdout=out)
    text = out.getvalue()
    assert "https://login.example/tenant/discovery/v2.0/keys" in text
    assert "heel-geheim-0123" not in text
    assert "inloggen met wachtwoord toegestaan: ja" in text


def test_the_command_refuses_an_unknown_institution_or_a_provider_it_cannot_reach(world):
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("identityprovider", "show", institution="ROC Nergens")
    with pytest.raises(CommandError, match="https-adres"):
        call_command(
            "identityprovider",
            "set",
            institution="ROC Een",
            issuer="http://login.example",
            client_id="x",
            client_secret="y",
        )
