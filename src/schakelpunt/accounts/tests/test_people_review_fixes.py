"""Review of issue 17 (people, students and parents): a student account only ever gets the
address recorded for the student; an ended role ends what it opened; ending is recorded and
bounded on every screen; nothing about another school leaks to an administrator."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.institution import (
    location_end,
    programme_end,
    team_end,
    team_member_end,
)
from schakelpunt.accounts.invitation_importer import invitation_import
from schakelpunt.accounts.models import (
    GrantOutcome,
    Membership,
    Organisation,
    Programme,
    ProgrammeTeam,
    RoleGrant,
    User,
)
from schakelpunt.accounts.people import membership_end, person_version
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.services import parent_invite, user_invite
from schakelpunt.accounts.tests.factories import LocationFactory, MembershipFactory, UserFactory
from schakelpunt.students.models import Guardian, Student
from schakelpunt.students.tests.factories import born_years_ago

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"


def _roc(world: World) -> Organisation:
    return Organisation.objects.get(name="ROC Een")


def _invite_student(world: World, email: str, student: Student) -> User:
    return user_invite(
        actor=world.users["admin"],
        email=email,
        first_name="B",
        last_name="Ram",
        organisation=_roc(world),
        role=Role.STUDENT,
        student_number=student.student_number,
        base_url=BASE,
    )


# --- a student account only for the student's own recorded address ------------------------


def test_an_admin_cannot_link_a_student_record_to_an_address_they_control(world: World) -> None:
    bram = world.students["t2"]
    Student.objects.filter(pk=bram.pk).update(email="bram@student.example.nl")
    bram.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _invite_student(world, "beheerder.prive@example.org", bram)
    message = " ".join(refused.value.messages)
    assert "alleen gekoppeld aan het e-mailadres uit de studentimport" in message
    assert "bram@student.example.nl" not in message  # the file's address is not shown
    bram.refresh_from_db()
    assert bram.user_id is None
    assert not User.objects.filter(email="beheerder.prive@example.org").exists()


def test_a_student_without_a_recorded_address_cannot_be_invited_yet(world: World) -> None:
    bram = world.students["t2"]
    Student.objects.filter(pk=bram.pk).update(email="")
    bram.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _invite_student(world, "bram@student.example.nl", bram)
    assert "Vul eerst het e-mailadres van de student in via de studentimport." in " ".join(
        refused.value.messages
    )
    assert Student.objects.get(pk=bram.pk).user_id is None


def test_the_recorded_address_links_whatever_its_case(world: World) -> None:
    bram = world.students["t2"]
    Student.objects.filter(pk=bram.pk).update(email=" Bram@Student.Example.nl ")
    bram.refresh_from_db()
    user = _invite_student(world, "bram@student.example.nl", bram)
    assert Student.objects.get(pk=bram.pk).user == user


def test_the_invitations_file_refuses_another_address_for_a_student(world: World) -> None:
    bram = world.students["t2"]
    Student.objects.filter(pk=bram.pk).update(email="bram@student.example.nl")
    data = (
        "email;voornaam;achternaam;rol;organisatie;studentnummer\n"
        f"beheerder.prive@example.org;B;Ram;Student;ROC Een;{bram.student_number}\n"
    ).encode()
    result = invitation_import(actor=world.users["admin"], data=data, base_url=BASE)
    assert [str(e) for e in result.errors] == [
        f"Regel 2: beheerder.prive@example.org is niet het e-mailadres dat bij de student met "
        f"studentnummer {bram.student_number} staat. Een studentaccount wordt alleen gekoppeld "
        f"aan het e-mailadres uit de studentimport."
    ]
    assert not User.objects.filter(email="beheerder.prive@example.org").exists()
    assert Student.objects.get(pk=bram.pk).user_id is None


def test_an_address_with_a_record_elsewhere_is_refused_without_naming_it(world: World) -> None:
    other = world.students["other"]  # ROC Twee
    person = UserFactory(email="bram@student.example.nl")
    Student.objects.filter(pk=other.pk).update(user=person)
    bram = world.students["t2"]
    Student.objects.filter(pk=bram.pk).update(email="bram@student.example.nl")
    bram.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _invite_student(world, "bram@student.example.nl", bram)
    message = " ".join(refused.value.messages)
    assert "kan niet aan dit studentdossier worden gekoppeld" in message
    assert "ander studentdossier" not in message


# --- an ended Student role ends the own file ----------------------------------------------


def test_an_ended_student_role_no_longer_opens_the_own_file(world: World) -> None:
    student_user = world.users["student"]
    anna = world.students["t1"]
    assert client_for(student_user).get(f"/studenten/{anna.pk}/").status_code == 200
    role = Membership.objects.get(user=student_user, role=Role.STUDENT)
    membership_end(
        actor=world.users["admin"],
        user_id=student_user.pk,
        membership_id=role.pk,
        last_day=timezone.localdate() - timedelta(days=1),
        expected_version=person_version(student_user.pk),
    )
    client = client_for(User.objects.get(pk=student_user.pk))
    assert client.get(f"/studenten/{anna.pk}/").status_code == 404
    assert client.get("/").status_code == 200


# --- ending a team membership: recorded, bounded, never one's own -------------------------


def test_ending_a_team_membership_is_recorded_and_not_backdated(world: World) -> None:
    admin = world.users["admin"]
    coach = Membership.objects.get(user=world.users["coach"], role=Role.COACH)
    with pytest.raises(ValidationError):
        team_member_end(actor=admin, membership=coach, last_day=date(2001, 1, 1))
    coach.refresh_from_db()
    assert coach.valid_until is None
    yesterday = timezone.localdate() - timedelta(days=1)
    team_member_end(actor=admin, membership=coach, last_day=yesterday)
    coach.refresh_from_db()
    assert coach.valid_until == yesterday
    assert RoleGrant.objects.filter(
        grantee=world.users["coach"], role=Role.COACH, outcome=GrantOutcome.ENDED, actor=admin
    ).exists()


def test_an_admin_cannot_end_their_own_team_membership(world: World) -> None:
    admin = world.users["admin"]
    own = MembershipFactory(
        user=admin,
        organisation=_roc(world),
        role=Role.COACH,
        programme_team=ProgrammeTeam.objects.get(name="T1"),
    )
    with pytest.raises(ValidationError):
        team_member_end(actor=admin, membership=own, last_day=timezone.localdate())
    own.refresh_from_db()
    assert own.valid_until is None


# --- ending twice never moves the end date ------------------------------------------------


def test_ending_a_programme_team_or_location_twice_is_refused(world: World) -> None:
    admin = world.users["admin"]
    location = LocationFactory(institution=_roc(world), name="Leeg")
    team = ProgrammeTeam.objects.create(location=location, name="Leeg team")
    programme = Programme.objects.create(
        team=team, crebo="29999", name="Leeg", level=2, pathway="BOL"
    )
    later = timezone.localdate() + timedelta(days=200)
    sooner = timezone.localdate() + timedelta(days=10)
    programme_end(actor=admin, programme=programme, ended_on=later)
    with pytest.raises(ValidationError, match="is al beëindigd per"):
        programme_end(actor=admin, programme=programme, ended_on=sooner)
    team_end(actor=admin, team=team, ended_on=later)
    with pytest.raises(ValidationError, match="is al beëindigd per"):
        team_end(actor=admin, team=team, ended_on=sooner)
    location_end(actor=admin, location=location, ended_on=later)
    with pytest.raises(ValidationError, match="is al beëindigd per"):
        location_end(actor=admin, location=location, ended_on=sooner)
    for part in (programme, team, location):
        part.refresh_from_db()
        assert part.ended_on == later


# --- the person page and re-invitations ----------------------------------------------------


def test_the_person_page_shows_no_student_record_of_another_school(world: World) -> None:
    other = world.students["other"]  # ROC Twee
    person = UserFactory(email="bbl@example.nl")
    MembershipFactory(user=person, organisation=_roc(world), role=Role.SCHAKELFUNCTIONARIS)
    MembershipFactory(user=person, organisation=other.institution, role=Role.STUDENT)
    Student.objects.filter(pk=other.pk).update(user=person)
    page = client_for(world.users["admin"]).get(f"/beheer/mensen/{person.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert other.student_number not in text
    assert "ROC Twee" not in text


def test_inviting_again_a_role_due_to_end_lets_it_run_on(world: World) -> None:
    coach = world.users["coach2"]
    role = Membership.objects.get(user=coach, role=Role.COACH)
    ending = timezone.localdate() + timedelta(days=30)
    Membership.objects.filter(pk=role.pk).update(valid_until=ending)
    user_invite(
        actor=world.users["admin"],
        email=coach.email,
        first_name="",
        last_name="",
        organisation=_roc(world),
        role=Role.COACH,
        programme_team=role.programme_team,
        base_url=BASE,
    )
    role.refresh_from_db()
    assert role.valid_until is None
    grant = RoleGrant.objects.filter(grantee=coach, outcome=GrantOutcome.GRANTED).latest("pk")
    assert "vervalt" in grant.reason


# --- the operator's parent invitation: the same rules and record as the screen -------------


def _minor_with_guardian(world: World) -> tuple[Student, Guardian]:
    bram = world.students["t2"]
    Student.objects.filter(pk=bram.pk).update(date_of_birth=born_years_ago(14))
    bram.refresh_from_db()
    guardian = Guardian.objects.create(
        student=bram, name="Petra Ouder", relation="parent", email="petra@example.nl"
    )
    return bram, guardian


def test_the_operator_parent_invitation_is_recorded_like_the_screens(world: World) -> None:
    bram, guardian = _minor_with_guardian(world)
    user = parent_invite(
        actor=None,
        institution=_roc(world),
        student_number=bram.student_number,
        guardian_id=guardian.pk,
        base_url=BASE,
    )
    guardian.refresh_from_db()
    assert guardian.user == user
    link = RoleGrant.objects.get(grantee=user, scope_display__contains=bram.student_number)
    assert link.actor is None
    assert link.actor_display == "beheerder van de installatie (opdrachtregel)"


def test_the_operator_cannot_give_a_guardian_a_second_account(world: World) -> None:
    bram, guardian = _minor_with_guardian(world)
    Guardian.objects.filter(pk=guardian.pk).update(user=UserFactory(email="eerder@example.nl"))
    with pytest.raises(ValidationError, match="heeft al een ander account"):
        parent_invite(
            actor=None,
            institution=_roc(world),
            student_number=bram.student_number,
            guardian_id=guardian.pk,
            base_url=BASE,
        )
    assert not User.objects.filter(email="petra@example.nl").exists()
