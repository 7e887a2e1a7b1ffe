"""Parents and carers (issue 17, part 4): what a parent sees of their child, by age.

Under 16 a parent sees the plan's goals and actions, the planned conversations and the team;
from 16 only what the student shares (the student decides, and it holds at once); from the
18th birthday nothing unless the student involves them. Never concerns, notes, absence or
referrals; never a staff page. Every read is in the access log the student sees.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from schakelpunt.access.policy import children_for_parent
from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.signals.triage import concern_raise
from schakelpunt.students.models import Guardian, Student
from schakelpunt.students.parent_services import (
    guardian_account_link,
    guardians_open_for_account,
)
from schakelpunt.students.services import guardian_add
from schakelpunt.students.tests.factories import StudentFactory, born_years_ago
from schakelpunt.support.models import ContactKind, PlanAction, PlanGoal, SupportPlan
from schakelpunt.support.student_services import contact_add
from schakelpunt.support.tests.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db


class Family:
    """A student with a plan, a future appointment, a concern and a note; a care
    coordinator; and a parent with an account linked to the student's guardian record."""

    def __init__(self, age: int) -> None:
        self.student: Student = StudentFactory(date_of_birth=born_years_ago(age))
        school = self.student.institution
        self.care: User = UserFactory(email="zorg@example.nl", first_name="Zora")
        MembershipFactory(
            user=self.care,
            organisation=school,
            role=Role.CARE_COORDINATOR,
        )
        trajectory = TrajectoryFactory(student=self.student, active=True, coordinator=self.care)
        plan = SupportPlan.objects.create(trajectory=trajectory, version=1, wishes="Wens Geheim")
        PlanGoal.objects.create(plan=plan, life_domain="home", text="Doel Rooster halen")
        PlanAction.objects.create(
            plan=plan,
            description="Actie Wekker zetten",
            owner=self.care,
            due_on=timezone.localdate() + timedelta(days=7),
        )
        contact_add(
            actor=self.care,
            student=self.student,
            kind=ContactKind.CONVERSATION,
            happened_on=timezone.localdate() + timedelta(days=3),
            summary="Gesprek Vertrouwelijk",
        )
        concern_raise(actor=self.care, student=self.student, text="Zorg Thuissituatie")
        self.guardian: Guardian = guardian_add(
            actor=self.care, student=self.student, name="Petra Ouder", relation="parent"
        )
        self.parent: User = UserFactory(email="ouder@example.nl", first_name="Petra")
        MembershipFactory(user=self.parent, organisation=school, role=Role.PARENT)
        Guardian.objects.filter(pk=self.guardian.pk).update(user=self.parent)
        self.guardian.refresh_from_db()
        self.student_user: User = UserFactory(email="kind@example.nl")
        Student.objects.filter(pk=self.student.pk).update(user=self.student_user)
        MembershipFactory(user=self.student_user, organisation=school, role=Role.STUDENT)
        self.student.refresh_from_db()

    def client(self, user: User | None = None) -> Client:
        client = Client()
        client.force_login(user or self.parent)
        return client

    def page(self) -> tuple[int, str]:
        response = self.client().get(f"/ouder/kind/{self.student.pk}/")
        return response.status_code, response.content.decode()

    def share(self, *parts: str) -> None:
        Guardian.objects.filter(pk=self.guardian.pk).update(shared_parts=list(parts))


NEVER = ["Gesprek Vertrouwelijk", "Zorg Thuissituatie", "Wens Geheim"]


def test_a_parent_of_a_child_under_16_sees_plan_appointments_and_team():
    family = Family(15)
    status, page = family.page()
    assert status == 200
    assert "Doel Rooster halen" in page and "Actie Wekker zetten" in page
    assert "Geplande gesprekken" in page and "gesprek" in page.lower()
    assert "zorg@example.nl" in page  # the team's contact details
    for secret in NEVER:
        assert secret not in page
    home = family.client().get("/ouder/").content.decode()
    assert family.student.display_name in home


