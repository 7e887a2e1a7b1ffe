"""Findings of the walk through issue 17 on an empty install (set-up, people
administration, the parent role)."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.formats import date_format
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.world import World, client_for

from schakelpunt.access.display import activity_plain
from schakelpunt.access.models import AccessLogEntry
from schakelpunt.access.parts import Action
from schakelpunt.accounts.institution import _refuse_students
from schakelpunt.accounts.institution_importer import institution_import
from schakelpunt.accounts.invitation_importer import invitation_import
from schakelpunt.accounts.models import Membership, Organisation
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from schakelpunt.accounts.tests.test_people_parents import INVITE, family, parent_form
from schakelpunt.privacy.register import Activity
from schakelpunt.students.models import Guardian, Student

__all__ = ["family"]  # the fixture

INVITATIONS_HEADER = "email;voornaam;achternaam;rol;organisatie;locatie;team;studentnummer;ouder\n"

pytestmark = pytest.mark.django_db


@override_settings(SITE_URL="https://schakelpunt.roc-voorbeeld.nl", ALLOWED_HOSTS=["intern", "*"])
def test_the_invite_command_mails_a_link_on_site_url(django_capture_on_commit_callbacks) -> None:
    call_command("organisation", "add", "ROC Voorbeeld", kind="mbo", municipality="GM0153")
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite",
            "beheer@roc-voorbeeld.nl",
            role="functional_admin",
            organisation="ROC Voorbeeld",
        )
    assert Organisation.objects.filter(name="ROC Voorbeeld").exists()
    assert (
        "https://schakelpunt.roc-voorbeeld.nl/account/wachtwoord-herstellen/" in mail.outbox[0].body
    )
    assert "https://intern" not in mail.outbox[0].body


def test_inviting_a_parent_is_logged_once_as_account_administration(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    admin = client_for(world.users["admin"])
    anna = world.students["t1"]
    admin.post(INVITE, parent_form(world))
    # A second step with a mistake shows the same guardians again.
    wrong = parent_form(world, guardian=family["petra"].pk, email="iemand@example.nl")
    assert "niet het e-mailadres" in admin.post(INVITE, wrong).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(INVITE, parent_form(world, guardian=family["petra"].pk))
    reads = AccessLogEntry.objects.filter(
        student_id=anna.pk, user=world.users["admin"], action=Action.VIEW
    )
    assert reads.count() == 1
    reason = str(activity_plain(reads.get().activity))
    assert "ouder meekijkt" not in reason
    assert reason == str(activity_plain(Activity.OVERSIGHT))


def test_linking_the_parents_account_is_logged_as_account_administration(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    """What the student reads in 'wie heeft gekeken': no 'omdat je ouder meekijkt' for the
    administrator who only made the parent's account."""
    admin = client_for(world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(INVITE, parent_form(world, guardian=family["petra"].pk))
    rows = AccessLogEntry.objects.filter(
        student_id=world.students["t1"].pk, user=world.users["admin"]
    )
    assert rows.exists()
    assert {row.activity for row in rows} == {Activity.OVERSIGHT}


def test_one_parent_invitation_is_one_granted_line_in_the_history(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    admin = client_for(world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(INVITE, parent_form(world, guardian=family["petra"].pk), follow=True)
    history = done.content.decode().split("Geschiedenis", 1)[1]
    assert history.count(": toegekend") == 1
    number = world.students["t1"].student_number
    assert f"ouder of verzorger van studentnummer {number}" in history


def test_setup_asks_institution_first_and_asks_an_empty_required_answer_again(
    django_capture_on_commit_callbacks, monkeypatch
) -> None:
    asked: list[str] = []
    answers = iter(["ROC Gevraagd", "", "", "", "beheer@gevraagd.nl", "Sem", "de Vries"])

    def answer(question: str) -> str:
        asked.append(question)
        return next(answers)

    monkeypatch.setattr("builtins.input", answer)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("setup", stdout=out, base_url="http://testserver")
    assert [q.split(" ")[0] for q in asked] == [
        "Naam",
        "BRIN-nummer",
        "Gemeente",
        "E-mailadres",
        "E-mailadres",
        "Voornaam",
        "Achternaam",
    ]
    assert "Dit is verplicht." in out.getvalue()
    assert "Sem de Vries <beheer@gevraagd.nl>" in out.getvalue()


def test_the_invite_form_marks_staff_fields_and_hides_them_for_a_parent(
    world: World, family: dict[str, Guardian]
) -> None:
    admin = client_for(world.users["admin"])
    empty = admin.get(INVITE).content.decode()
    assert "---------" not in empty
    assert "— kies —" in empty
    assert "Locatie (alleen voor medewerkers)" in empty
    assert "Opleidingsteam (alleen voor medewerkers)" in empty
    step_two = admin.post(INVITE, parent_form(world)).content.decode()
    assert "Stap 2: welke ouder of verzorger?" in step_two
    assert "alleen voor medewerkers" not in step_two
    assert '<select name="location"' not in step_two


def test_a_student_account_without_a_linked_record_says_so_to_the_admin(world: World) -> None:
    student_user = world.users["student"]
    Student.objects.filter(user=student_user).update(user=None)
    page = client_for(world.users["admin"]).get(f"/beheer/mensen/{student_user.pk}/")
    text = page.content.decode()
    assert "niet gekoppeld aan een studentdossier" in text
    assert "opnieuw uit met de rol Student en het studentnummer" in text
    linked = client_for(world.users["admin"]).get(f"/beheer/mensen/{world.users['coach'].pk}/")
    assert "niet gekoppeld aan een studentdossier" not in linked.content.decode()


def test_a_role_withdrawn_before_it_began_reads_as_withdrawn(world: World) -> None:
    coach = world.users["coach"]
    today = timezone.localdate()
    membership = Membership.objects.filter(user=coach).first()
    assert membership is not None
    Membership.objects.filter(pk=membership.pk).update(
        valid_from=today + timedelta(days=10), valid_until=today + timedelta(days=9)
    )
    text = client_for(world.users["admin"]).get(f"/beheer/mensen/{coach.pk}/").content.decode()
    assert "ingetrokken voordat de rol inging" in text
    assert date_format(today + timedelta(days=9), "j F Y") not in text


def test_changing_a_role_speaks_of_the_current_role_in_the_right_tense(world: World) -> None:
    coach = world.users["coach"]
    membership = Membership.objects.filter(user=coach).first()
    assert membership is not None
    text = (
        client_for(world.users["admin"])
        .get(f"/beheer/mensen/{coach.pk}/rol/{membership.pk}/wijzigen/")
        .content.decode()
    )
    assert "De huidige rol is tot en met gisteren geldig" in text
    assert "eindigt gisteren" not in text


def test_someone_whose_role_ended_is_told_why_the_start_page_is_empty(world: World) -> None:
    text = client_for(world.users["expired"]).get("/").content.decode()
    assert "U heeft op dit moment geen rol in Schakelpunt" in text
    assert "functioneel beheerder" in text
    coach = client_for(world.users["coach"]).get("/").content.decode()
    assert "geen rol in Schakelpunt" not in coach


def test_the_people_list_sorts_on_the_surname_without_its_prefix(world: World) -> None:
    roc = world.students["t1"].institution
    team = world.students["t1"].programme.team
    for first, last in [
        ("Emre", "Yilmaz"),
        ("Bas", "de Boer"),
        ("Anouk", "van der Berg"),
        ("Cor", "Aarts"),
        ("Dirk", "ter Horst"),
    ]:
        user = UserFactory(first_name=first, last_name=last)
        MembershipFactory(user=user, organisation=roc, role=Role.COACH, programme_team=team)
    text = client_for(world.users["admin"]).get("/beheer/mensen/?q=").content.decode()
    shown = [text.index(name) for name in ("Cor Aarts", "Anouk van der Berg", "Bas de Boer")]
    shown += [text.index("Dirk ter Horst"), text.index("Emre Yilmaz")]
    assert shown == sorted(shown)


def test_institution_import_errors_come_in_line_order(db) -> None:  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Opbouw", brin="25AB")
    admin = UserFactory(email="beheer@roc.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    text = (
        "locatie;gemeente;team;crebo;opleiding;niveau;leerweg;einddatum\n"
        "Hengelo;;ICT;25604;Software developer;4;bol;\n"  # line 2: new location, no municipality
        "Enschede;GM0153;Zorg;2549;Helpende;2;BOL;\n"  # line 3: a bad crebo
    )
    result = institution_import(actor=admin, institution=roc, data=text.encode())
    assert [e.split(":")[0] for e in result.errors] == ["Regel 2", "Regel 3"]


def test_invitation_row_errors_go_on_in_lower_case_after_the_line(world: World) -> None:
    roc = world.students["t1"].institution
    body = f"nieuw@example.nl;Nina;Nieuw;coach;{roc.name};;;;\n"
    result = invitation_import(
        actor=world.users["admin"],
        data=(INVITATIONS_HEADER + body).encode(),
        base_url="http://testserver/",
    )
    assert [str(e) for e in result.errors] == [
        "Regel 2: een studieloopbaanbegeleider hoort bij een opleidingsteam."
    ]


def test_ending_a_location_with_a_student_is_refused_in_neutral_words() -> None:
    with pytest.raises(ValidationError, match="of zet de student over"):
        _refuse_students(1, "De locatie Enschede", timezone.localdate())


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("admin", "Vraag een andere functioneel beheerder"),
        ("coach", "Vraag de functioneel beheerder van uw school"),
    ],
)
def test_a_lost_phone_points_an_administrator_past_themselves(
    world: World, settings, who: str, shown: str
) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True
    TOTPDevice.objects.create(user=world.users[who], name="app", confirmed=True)
    client = Client()
    client.post("/account/inloggen/", {"username": world.users[who].email, "password": PASSWORD})
    text = client.get("/account/tweestaps/controle/").content.decode()
    assert shown in text
    assert ("applicatiebeheerder" in text) == (who == "admin")
