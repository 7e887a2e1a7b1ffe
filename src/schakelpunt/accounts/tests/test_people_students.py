"""A student's account belongs to their student record: chosen by student number when the
student is invited; a student without a linked record gets an explanation, not an error."""

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.models import Membership, Organisation, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

INVITE = "/beheer/gebruikers/nieuw/"


def unlinked_student(world: World) -> User:
    user = UserFactory(email="zonder.dossier@example.nl", first_name="Zoë")
    MembershipFactory(
        user=user, organisation=Organisation.objects.get(name="ROC Een"), role=Role.STUDENT
    )
    return user


@pytest.mark.parametrize("path", ["/", "/studenten/mijn-dossier/"])
def test_a_student_without_a_linked_record_gets_an_explanation(world: World, path: str) -> None:
    client = client_for(unlinked_student(world))
    client.raise_request_exception = True
    response = client.get(path)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Je account is nog niet gekoppeld" in text
    assert "admin@example.nl" in text  # whom to ask: the school's functional administrator
    assert "ROC Een" in text


def test_someone_without_the_student_role_still_gets_404_for_an_own_file(world: World) -> None:
    assert client_for(world.users["coach"]).get("/studenten/mijn-dossier/").status_code == 404


def student_invite(world: World, **changes: object) -> dict[str, object]:
    roc = Organisation.objects.get(name="ROC Een")
    return {
        "email": "Nieuwe.Student@Example.nl",
        "first_name": "Noor",
        "last_name": "Nieuw",
        "organisation": roc.pk,
        "role": Role.STUDENT,
        "student_number": "",
    } | changes


def test_inviting_a_student_links_the_account_to_the_record(
    world: World, django_capture_on_commit_callbacks
) -> None:
    record = StudentFactory(
        programme=world.students["t1"].programme,
        student_number="S1234",
        email="nieuwe.student@example.nl",  # the address recorded by the student import
    )
    admin = client_for(world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(INVITE, student_invite(world, student_number=" S1234 "))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.user is not None
    assert record.user.email == "nieuwe.student@example.nl"
    # The link is a change of the student's file: in the log the student sees.
    assert AccessLogEntry.objects.filter(
        student_id=record.pk, user=world.users["admin"], action="change"
    ).exists()
    link = re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/)", mail.outbox[0].body)
    assert link is not None
    student = Client()
    form = student.get(link.group(1), follow=True)
    password = "mijn-eigen-wachtwoord-2026"
    student.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    student.post(
        "/account/inloggen/", {"username": "nieuwe.student@example.nl", "password": password}
    )
    own = student.get("/studenten/mijn-dossier/", follow=True)
    assert own.status_code == 200
    assert own.redirect_chain[-1][0] == f"/studenten/{record.pk}/"
    assert student.get("/").status_code == 200


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Kies bij de rol Student het studentdossier"),
        ("BESTAATNIET", "staat geen student met studentnummer BESTAATNIET"),
        ("OTHER", "staat geen student met studentnummer OTHER"),  # another institution's
        ("ANNA", "heeft al een account"),  # Anna (t1) has her own account
    ],
)
def test_a_student_invitation_without_a_fitting_record_is_refused(
    world: World, number: str, message: str
) -> None:
    world.students["other"].student_number = "OTHER"
    world.students["other"].save()
    world.students["t1"].student_number = "ANNA"
    world.students["t1"].save()
    users_before = User.objects.count()
    response = client_for(world.users["admin"]).post(
        INVITE, student_invite(world, student_number=number)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == users_before
    assert not Membership.objects.filter(user__email="nieuwe.student@example.nl").exists()
    assert mail.outbox == []
    world.students["other"].refresh_from_db()
    assert world.students["other"].user is None


def test_a_student_number_only_goes_with_the_student_role(world: World) -> None:
    response = client_for(world.users["admin"]).post(
        INVITE,
        student_invite(
            world, role=Role.GOVERNANCE, student_number=world.students["t2"].student_number
        ),
    )
    assert "hoort alleen bij de rol Student" in response.content.decode()


def test_the_invite_command_links_a_student(world: World) -> None:
    record = world.students["t2"]
    Student.objects.filter(pk=record.pk).update(email="bram@example.nl")
    call_command(
        "invite",
        "bram@example.nl",
        role="student",
        organisation="ROC Een",
        student_number=record.student_number,
    )
    record.refresh_from_db()
    assert record.user is not None and record.user.email == "bram@example.nl"
    with pytest.raises(CommandError, match="Kies bij de rol Student het studentdossier"):
        call_command("invite", "x@example.nl", role="student", organisation="ROC Een")
    with pytest.raises(CommandError, match="heeft al een account"):
        call_command(
            "invite",
            "y@example.nl",
            role="student",
            organisation="ROC Een",
            student_number=record.student_number,
        )