@pytest.mark.parametrize("age", [16, 17])
def test_from_16_a_parent_sees_only_what_the_student_shared(age):
    family = Family(age)
    status, _page = family.page()
    assert status == 404  # nothing shared: no page
    assert family.student.display_name not in family.client().get("/ouder/").content.decode()
    family.share("team")
    status, page = family.page()
    assert status == 200
    assert "zorg@example.nl" in page
    assert "Doel Rooster halen" not in page and "Geplande gesprekken" not in page
    for secret in NEVER:
        assert secret not in page


def test_the_students_change_of_sharing_holds_at_once():
    family = Family(17)
    own = family.client(family.student_user)
    page = own.get("/ouder/delen/").content.decode()
    assert "Jij kiest wat je ouders of verzorgers zien" in page
    prefix = f"ouder{family.guardian.pk}"
    response = own.post(
        f"/ouder/delen/{family.guardian.pk}/",
        {f"{prefix}-parts": ["plan", "team"], f"{prefix}-version": ""},
    )
    assert response.status_code == 302
    family.guardian.refresh_from_db()
    assert family.guardian.shared_parts == ["plan", "team"]
    assert family.guardian.sharing_changed_at is not None
    status, page = family.page()
    assert status == 200 and "Doel Rooster halen" in page
    # A second tab with the old form: refused in Dutch, nothing changes.
    stale = own.post(
        f"/ouder/delen/{family.guardian.pk}/",
        {f"{prefix}-parts": [], f"{prefix}-version": ""},
    )
    assert stale.status_code == 400
    assert "Je hebt dit intussen ergens anders veranderd" in stale.content.decode()
    family.guardian.refresh_from_db()
    assert family.guardian.shared_parts == ["plan", "team"]
    # Taking it back with the current form: the parent sees nothing any more.
    version = family.guardian.sharing_changed_at.isoformat()
    own.post(
        f"/ouder/delen/{family.guardian.pk}/",
        {f"{prefix}-version": version},
    )
    status, _page = family.page()
    assert status == 404


def test_under_16_the_sharing_screen_explains_and_offers_no_choice():
    family = Family(15)
    own = family.client(family.student_user)
    page = own.get("/ouder/delen/").content.decode()
    assert "Je bent jonger dan 16" in page
    assert 'name="ouder' not in page
    prefix = f"ouder{family.guardian.pk}"
    refused = own.post(f"/ouder/delen/{family.guardian.pk}/", {f"{prefix}-version": ""})
    assert refused.status_code == 404


def test_only_the_student_changes_what_is_shared():
    family = Family(17)
    prefix = f"ouder{family.guardian.pk}"
    for someone in (family.parent, family.care):
        response = family.client(someone).post(
            f"/ouder/delen/{family.guardian.pk}/",
            {f"{prefix}-parts": ["plan"], f"{prefix}-version": ""},
        )
        assert response.status_code == 404
    family.guardian.refresh_from_db()
    assert family.guardian.shared_parts == []


def test_access_ends_on_the_18th_birthday_unless_the_student_involves_them():
    family = Family(17)
    family.share("plan")
    born = family.student.date_of_birth
    birthday = born.replace(year=born.year + 18)
    with time_machine.travel(birthday - timedelta(days=1), tick=False):
        status, page = family.page()
        assert status == 200 and "Doel Rooster halen" in page
    with time_machine.travel(birthday, tick=False):
        status, _page = family.page()
        assert status == 404
        home = family.client().get("/ouder/").content.decode()
        assert "U kunt nu niets zien over een kind." in home
        # The student involves them: then again what the student shares.
        Guardian.objects.filter(pk=family.guardian.pk).update(adult_involves_parent=True)
        status, page = family.page()
        assert status == 200 and "Doel Rooster halen" in page


def test_a_parent_read_is_in_the_students_own_access_log():
    family = Family(15)
    family.page()
    log = family.client(family.student_user).get(f"/studenten/{family.student.pk}/inzage/")
    text = log.content.decode()
    assert "ouder@example.nl" in text
    assert "Ouder of verzorger" in text


