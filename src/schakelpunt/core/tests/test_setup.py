"""`schakelpunt setup` on an empty database: the institution, its first functional
administrator and the next steps; a second run changes nothing."""

import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from schakelpunt.accounts.models import Membership, Organisation, RoleGrant, User
from schakelpunt.accounts.roles import OrganisationKind, Role

pytestmark = pytest.mark.django_db

FLAGS = {
    "institution_name": "ROC Voorbeeld",
    "brin": "25xx",
    "municipality": "Enschede",
    "admin_email": "Beheer@ROC-Voorbeeld.nl",
    "admin_first_name": "Fatima",
    "admin_last_name": "El Amrani",
    "base_url": "http://testserver",
    "interactive": False,
}


def setup(django_capture_on_commit_callbacks, **changes: object) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("setup", stdout=out, **(FLAGS | changes))
    return out.getvalue()


def test_setup_creates_the_institution_and_an_administrator_who_chooses_a_password(
    django_capture_on_commit_callbacks,
) -> None:
    printed = setup(django_capture_on_commit_callbacks)

    institution = Organisation.objects.get()
    assert (institution.name, institution.kind, institution.brin) == (
        "ROC Voorbeeld",
        OrganisationKind.MBO_INSTITUTION,
        "25XX",
    )
    assert institution.municipality is not None
    assert institution.municipality.cbs_code == "GM0153"
    membership = Membership.objects.get(user__email="beheer@roc-voorbeeld.nl")
    assert (membership.organisation, membership.role) == (institution, Role.FUNCTIONAL_ADMIN)
    assert RoleGrant.objects.get().actor is None  # recorded as the operator's grant
    # The next steps, in Dutch, with the addresses of this instance.
    assert "ROC Voorbeeld (BRIN 25XX, gemeente Enschede) is aangemaakt" in printed
    for step in (
        "tweestapsverificatie",
        "http://testserver/beheer/instelling/",
        "http://testserver/schoolkalender/",
        "http://testserver/studenten/importeren/",
        "http://testserver/verzuim/importeren/",
        "http://testserver/beheer/mensen/",
    ):
        assert step in printed
    # The printed link and the e-mailed one both let the administrator choose a password.
    assert mail.outbox[0].to == ["beheer@roc-voorbeeld.nl"]
    link = re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/)", printed)
    assert link is not None
    assert "/account/wachtwoord-herstellen/" in mail.outbox[0].body
    admin = Client()
    form = admin.get(link.group(1), follow=True)
    password = "een-lang-eigen-wachtwoord-2026"
    admin.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    logged_in = admin.post(
        "/account/inloggen/", {"username": "beheer@roc-voorbeeld.nl", "password": password}
    )
    assert logged_in.status_code == 302
    assert admin.get("/studenten/importeren/").status_code == 200


def test_a_second_run_refuses_names_what_exists_and_changes_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    setup(django_capture_on_commit_callbacks)
    with pytest.raises(CommandError) as refused:
        setup(
            django_capture_on_commit_callbacks,
            institution_name="ROC Ander",
            admin_email="ander@example.nl",
        )
    message = str(refused.value)
    assert "al ingericht" in message
    assert "ROC Voorbeeld" in message
    assert "beheer@roc-voorbeeld.nl" in message
    assert "niets veranderd" in message
    assert Organisation.objects.count() == 1
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_password_can_come_from_standard_input_and_no_mail_is_sent(
    django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("een-lang-eigen-wachtwoord-2026\n"))
    printed = setup(django_capture_on_commit_callbacks, password_stdin=True)
    assert "wachtwoord-herstellen" not in printed
    assert "http://testserver/account/inloggen/" in printed
    assert mail.outbox == []
    logged_in = Client().post(
        "/account/inloggen/",
        {"username": "beheer@roc-voorbeeld.nl", "password": "een-lang-eigen-wachtwoord-2026"},
    )
    assert logged_in.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"municipality": "Atlantis"}, "Gemeente 'Atlantis' bestaat niet"),
        ({"brin": "ROC1"}, "BRIN 'ROC1' klopt niet"),
        ({"admin_email": "geen-adres"}, "'geen-adres' is geen geldig e-mailadres"),
        ({"admin_last_name": ""}, "Ontbreekt: --admin-last-name"),
    ],
)
def test_a_wrong_value_is_refused_in_dutch_and_creates_nothing(
    django_capture_on_commit_callbacks, changes: dict[str, str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        setup(django_capture_on_commit_callbacks, **changes)
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_a_weak_password_is_refused(django_capture_on_commit_callbacks, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("welkom\n"))
    with pytest.raises(CommandError, match="wachtwoord"):
        setup(django_capture_on_commit_callbacks, password_stdin=True)
    assert not Organisation.objects.exists()


def test_setup_asks_for_what_is_missing(django_capture_on_commit_callbacks, monkeypatch) -> None:
    answers = iter(["ROC Gevraagd", "", "Hengelo", "beheer@gevraagd.nl", "Sem", "de Vries"])
    monkeypatch.setattr("builtins.input", lambda question: next(answers))
    printed = setup(
        django_capture_on_commit_callbacks,
        **dict.fromkeys(
            (
                "institution_name",
                "brin",
                "municipality",
                "admin_email",
                "admin_first_name",
                "admin_last_name",
            ),
            "",
        ),
        interactive=True,
    )
    institution = Organisation.objects.get()
    assert institution.name == "ROC Gevraagd"
    assert institution.municipality is not None
    assert institution.municipality.name == "Hengelo (O.)"
    assert "Sem de Vries <beheer@gevraagd.nl>" in printed


def test_piped_answers_each_question_on_its_own_line_after_the_database_is_made(
    django_capture_on_commit_callbacks, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("ROC Gepiept\n\nEnschede\nbeheer@gepiept.nl\nSem\nde Vries\n")
    )
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("setup", stdout=out, base_url="http://testserver")
    # The operator sees why nothing happens for a while on an empty database.
    assert out.getvalue().startswith("Database aanmaken of bijwerken… klaar.\n")
    asked = capsys.readouterr().out.splitlines()
    assert asked[:2] == [
        "Naam van de mbo-instelling: ",
        "BRIN-nummer (leeg laten mag): ",
    ]
    assert len(asked) == 6
    assert Organisation.objects.get().name == "ROC Gepiept"


def test_piped_input_that_stops_early_names_what_is_missing(
    django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ROC Half\n"))
    with pytest.raises(CommandError, match="--admin-email, --admin-first-name"):
        call_command("setup", stdout=io.StringIO(), base_url="http://testserver")
    assert not Organisation.objects.exists()
