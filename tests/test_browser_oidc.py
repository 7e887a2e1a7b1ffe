"""Logging in with the school's own account, in a real browser (issue 18's "done when"): on
Schakelpunt's login page the school's button, the provider's own login page (a real OpenID
Connect provider in a second process, tests/oidc/provider.mjs), back on the start page with
the role Schakelpunt gave. The provider's MFA counts as the second factor; a password at the
provider does not."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from schakelpunt.accounts.models import ExternalIdentity, Organisation
from schakelpunt.accounts.oidc import (
    ProviderSettings,
    identity_provider_discover,
    identity_provider_save,
)
from schakelpunt.accounts.roles import Role
from tests.oidc.fixtures import PASSWORD, IdpProcess, running_provider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.outside_clock,  # the provider signs tokens with its own clock
]

BUTTON = "Inloggen met je ROC Een-account"


@pytest.fixture(scope="module")
def live_idp(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpProcess]:
    """A provider that knows the live server's callback address."""
    with running_provider(
        [f"{live_server.url}/oidc/callback/"], tmp_path_factory.mktemp("oidc-live")
    ) as provider:
        yield provider


@pytest.fixture
def school(world: Any, live_idp: IdpProcess, settings: Any) -> IdpProcess:
    settings.OIDC_ALLOW_HTTP_LOOPBACK = True
    settings.OTP_REQUIRED = True  # as in production
    found = identity_provider_discover(issuer=live_idp.issuer)
    identity_provider_save(
        actor=None,
        organisation=Organisation.objects.get(name="ROC Een"),
        values=ProviderSettings(
            name=BUTTON,
            issuer=found.issuer,
            client_id=live_idp.client_id,
            client_secret=live_idp.client_secret,
            authorization_endpoint=found.authorization_endpoint,
            token_endpoint=found.token_endpoint,
            jwks_uri=found.jwks_uri,
            userinfo_endpoint=found.userinfo_endpoint,
        ),
        password_login=False,
    )
    return live_idp


def log_in_at_the_school(page: Any, base: str, idp: IdpProcess, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/account/inloggen/")
    expect(
        page.get_by_role("heading", name="Inloggen via je school of organisatie")
    ).to_be_visible()
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_url(re.compile(re.escape(idp.issuer) + r"/interaction/"))
    expect(
        page.get_by_role("heading", name="Inloggen bij de test-identiteitsprovider")
    ).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden bij de school").click()


def test_a_coach_logs_in_at_the_school_with_mfa_and_sees_the_coach_start_page(
    live_server, page, world, school
):
    base = live_server.url
    school.set_accounts(
        {
            "3f9c-coach": {
                "email": "coach@example.nl",
                "email_verified": True,
                "amr": ["pwd", "mfa"],
            }
        }
    )
    log_in_at_the_school(page, base, school, "3f9c-coach")
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", name="Goedendag, Coach")).to_be_visible()
    expect(page.get_by_text(f"U werkt als {Role.COACH.label}.")).to_be_visible()
    assert ExternalIdentity.objects.get().user == world.users["coach"]


def test_with_only_a_password_at_the_school_the_code_from_the_app_is_asked(
    live_server, page, world, school
):
    base = live_server.url
    coach = world.users["coach"]
    device = TOTPDevice.objects.create(user=coach, name="Authenticator-app", confirmed=True)
    school.set_accounts(
        {"3f9c-coach": {"email": "coach@example.nl", "email_verified": True, "amr": ["pwd"]}}
    )
    log_in_at_the_school(page, base, school, "3f9c-coach")
    page.wait_for_url(re.compile(r"/account/tweestaps/controle/"))
    token = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    page.get_by_label("Code uit uw authenticator-app").fill(token)
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_text(f"U werkt als {Role.COACH.label}.")).to_be_visible()


def test_a_person_without_a_role_at_the_school_reads_what_to_do(live_server, page, world, school):
    base = live_server.url
    school.set_accounts({"x": {"email": "nieuw@roc-een.example", "email_verified": True}})
    log_in_at_the_school(page, base, school, "x")
    expect(
        page.get_by_role("heading", name="Inloggen via uw school of organisatie is niet gelukt")
    ).to_be_visible()
    expect(page.get_by_text("Schakelpunt kent u nog niet")).to_be_visible()
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r"/account/inloggen/"))


def test_with_password_login_off_the_password_form_points_to_the_button(
    live_server, page, world, school
):
    base = live_server.url
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill("coach@example.nl")
    page.get_by_label("Wachtwoord").fill("een-lang-test-wachtwoord")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(
        page.get_by_text("Uw organisatie laat u niet met een wachtwoord inloggen.")
    ).to_be_visible()
    expect(page.get_by_role("link", name=BUTTON)).to_be_visible()


def test_the_login_page_the_refusal_and_the_settings_screen_meet_wcag_21_aa(
    live_server, page, world, live_idp, settings
):
    from schakelpunt.accounts.tests.factories import PASSWORD as SCHAKELPUNT_PASSWORD
    from tests.test_accessibility import assert_accessible

    settings.OIDC_ALLOW_HTTP_LOOPBACK = True
    base = live_server.url
    page.goto(f"{base}/account/inloggen/")
    page.get_by_label("E-mailadres").fill("admin@example.nl")
    page.get_by_label("Wachtwoord").fill(SCHAKELPUNT_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{base}/")

    # The administrator fetches the provider's addresses and saves.
    page.goto(f"{base}/oidc/instellen/")
    assert_accessible(page, "identity provider settings")
    page.get_by_label("Tekst op de knop").fill(BUTTON)
    page.get_by_label("Issuer").fill(live_idp.issuer)
    page.get_by_label("Client-id").fill(live_idp.client_id)
    page.get_by_role("button", name="Gegevens ophalen").click()
    expect(page.get_by_text("De adressen zijn opgehaald")).to_be_visible()
    assert page.get_by_label("JWKS-adres").input_value() == f"{live_idp.issuer}/jwks"
    page.get_by_label("Client-secret").fill(live_idp.client_secret)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De identiteitsprovider is opgeslagen.")).to_be_visible()
    assert live_idp.client_secret not in page.content()

    page.context.clear_cookies()
    page.goto(f"{base}/account/inloggen/")
    expect(page.get_by_role("link", name=BUTTON)).to_be_visible()
    assert_accessible(page, "login with the school's button")
    live_idp.set_accounts({"x": {"email": "nieuw@roc-een.example", "email_verified": True}})
    page.get_by_role("link", name=BUTTON).click()
    page.get_by_label("Gebruikersnaam").fill("x")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden bij de school").click()
    page.wait_for_url(re.compile(r"/oidc/callback/"))
    assert_accessible(page, "refused login")
