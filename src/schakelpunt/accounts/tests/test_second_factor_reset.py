"""A lost phone and a forgotten password before a first one was chosen (issue 17 review):
the administrator resets a person's second factor, and "Wachtwoord vergeten?" sends the
invitation again to someone invited who never chose a password."""

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.world import World, client_for

from schakelpunt.accounts.models import GrantOutcome, Organisation, RoleGrant, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/beheer/mensen/"
FORGOTTEN = "/account/wachtwoord-vergeten/"
SETUP = "/account/tweestaps/instellen/"


def device_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=True)


# --- resetting a lost second factor --------------------------------------------------------


def test_the_administrator_resets_a_lost_second_factor_after_confirming(
    world: World, settings
) -> None:
    coach = world.users["coach"]
    device_for(coach)
    admin = client_for(world.users["admin"])
    detail = admin.get(f"{PEOPLE}{coach.pk}/").content.decode()
    assert "Tweestapsverificatie opnieuw instellen" in detail

    confirm = admin.get(f"{PEOPLE}{coach.pk}/tweestaps/")
    assert confirm.status_code == 200
    assert "Ja, tweestapsverificatie wissen" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=coach).exists()  # nothing happens before confirming

    done = admin.post(f"{PEOPLE}{coach.pk}/tweestaps/", follow=True).content.decode()
    assert "is gewist" in done
    assert not TOTPDevice.objects.filter(user=coach).exists()
    grant = RoleGrant.objects.get(grantee=coach, outcome=GrantOutcome.OTP_RESET)
    assert grant.actor == world.users["admin"]
    assert "tweestapsverificatie opnieuw ingesteld" in done  # in the person's history
    # The privacy officer reads it among the role grants.
    grants_page = client_for(world.users["privacy"]).get("/beheer/rollen/").content.decode()
    assert "tweestapsverificatie opnieuw ingesteld" in grants_page

    # At the next login the coach sets up a new app, first proving their mailbox.
    settings.OTP_REQUIRED = True
    coach.set_password(PASSWORD)
    coach.save()
    client = Client()
    client.post("/account/inloggen/", {"username": coach.email, "password": PASSWORD})
    blocked = client.get("/studenten/")
    assert blocked["Location"].startswith(SETUP)
    setup = client.get(blocked["Location"]).content.decode()
    assert "Stuur mij een code" in setup
    assert "Scan deze QR-code" not in setup


def test_resetting_is_not_for_oneself_nor_for_people_not_managed(world: World) -> None:
    admin_user = world.users["admin"]
    admin = client_for(admin_user)  # (their own device would send them to the code page)
    assert "Tweestapsverificatie opnieuw instellen" not in (
        admin.get(f"{PEOPLE}{admin_user.pk}/").content.decode()
    )
    refused = admin.post(f"{PEOPLE}{admin_user.pk}/tweestaps/", follow=True).content.decode()
    assert "eigen tweestapsverificatie" in refused

    worker = world.users["worker_p1"]  # a provider ROC Een does not manage
    device_for(worker)
    assert admin.post(f"{PEOPLE}{worker.pk}/tweestaps/").status_code == 404
    assert TOTPDevice.objects.filter(user=worker).exists()
    # Only a functional administrator.
    coach = world.users["coach"]
    device_for(coach)
    assert (
        client_for(world.users["care_l1"]).post(f"{PEOPLE}{coach.pk}/tweestaps/").status_code == 404
    )
    assert TOTPDevice.objects.filter(user=coach).exists()
    assert not RoleGrant.objects.filter(outcome=GrantOutcome.OTP_RESET).exists()


def test_the_verify_page_says_whom_to_ask_when_the_phone_is_lost(world: World) -> None:
    coach = world.users["coach"]
    device_for(coach)
    page = client_for(coach).get("/account/tweestaps/controle/").content.decode()
    assert "Telefoon kwijt? Vraag de functioneel beheerder van uw school" in page


# --- a forgotten password before a first one was chosen -------------------------------------


def invited_person(world: World, email: str = "nieuw@example.nl") -> User:
    invited = UserFactory(email=email)
    invited.set_unusable_password()
    invited.save()
    MembershipFactory(
        user=invited, organisation=Organisation.objects.get(name="ROC Een"), role=Role.GOVERNANCE
    )
    return invited


def test_forgotten_password_sends_the_invitation_again_to_someone_never_chosen_one(
    world: World, django_capture_on_commit_callbacks
) -> None:
    invited_person(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(FORGOTTEN, {"email": "Nieuw@example.nl"}, follow=True)
    assert "Als dit e-mailadres bij een account hoort" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["nieuw@example.nl"]]
    assert "wachtwoord-herstellen" in mail.outbox[0].body


def test_forgotten_password_says_the_same_and_sends_nothing_to_unknown_or_ended(
    world: World, django_capture_on_commit_callbacks
) -> None:
    blocked = invited_person(world, "geblokkeerd@example.nl")
    blocked.is_active = False
    blocked.save()
    no_role = UserFactory(email="zonderrol@example.nl")
    no_role.set_unusable_password()
    no_role.save()
    known = Client().post(FORGOTTEN, {"email": "nieuw@example.nl"}, follow=True)
    for email in ("onbekend@example.nl", "geblokkeerd@example.nl", "zonderrol@example.nl"):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(FORGOTTEN, {"email": email}, follow=True)
        assert response.redirect_chain == known.redirect_chain
        assert "Als dit e-mailadres bij een account hoort" in response.content.decode()
    assert mail.outbox == []
