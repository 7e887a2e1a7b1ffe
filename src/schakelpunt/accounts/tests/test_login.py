import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.log_capture import captured_logs

from schakelpunt.accounts.roles import Role

from .factories import (
    PASSWORD,
    MembershipFactory,
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


def test_the_lockouts_log_lines_name_no_account_address_or_browser(coach):
    """Failed and successful logins leave axes's lines in the log, with the account, the
    address and the browser masked: the lockout tables keep them, the log collector does not
    get them."""
    browser = "Mozilla/5.0 (X11; Linux x86_64) Eigenbrowser/42.7"
    client = Client(HTTP_USER_AGENT=browser, REMOTE_ADDR="192.0.2.77")
    with captured_logs() as logs:
        login(client, "coach@example.nl", "fout")
        login(client, "coach@example.nl", PASSWORD)
    lines = [line for line in logs.lines() if "AXES" in line]
    assert any("login failure" in line for line in lines)
    assert any("Successful login" in line for line in lines)
    for line in lines:
        assert "Eigenbrowser" not in line
        assert "192.0.2.77" not in line
        assert "coach@example.nl" not in line


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


def test_demo_mode_does_not_force_the_second_factor(coach, settings):
    settings.OTP_REQUIRED = False
    client = Client()
    login(client, "coach@example.nl", PASSWORD)
    assert client.get("/studenten/").status_code == 200
