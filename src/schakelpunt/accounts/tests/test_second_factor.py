"""The second factor: required for every role but the student (decision 0017), and a first
authenticator app only after proving the mailbox (the invitation link or an e-mailed code)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.world import World

from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role

from .factories import PASSWORD, MembershipFactory, ProgrammeTeamFactory, UserFactory

SETUP = "/account/tweestaps/instellen/"


@pytest.fixture
def otp_required(settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True


@pytest.fixture
def coach(db) -> User:  # type: ignore[no-untyped-def]
    team = ProgrammeTeamFactory()
    user = UserFactory(email="coach@example.nl")
    MembershipFactory(
        user=user, organisation=team.location.institution, role=Role.COACH, programme_team=team
    )
    return user


def _login(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/account/inloggen/", {"username": email, "password": password})
    assert response.status_code == 302
    return client


def _token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.fixture
def send_code(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Ask for a code by e-mail; the e-mail goes out after commit."""

    def send(client: Client, path: str = SETUP, **extra: object):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, {"action": "send"}, **extra)

    return send


def _mailed_code() -> str:
    found = re.search(r"^(\d{6})$", mail.outbox[-1].body, re.MULTILINE)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("privacy", "/privacy/toegangslog/"),
        ("admin", "/beheer/organisaties/"),
        ("municipal", "/monitor/"),
        ("governance", "/"),
        ("coach", "/studenten/"),
    ],
)
def test_every_role_but_the_student_needs_a_second_factor(
    world: World, otp_required: None, who: str, page: str
) -> None:
    world.users[who].set_password(PASSWORD)
    world.users[who].save()
    client = _login(world.users[who].email)
    blocked = client.get(page)
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(SETUP)
    assert client.get("/api/v1/students").status_code == 403


def test_a_student_is_not_forced_to_use_a_second_factor(world: World, otp_required: None) -> None:
    student = world.users["student"]
    student.set_password(PASSWORD)
    student.save()
    client = _login(student.email)
    assert client.get("/").status_code == 200
    assert client.get("/studenten/mijn-dossier/", follow=True).status_code == 200


def test_a_password_alone_does_not_set_up_a_first_device(
    coach: User, otp_required: None, send_code
) -> None:
    """Someone who only knows the password never sees the QR code or the secret."""
    client = _login("coach@example.nl")
    page = client.get(f"{SETUP}?next=/studenten/")
    body = page.content.decode()
    assert "Stuur mij een code" in body
    assert "Scan deze QR-code" not in body
    assert not TOTPDevice.objects.filter(user=coach).exists()
    # Guessing a code without one sent, or posting an app code straight away, does nothing.
    assert (
        "werkt niet meer"
        in client.post(
            f"{SETUP}?next=/studenten/", {"action": "code", "token": "123456"}
        ).content.decode()
    )
    client.post(SETUP, {"token": "123456"})
    assert not TOTPDevice.objects.filter(user=coach).exists()
    assert client.get("/studenten/").status_code == 302

    sent = send_code(client, f"{SETUP}?next=/studenten/")
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["coach@example.nl"]
    assert mail.outbox[0].subject == "Uw code voor tweestapsverificatie in Schakelpunt"
    code = _mailed_code()
    wrong = "000000" if code != "000000" else "111111"
    assert (
        "Deze code klopt niet"
        in client.post(SETUP, {"action": "code", "token": wrong}).content.decode()
    )

    unlocked = client.post(f"{SETUP}?next=/studenten/", {"action": "code", "token": code})
    assert unlocked.status_code == 302
    setup = client.get(unlocked["Location"])
    assert "Scan deze QR-code" in setup.content.decode()
    device = TOTPDevice.objects.get(user=coach, confirmed=False)
    done = client.post(f"{SETUP}?next=/studenten/", {"token": _token(device)})
    assert done.status_code == 302
    assert done["Location"] == "/studenten/"
    assert client.get("/studenten/").status_code == 200


def test_the_mailed_code_works_once_briefly_and_after_few_attempts(
    coach: User, otp_required: None, send_code
) -> None:
    client = _login("coach@example.nl")
    send_code(client)
    code = _mailed_code()
    # Too late after 15 minutes.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        late = client.post(SETUP, {"action": "code", "token": code})
    assert "werkt niet meer" in late.content.decode()

    # Five wrong tries use the code up.
    send_code(client)
    code = _mailed_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(SETUP, {"action": "code", "token": wrong})
    assert (
        "werkt niet meer" in client.post(SETUP, {"action": "code", "token": code}).content.decode()
    )

    # A right code works once: another session cannot reuse it.
    send_code(client)
    code = _mailed_code()
    assert client.post(SETUP, {"action": "code", "token": code}).status_code == 302
    other = _login("coach@example.nl")
    reused = other.post(SETUP, {"action": "code", "token": code})
    assert "werkt niet meer" in reused.content.decode()
    assert "Scan deze QR-code" not in other.get(SETUP).content.decode()


def test_asking_for_many_codes_is_limited(coach: User, otp_required: None, send_code) -> None:
    client = _login("coach@example.nl")
    for _ in range(5):
        send_code(client)
    too_many = send_code(client, follow=True)
    assert "te vaak een code gevraagd" in too_many.content.decode()
    assert len(mail.outbox) == 5


def test_the_invitation_link_allows_the_first_device_in_the_same_flow(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    from tests.world import client_for

    team = world.students["t1"].programme.team
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.users["admin"]).post(
            "/beheer/gebruikers/nieuw/",
            {
                "email": "nieuw@example.nl",
                "first_name": "Nina",
                "last_name": "Nieuw",
                "organisation": team.location.institution.pk,
                "role": Role.COACH,
                "programme_team": team.pk,
            },
        )
    link = re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/)", mail.outbox[0].body)
    assert link is not None
    settings.OTP_REQUIRED = True  # (after the administrator, who has no device here)
    newcomer = Client()
    form = newcomer.get(link.group(1), follow=True)
    password = "mijn-eigen-wachtwoord-2026"
    newcomer.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    newcomer.post("/account/inloggen/", {"username": "nieuw@example.nl", "password": password})
    asked = newcomer.get("/studenten/")
    assert asked["Location"].startswith(SETUP)
    setup = newcomer.get(asked["Location"])
    assert "Scan deze QR-code" in setup.content.decode()  # no e-mailed code needed
    device = TOTPDevice.objects.get(user__email="nieuw@example.nl", confirmed=False)
    newcomer.post(SETUP, {"token": _token(device)})
    assert newcomer.get(f"/studenten/{world.students['t1'].pk}/").status_code == 200
    assert len(mail.outbox) == 1  # only the invitation
