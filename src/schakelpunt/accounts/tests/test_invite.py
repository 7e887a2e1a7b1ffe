import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from tests.world import client_for

from schakelpunt.accounts.models import Membership, Organisation, User
from schakelpunt.accounts.roles import Role


def invite_form(world, **changes):  # type: ignore[no-untyped-def]
    team = world.students["t1"].programme.team
    data = {
        "email": "Nieuwe.Coach@Example.nl",
        "first_name": "Nina",
        "last_name": "Nieuw",
        "organisation": team.location.institution.pk,
        "role": Role.COACH,
        "programme_team": team.pk,
    }
    return data | changes


def test_functional_admin_invites_a_coach_who_then_sees_the_team(
    world, django_capture_on_commit_callbacks
):
    admin = client_for(world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin.post("/beheer/gebruikers/nieuw/", invite_form(world))
        assert mail.outbox == []  # nothing is sent before the change is committed
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nieuwe.coach@example.nl"]
    assert message.subject == "Uw account voor Schakelpunt"
    path = re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/)", message.body)
    assert path is not None

    newcomer = Client()
    form = newcomer.get(path.group(1), follow=True)
    password = "mijn-eigen-wachtwoord-2026"
    newcomer.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert (
        newcomer.post(
            "/account/inloggen/", {"username": "nieuwe.coach@example.nl", "password": password}
        ).status_code
        == 302
    )
    page = newcomer.get(f"/studenten/{world.students['t1'].pk}/")
    assert page.status_code == 200
    membership = Membership.objects.get(user__email="nieuwe.coach@example.nl")
    assert membership.created_by == world.users["admin"]


def test_invalid_role_is_refused_in_dutch_and_creates_nothing(world):
    admin = client_for(world.users["admin"])
    users_before = User.objects.count()
    response = admin.post("/beheer/gebruikers/nieuw/", invite_form(world, programme_team=""))
    assert response.status_code == 200
    assert "Een studieloopbaanbegeleider hoort bij een opleidingsteam." in response.content.decode()
    assert User.objects.count() == users_before
    assert mail.outbox == []


def test_existing_address_gets_the_extra_role_and_no_new_account(world):
    admin = client_for(world.users["admin"])
    coach = world.users["coach"]
    team2 = world.students["t2"].programme.team
    admin.post(
        "/beheer/gebruikers/nieuw/",
        invite_form(world, email=coach.email, programme_team=team2.pk),
    )
    assert User.objects.filter(email=coach.email).count() == 1
    assert Membership.objects.filter(user=coach, role=Role.COACH).count() == 2
    assert mail.outbox == []  # they already have a password


@pytest.mark.parametrize("who", ["coach", "care_l1", "privacy", "governance", "student"])
def test_only_the_functional_admin_may_invite(world, who):
    assert client_for(world.users[who]).get("/beheer/gebruikers/nieuw/").status_code == 404


def test_first_install_from_the_command_line(db, capsys, django_capture_on_commit_callbacks):
    call_command("organisation", "add", "ROC Voorbeeld", kind="mbo", municipality="GM0153")
    call_command("organisation", "add", "ROC Voorbeeld", kind="mbo", municipality="GM0153")
    assert Organisation.objects.filter(name="ROC Voorbeeld").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite",
            "beheer@roc.example.nl",
            role="functional_admin",
            organisation="ROC Voorbeeld",
            base_url="https://schakelpunt.roc.example.nl/",
        )
    out = capsys.readouterr().out
    assert "Functioneel beheerder bij ROC Voorbeeld" in out
    assert (
        "https://schakelpunt.roc.example.nl/account/wachtwoord-herstellen/" in mail.outbox[0].body
    )
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("invite", "x@example.nl", role="coach", organisation="Onbekend")
    with pytest.raises(CommandError, match="Gemeentecode GM9999 bestaat niet"):
        call_command(
            "organisation", "add", "Gemeente X", kind="municipality", municipality="GM9999"
        )


def test_role_that_does_not_fit_the_organisation_is_refused_in_dutch(world):
    admin = client_for(world.users["admin"])
    response = admin.post(
        "/beheer/gebruikers/nieuw/",
        invite_form(world, role=Role.EXTERNAL_CARE_WORKER, programme_team=""),
    )
    assert response.status_code == 200
    assert "past niet bij een organisatie van deze soort" in response.content.decode()
    assert not User.objects.filter(email="nieuwe.coach@example.nl").exists()
