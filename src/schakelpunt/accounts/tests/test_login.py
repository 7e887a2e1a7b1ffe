import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from schakelpunt.accounts.roles import Role

from .factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeTeamFactory,
    UserFactory,
)


@pytest.fixture
def coach(db):
    team = ProgrammeTeamFactory()
    user = UserFactory(email="coach@example.nl")
    MembershipFactory(
        user=user, organisation=team.location.institution, role=Role.COACH, programme_team=team
    )
    return user


def login(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/account/inloggen/", {"username": email, "password": password})


def test_login_with_email_and_password_reaches_the_start_page(coach):
    client = Client()
    response = login(client, "coach@example.nl", PASSWORD)
    assert response.status_code == 302
    home = client.get("/")
    assert "Studieloopbaanbegeleider" in home.content.decode()


def test_wrong_password_gets_a_dutch_message(coach):
    response = login(Client(), "coach@example.nl", "fout")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar" in body


def test_five_failures_lock_the_account_even_for_the_right_password(coach):
    client = Client()
    for _ in range(5):
        login(client, "coach@example.nl", "fout")
    locked = login(client, "coach@example.nl", PASSWORD)
    assert locked.status_code == 429
    assert "Inloggen is tijdelijk geblokkeerd" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(coach):
    client = Client()
    response = client.post("/account/wachtwoord-vergeten/", {"email": "coach@example.nl"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Nieuw wachtwoord voor Schakelpunt"
    link = re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "Kies een nieuw wachtwoord" in form.content.decode()
    new_password = "een-heel-nieuw-wachtwoord-2026"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert login(Client(), "coach@example.nl", new_password).status_code == 302


def test_password_reset_for_unknown_address_reveals_nothing(db):
    response = Client().post("/account/wachtwoord-vergeten/", {"email": "niemand@example.nl"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_file_role_must_set_up_a_second_factor(coach, settings):
    settings.OTP_REQUIRED = True
    client = Client()
    login(client, "coach@example.nl", PASSWORD)
    blocked = client.get("/studenten/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/account/tweestaps/instellen/")
    setup = client.get(blocked["Location"])
    assert "Scan deze QR-code" in setup.content.decode()
    assert client.get("/api/v1/students/").status_code == 403

    device = TOTPDevice.objects.get(user=coach, confirmed=False)
    wrong = client.post("/account/tweestaps/instellen/", {"token": "000000"})
    assert "Deze code klopt niet" in wrong.content.decode()
    # After a wrong code the next try must wait a moment (throttling).
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        token = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
        done = client.post("/account/tweestaps/instellen/?next=/studenten/", {"token": token})
    assert done.status_code == 302
    assert done["Location"] == "/studenten/"
    assert client.get("/studenten/").status_code == 200


def test_confirmed_device_is_asked_at_every_login(coach, settings):
    settings.OTP_REQUIRED = True
    device = TOTPDevice.objects.create(user=coach, name="app", confirmed=True)
    client = Client()
    login(client, "coach@example.nl", PASSWORD)
    asked = client.get("/")
    assert asked["Location"].startswith("/account/tweestaps/controle/")
    token = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    assert client.post("/account/tweestaps/controle/", {"token": token}).status_code == 302
    assert client.get("/").status_code == 200


def test_aggregate_role_is_not_forced_to_use_a_second_factor(db, settings):
    settings.OTP_REQUIRED = True
    user = UserFactory(email="gemeente@example.nl")
    MembershipFactory(
        user=user, organisation=OrganisationFactory(gemeente=True), role=Role.MUNICIPAL_ADVISOR
    )
    client = Client()
    login(client, "gemeente@example.nl", PASSWORD)
    assert client.get("/").status_code == 200


def test_demo_mode_does_not_force_the_second_factor(coach, settings):
    settings.OTP_REQUIRED = False
    client = Client()
    login(client, "coach@example.nl", PASSWORD)
    assert client.get("/studenten/").status_code == 200
