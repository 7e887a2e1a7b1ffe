"""Logging in through the school's own identity provider, against a real OpenID Connect
provider in a second process (tests/oidc/provider.mjs): the provider's login page, its
tokens, keys and user info are real; Django's test client is the browser on our side."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessLog
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.oidc import fixtures as oidc_fixtures
from tests.oidc.fixtures import IdpProcess
from tests.world import client_for

from schakelpunt.accounts.models import ExternalIdentity, IdentityProvider, Organisation, User
from schakelpunt.accounts.oidc import (
    ProviderSettings,
    identity_provider_discover,
    identity_provider_save,
)
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.outside_clock]  # the provider signs tokens

# The provider process and the provider for each test (tests/oidc/fixtures.py).
oidc_provider_process = oidc_fixtures.oidc_provider_process
oidc_provider = oidc_fixtures.oidc_provider

TESTSERVER = "http://testserver"


@pytest.fixture
def school_idp(world, oidc_provider: IdpProcess) -> IdentityProvider:
    """ROC Een logs in at the test provider; endpoints found through discovery."""
    found = identity_provider_discover(issuer=oidc_provider.issuer)
    return identity_provider_save(
        actor=None,
        organisation=Organisation.objects.get(name="ROC Een"),
        values=ProviderSettings(
            name="Inloggen met je ROC Een-account",
            issuer=found.issuer,
            client_id=oidc_provider.client_id,
            client_secret=oidc_provider.client_secret,
            authorization_endpoint=found.authorization_endpoint,
            token_endpoint=found.token_endpoint,
            jwks_uri=found.jwks_uri,
            userinfo_endpoint=found.userinfo_endpoint,
        ),
        password_login=True,
    )


def start(client: Client, idp: IdentityProvider) -> str:
    response = client.get(f"/oidc/{idp.pk}/start/")
    assert response.status_code == 302
    return str(response["Location"])


def log_in_via_provider(
    client: Client, idp: IdentityProvider, provider: IdpProcess, subject: str
) -> str:
    """Click the button, log in on the provider's page; the callback address it returns."""
    back = provider.log_in(start(client, idp), subject)
    assert back.startswith(f"{TESTSERVER}/oidc/callback/?")
    return back.removeprefix(TESTSERVER)