def test_a_parent_opens_no_staff_page_api_or_export():
    family = Family(15)
    client = family.client()
    pk = family.student.pk
    for url in (
        f"/studenten/{pk}/",
        f"/studenten/{pk}/plan.pdf",
        f"/studenten/{pk}/inzage/",
        f"/api/v1/students/{pk}",
        "/studenten/export.csv",
    ):
        assert client.get(url).status_code in (403, 404), url
    listing = client.get("/api/v1/students")
    assert (
        listing.status_code in (403, 404)
        or family.student.last_name not in listing.content.decode()
    )
    assert family.student.last_name not in client.get("/studenten/").content.decode()


def test_a_parent_needs_the_role_in_the_students_institution():
    family = Family(15)
    family.parent.memberships.all().delete()
    assert children_for_parent(family.parent) == []
    assert family.page()[0] == 404


def test_the_functional_admin_links_an_account_only_for_a_student_under_18():
    family = Family(17)
    Guardian.objects.filter(pk=family.guardian.pk).update(user=None, email="ouder@example.nl")
    family.guardian.refresh_from_db()
    admin = UserFactory(email="beheer@example.nl")
    school = family.student.institution
    MembershipFactory(user=admin, organisation=school, role=Role.FUNCTIONAL_ADMIN)
    found = guardians_open_for_account(
        actor=admin, institution=school, student_number=family.student.student_number
    )
    assert found == [family.guardian]
    linked = guardian_account_link(actor=admin, guardian=family.guardian, user=family.parent)
    assert linked.user == family.parent
    other_parent = UserFactory(email="andere-ouder@example.nl")
    MembershipFactory(user=other_parent, organisation=school, role=Role.PARENT)
    with pytest.raises(ValidationError, match="heeft al een ander account"):
        guardian_account_link(actor=admin, guardian=family.guardian, user=other_parent)
    with pytest.raises(PermissionDenied):
        guardian_account_link(actor=family.care, guardian=family.guardian, user=family.parent)

    grown = StudentFactory(programme=family.student.programme, date_of_birth=born_years_ago(18))
    grown_guardian = Guardian.objects.create(
        student=grown, name="Ouder Volwassen", relation="parent", email="ouder@example.nl"
    )
    with pytest.raises(ValidationError, match="is 18 of ouder"):
        guardians_open_for_account(
            actor=admin, institution=school, student_number=grown.student_number
        )
    with pytest.raises(ValidationError, match="is 18 of ouder"):
        guardian_account_link(actor=admin, guardian=grown_guardian, user=family.parent)
    with pytest.raises(ValidationError, match="geen student met studentnummer"):
        guardians_open_for_account(actor=admin, institution=school, student_number="0000")


def test_the_demo_parent_sees_what_the_demo_student_shares():
    from schakelpunt.demo.builder import DEMO_PASSWORD, build_demo_region

    build_demo_region(students=60, seed=1)
    client = Client()
    client.post(
        "/account/inloggen/",
        {"username": "ouder@demo.schakelpunt.nl", "password": DEMO_PASSWORD},
    )
    own = Student.objects.get(user__email="student@demo.schakelpunt.nl")
    home = client.get("/ouder/").content.decode()
    assert own.display_name in home
    page = client.get(f"/ouder/kind/{own.pk}/").content.decode()
    assert "Wie helpt uw kind" in page and "Het plan" in page
    student = Client()
    student.post(
        "/account/inloggen/",
        {"username": "student@demo.schakelpunt.nl", "password": DEMO_PASSWORD},
    )
    sharing = student.get("/ouder/delen/").content.decode()
    assert "Jij kiest wat je ouders of verzorgers zien" in sharing
    assert "checked" in sharing


def test_a_parent_like_the_student_is_not_forced_to_a_second_factor():
    """docs/decisions/0023: a parent sees one child's plan; staff roles still need one."""
    from schakelpunt.access.policy import must_use_second_factor

    family = Family(15)
    assert not must_use_second_factor(family.parent)
    assert must_use_second_factor(family.care)