def logged_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def assert_refused(response, text: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403
    html = response.content.decode()
    assert "Inloggen via uw school of organisatie is niet gelukt" in html
    assert text in html
    assert "U bent niet ingelogd in Schakelpunt." in html


def test_the_login_page_offers_the_schools_provider(school_idp):
    html = Client().get("/account/inloggen/").content.decode()
    assert "Inloggen via je school of organisatie" in html
    assert "Inloggen met je ROC Een-account" in html
    assert f'href="/oidc/{school_idp.pk}/start/"' in html
    school_idp.enabled = False
    school_idp.save()
    html = Client().get("/account/inloggen/").content.decode()
    assert "Inloggen met je ROC Een-account" not in html
    assert Client().get(f"/oidc/{school_idp.pk}/start/").status_code == 404


def test_a_coach_logs_in_at_the_provider_and_lands_on_the_coach_start_page(
    world, oidc_provider, school_idp
):
    coach = world.users["coach"]
    oidc_provider.set_accounts(
        {"a1b2-coach": {"email": "coach@example.nl", "email_verified": True}}
    )
    client = Client()
    response = client.get(log_in_via_provider(client, school_idp, oidc_provider, "a1b2-coach"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == coach.pk
    home = client.get("/").content.decode()
    assert f"U werkt als {Role.COACH.label}" in home
    linked = ExternalIdentity.objects.get(provider=school_idp)
    assert (linked.user, linked.subject) == (coach, "a1b2-coach")
    # Recorded like a password login (django-axes' access log).
    assert AccessLog.objects.filter(username="coach@example.nl").exists()


def test_a_student_logs_in_with_the_school_account_and_sees_her_own_start_page(
    world, oidc_provider, school_idp, settings
):
    settings.OTP_REQUIRED = True  # a student is not forced to use a second factor
    oidc_provider.set_accounts({"s-4711": {"email": "anna@example.nl", "email_verified": True}})
    client = Client()
    client.get(log_in_via_provider(client, school_idp, oidc_provider, "s-4711"))
    assert logged_in_user_id(client) == world.users["student"].pk
    home = client.get("/")
    assert home.status_code == 200
    assert "Mijn dossier" in home.content.decode()


def test_the_page_asked_for_before_login_is_where_one_lands(world, oidc_provider, school_idp):
    oidc_provider.set_accounts({"c": {"email": "coach@example.nl", "email_verified": True}})
    client = Client()
    authorize = client.get(f"/oidc/{school_idp.pk}/start/?next=/account/")["Location"]
    back = oidc_provider.log_in(authorize, "c").removeprefix(TESTSERVER)
    assert client.get(back)["Location"] == "/account/"
    # Another site is never a target.
    client = Client()
    authorize = client.get(f"/oidc/{school_idp.pk}/start/?next=https://evil.example/")["Location"]
    back = oidc_provider.log_in(authorize, "c").removeprefix(TESTSERVER)
    assert client.get(back)["Location"] == "/"


def test_a_linked_subject_still_logs_in_after_the_address_changed_at_the_provider(
    world, oidc_provider, school_idp
):
    oidc_provider.set_accounts({"sub-7": {"email": "coach@example.nl", "email_verified": True}})
    first = Client()
    first.get(log_in_via_provider(first, school_idp, oidc_provider, "sub-7"))
    assert logged_in_user_id(first) == world.users["coach"].pk

    # The school renamed the mailbox; the provider no longer vouches for any address.
    oidc_provider.set_accounts(
        {"sub-7": {"email": "c.oach@nieuw.example", "email_verified": False}}
    )
    later = Client()
    later.get(log_in_via_provider(later, school_idp, oidc_provider, "sub-7"))
    assert logged_in_user_id(later) == world.users["coach"].pk
    assert User.objects.get(pk=world.users["coach"].pk).email == "coach@example.nl"


def test_someone_elses_verified_address_never_takes_over_a_linked_account(
    world, oidc_provider, school_idp
):
    oidc_provider.set_accounts(
        {
            "first": {"email": "coach@example.nl", "email_verified": True},
            "second": {"email": "coach@example.nl", "email_verified": True},
        }
    )
    client = Client()
    client.get(log_in_via_provider(client, school_idp, oidc_provider, "first"))
    intruder = Client()
    response = intruder.get(log_in_via_provider(intruder, school_idp, oidc_provider, "second"))
    assert_refused(response, "al gekoppeld aan een ander account")
    assert logged_in_user_id(intruder) is None


def test_an_unknown_subject_with_an_unverified_address_is_refused(world, oidc_provider, school_idp):
    users = User.objects.count()
    oidc_provider.set_accounts({"x": {"email": "coach@example.nl", "email_verified": False}})
    client = Client()
    response = client.get(log_in_via_provider(client, school_idp, oidc_provider, "x"))
    assert_refused(response, "e-mailadres niet als gecontroleerd doorgegeven")
    assert logged_in_user_id(client) is None
    assert not ExternalIdentity.objects.exists()
    assert User.objects.count() == users


def test_an_unknown_person_gets_no_account(world, oidc_provider, school_idp):
    users = User.objects.count()
    oidc_provider.set_accounts({"y": {"email": "nieuw@roc-een.example", "email_verified": True}})
    client = Client()
    response = client.get(log_in_via_provider(client, school_idp, oidc_provider, "y"))
    assert_refused(response, "Schakelpunt kent u nog niet")
    assert "functioneel beheerder" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert User.objects.count() == users


@pytest.mark.parametrize(
    "email",
    [
        "nobody@example.nl",  # an account without any role
        "expired@example.nl",  # a coach whose role ended yesterday
        "worker_p1@example.nl",  # a role, but at a care provider, not at this school
    ],
)
def test_a_person_without_an_active_role_at_the_school_is_refused(
    world, oidc_provider, school_idp, email
):
    oidc_provider.set_accounts({"z": {"email": email, "email_verified": True}})
    client = Client()
    response = client.get(log_in_via_provider(client, school_idp, oidc_provider, "z"))
    assert_refused(response, "geen actieve rol bij deze school of organisatie")
    assert logged_in_user_id(client) is None
    assert not ExternalIdentity.objects.exists()


def test_a_blocked_account_and_a_system_account_are_refused(world, oidc_provider, school_idp):
    coach = world.users["coach"]
    coach.is_active = False
    coach.save()
    system = UserFactory(email="sis@roc-een.example", is_api_client=True)
    MembershipFactory(user=system, organisation=school_idp.organisation, role=Role.COACH)
    oidc_provider.set_accounts(
        {
            "blocked": {"email": "coach@example.nl", "email_verified": True},
            "system": {"email": "sis@roc-een.example", "email_verified": True},
        }
    )
    client = Client()
    response = client.get(log_in_via_provider(client, school_idp, oidc_provider, "blocked"))
    assert_refused(response, "Uw account in Schakelpunt is geblokkeerd.")
    response = client.get(log_in_via_provider(client, school_idp, oidc_provider, "system"))
    assert_refused(response, "gekoppeld systeem")
    assert logged_in_user_id(client) is None


def test_a_replayed_callback_is_refused(world, oidc_provider, school_idp):
    oidc_provider.set_accounts({"c": {"email": "coach@example.nl", "email_verified": True}})
    client = Client()
    back = log_in_via_provider(client, school_idp, oidc_provider, "c")
    assert client.get(back).status_code == 302
    assert logged_in_user_id(client) == world.users["coach"].pk

    # The same address again in the same browser: the state counted once; nothing new.
    again = client.get(back)
    assert again.status_code == 403
    assert "al gebruikt" in again.content.decode()
    assert logged_in_user_id(client) == world.users["coach"].pk
    # In another browser (a stolen address): refused, nobody logged in.
    other = Client()
    assert_refused(other.get(back), "al gebruikt")
    assert logged_in_user_id(other) is None


def test_an_expired_id_token_is_refused(world, oidc_provider, school_idp):
    """The provider's ID token lives an hour; Schakelpunt's clock is two hours further when
    the browser comes back (a token held back and used later)."""
    oidc_provider.set_accounts({"c": {"email": "coach@example.nl", "email_verified": True}})
    client = Client()
    back = log_in_via_provider(client, school_idp, oidc_provider, "c")
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = client.get(back)
    assert_refused(response, "klopt niet of is verlopen")
    assert logged_in_user_id(client) is None


def test_cancelling_at_the_provider_is_refused_in_dutch(world, oidc_provider, school_idp):
    client = Client()
    authorize = start(client, school_idp)
    state = authorize.split("state=")[1].split("&")[0]
    response = client.get(f"/oidc/callback/?error=access_denied&state={state}")
    assert_refused(response, "afgebroken")


# --- The second factor: the provider's MFA counts, a password at the provider does not.


def test_with_mfa_at_the_provider_no_code_is_asked(world, oidc_provider, school_idp, settings):
    settings.OTP_REQUIRED = True
    oidc_provider.set_accounts(
        {"c": {"email": "coach@example.nl", "email_verified": True, "amr": ["pwd", "mfa"]}}
    )
    client = Client()
    client.get(log_in_via_provider(client, school_idp, oidc_provider, "c"))
    home = client.get("/")
    assert home.status_code == 200
    assert f"U werkt als {Role.COACH.label}" in home.content.decode()


def test_with_acr_mfa_no_code_is_asked_either(world, oidc_provider, school_idp, settings):
    settings.OTP_REQUIRED = True
    school_idp.mfa_values = "http://schemas.example/mfa"
    school_idp.save()
    oidc_provider.set_accounts(
        {
            "c": {
                "email": "coach@example.nl",
                "email_verified": True,
                "amr": ["pwd"],
                "acr": "http://schemas.example/mfa",
            }
        }
    )
    client = Client()
    client.get(log_in_via_provider(client, school_idp, oidc_provider, "c"))
    assert client.get("/").status_code == 200


def test_with_only_a_password_at_the_provider_the_code_is_still_asked(
    world, oidc_provider, school_idp, settings
):
    settings.OTP_REQUIRED = True
    oidc_provider.set_accounts(
        {
            "c": {"email": "coach@example.nl", "email_verified": True, "amr": ["pwd"]},
            "c2": {"email": "coach2@example.nl", "email_verified": True, "amr": ["pwd"]},
        }
    )
    # The coach has an authenticator app: the code from it.
    TOTPDevice.objects.create(user=world.users["coach"], name="app", confirmed=True)
    client = Client()
    client.get(log_in_via_provider(client, school_idp, oidc_provider, "c"))
    assert client.get("/")["Location"].startswith("/account/tweestaps/controle/")
    # The second coach has none yet: set one up, as after a password login.
    client = Client()
    client.get(log_in_via_provider(client, school_idp, oidc_provider, "c2"))
    assert client.get("/")["Location"].startswith("/account/tweestaps/instellen/")


# --- Password login switched off for the school.


def test_with_password_login_off_the_password_form_points_to_the_button(world, school_idp):
    roc = school_idp.organisation
    roc.password_login = False
    roc.save()
    response = Client().post(
        "/account/inloggen/", {"username": "coach@example.nl", "password": PASSWORD}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Uw organisatie laat u niet met een wachtwoord inloggen." in html
    assert "_auth_user_id" not in response.client.session
    # A wrong password or an unknown address reads as before: nothing about the school.
    for email, password in (("coach@example.nl", "fout"), ("onbekend@example.nl", PASSWORD)):
        html = (
            Client()
            .post("/account/inloggen/", {"username": email, "password": password})
            .content.decode()
        )
        assert "horen niet bij elkaar" in html
        assert "niet met een wachtwoord" not in html
    # A care worker (their organisation keeps passwords) still logs in with one.
    response = Client().post(
        "/account/inloggen/", {"username": "worker_p1@example.nl", "password": PASSWORD}
    )
    assert response.status_code == 302


# --- The functional administrator sets the provider up; the operator's command.


def test_the_administrator_fetches_the_endpoints_and_saves_the_provider(world, oidc_provider):
    admin = client_for(world.users["admin"])
    page = admin.get("/oidc/instellen/")
    assert page.status_code == 200
    assert "http://testserver/oidc/callback/" in page.content.decode()
    form = {
        "instelling": Organisation.objects.get(name="ROC Een").pk,
        "name": "Inloggen met je ROC-account",
        "issuer": oidc_provider.issuer,
        "client_id": oidc_provider.client_id,
        "client_secret": "",
        "scopes": "openid email profile",
        "mfa_values": "mfa",
        "signing_algorithm": "RS256",
        "enabled": "on",
        "password_login": "on",
    }
    fetched = admin.post("/oidc/instellen/", {**form, "action": "discover"}).content.decode()
    assert f"{oidc_provider.issuer}/jwks" in fetched
    assert f"{oidc_provider.issuer}/token" in fetched
    endpoints = {
        "authorization_endpoint": f"{oidc_provider.issuer}/auth",
        "token_endpoint": f"{oidc_provider.issuer}/token",
        "jwks_uri": f"{oidc_provider.issuer}/jwks",
        "userinfo_endpoint": f"{oidc_provider.issuer}/me",
    }
    # Without a secret nothing is saved.
    refused = admin.post("/oidc/instellen/", {**form, **endpoints, "action": "save"})
    assert "Vul het client-secret in." in refused.content.decode()
    assert not IdentityProvider.objects.exists()
    saved = admin.post(
        "/oidc/instellen/",
        {**form, **endpoints, "client_secret": oidc_provider.client_secret, "action": "save"},
    )
    assert saved.status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.jwks_uri == f"{oidc_provider.issuer}/jwks"
    assert provider.client_secret == oidc_provider.client_secret
    # The secret is never shown back; an empty field keeps it.
    page = admin.get(saved["Location"]).content.decode()
    assert oidc_provider.client_secret not in page
    assert "Er is een secret opgeslagen." in page
    admin.post("/oidc/instellen/", {**form, **endpoints, "name": "Nieuw", "action": "save"})
    provider.refresh_from_db()
    assert (provider.name, provider.client_secret) == ("Nieuw", oidc_provider.client_secret)


def test_only_the_schools_functional_administrator_sets_up_its_provider(world):
    for key in ("coach", "care_l1", "privacy", "worker_p1"):
        assert client_for(world.users[key]).get("/oidc/instellen/").status_code == 404


def test_an_http_issuer_elsewhere_than_this_machine_is_refused(world, settings):
    settings.OIDC_ALLOW_HTTP_LOOPBACK = True
    admin = client_for(world.users["admin"])
    html = admin.post(
        "/oidc/instellen/", {"issuer": "http://idp.example", "action": "discover"}
    ).content.decode()
    assert "moet een https-adres zijn" in html


def test_the_operator_sets_the_provider_with_the_command(world, oidc_provider):
    call_command(
        "identityprovider",
        "set",
        institution="ROC Een",
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret,
        name="Inloggen met je ROC-account",
        password_login="off",
    )
    provider = IdentityProvider.objects.get(organisation__name="ROC Een")
    assert provider.token_endpoint == f"{oidc_provider.issuer}/token"
    assert provider.enabled
    assert not provider.organisation.password_login
