"""Parents and carers: what a security review found (issue 17).

A parent never learns of a referral through "who helps your child" or an action's owner; a
consent the student gave under 18 for providers never opens a parent's page from 18 (only the
adult student's own "Betrek deze ouder" does); and an administrator links an account to a
guardian only for the e-mail address recorded for that guardian, never their own account.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from schakelpunt.access.policy import children_for_parent
from schakelpunt.accounts.models import GrantOutcome, RoleGrant
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from schakelpunt.students.models import Guardian
from schakelpunt.students.parent_services import guardian_account_link
from schakelpunt.students.services import guardian_set_consent
from schakelpunt.students.tests.test_parent import Family
from schakelpunt.support.models import PlanAction, SupportTeamMember

pytestmark = pytest.mark.django_db


def _outside_worker(family: Family) -> object:
    """A care worker of Veilig Thuis on the child's support team: the child is referred."""
    provider = OrganisationFactory(provider=True, name="Veilig Thuis Twente")
    worker = UserFactory(email="hulp@veiligthuis.example.nl", first_name="Vera", last_name="Hulp")
    MembershipFactory(user=worker, organisation=provider, role=Role.EXTERNAL_CARE_WORKER)
    SupportTeamMember.objects.create(
        student=family.student, user=worker, role_description="Hulpverlener Veilig Thuis"
    )
    return worker


def test_a_parent_sees_the_school_team_but_no_care_worker_of_a_referral(refdata):
    family = Family(14)
    worker = _outside_worker(family)
    mentor = UserFactory(email="mentor@school.example.nl", first_name="Mila")
    MembershipFactory(user=mentor, organisation=family.student.institution, role=Role.COACH)
    SupportTeamMember.objects.create(student=family.student, user=mentor, role_description="Mentor")
    status, page = family.page()
    assert status == 200
    assert "zorg@example.nl" in page  # the school's care coordinator
    assert "mentor@school.example.nl" in page  # school staff on the support team
    assert "hulp@veiligthuis.example.nl" not in page
    assert "Veilig Thuis" not in page
    assert str(worker) not in page


def test_an_action_of_an_outside_worker_names_no_one_to_the_parent(refdata):
    family = Family(14)
    worker = _outside_worker(family)
    plan_action = PlanAction.objects.get(description="Actie Wekker zetten")
    PlanAction.objects.create(
        plan=plan_action.plan,
        description="Actie Huisbezoek plannen",
        owner=worker,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    status, page = family.page()
    assert status == 200
    assert "Actie Huisbezoek plannen" in page
    assert "iemand van buiten school" in page
    assert "Vera" not in page and "Hulp" not in page.replace("hulp", "")
    assert "Veilig Thuis" not in page
    assert str(family.care) in page  # the school's own owner is still named


def _day_after_18th_birthday(family: Family) -> time_machine.travel:
    born = family.student.date_of_birth
    birthday = born.replace(year=born.year + 18)
    noon = timezone.make_aware(
        timezone.datetime.combine(birthday + timedelta(days=1), timezone.datetime.min.time())
    ) + timedelta(hours=12)
    return time_machine.travel(noon, tick=False)


def test_a_consent_for_providers_at_15_opens_nothing_for_the_parent_at_18(refdata):
    family = Family(15)
    # At 15 the student clicks "Delen met hulpverleners" (the parent's phone for providers).
    guardian_set_consent(actor=family.student_user, guardian_id=family.guardian.pk, consents=True)
    family.share("plan")
    with _day_after_18th_birthday(family):
        assert family.student.age_on(timezone.localdate()) == 18
        assert children_for_parent(family.parent) == []
        assert family.page()[0] == 404
        # The consent for providers still holds for what it meant.
        family.guardian.refresh_from_db()
        assert family.guardian.student_consents is True


def test_the_adult_student_involves_a_parent_on_the_sharing_screen(refdata):
    family = Family(17)
    family.share("plan")
    prefix = f"ouder{family.guardian.pk}"
    with _day_after_18th_birthday(family):
        own = family.client(family.student_user)
        assert family.page()[0] == 404
        screen = own.get("/ouder/delen/").content.decode()
        assert "Betrek deze ouder" in screen
        # Without choosing: a Dutch message, nothing changes.
        refused = own.post(
            f"/ouder/delen/{family.guardian.pk}/",
            {f"{prefix}-parts": ["plan"], f"{prefix}-version": ""},
        )
        assert refused.status_code == 400
        assert "Kies of je deze ouder erbij betrekt" in refused.content.decode()
        assert family.page()[0] == 404
        response = own.post(
            f"/ouder/delen/{family.guardian.pk}/",
            {f"{prefix}-involves": "ja", f"{prefix}-parts": ["plan"], f"{prefix}-version": ""},
        )
        assert response.status_code == 302
        status, page = family.page()
        assert status == 200
        assert "Doel Rooster halen" in page and "zorg@example.nl" not in page
        family.guardian.refresh_from_db()
        assert family.guardian.student_consents is False  # the other consent is untouched
        # Taking it back holds at once.
        version = family.guardian.sharing_changed_at.isoformat()
        own.post(
            f"/ouder/delen/{family.guardian.pk}/",
            {
                f"{prefix}-involves": "nee",
                f"{prefix}-parts": ["plan"],
                f"{prefix}-version": version,
            },
        )
        assert family.page()[0] == 404


def test_under_18_the_student_cannot_set_the_adult_involvement(refdata):
    family = Family(17)
    prefix = f"ouder{family.guardian.pk}"
    own = family.client(family.student_user)
    assert "Betrek deze ouder" not in own.get("/ouder/delen/").content.decode()
    own.post(
        f"/ouder/delen/{family.guardian.pk}/",
        {f"{prefix}-involves": "ja", f"{prefix}-parts": ["plan"], f"{prefix}-version": ""},
    )
    family.guardian.refresh_from_db()
    assert family.guardian.shared_parts == ["plan"]
    assert family.guardian.adult_involves_parent is False
    with _day_after_18th_birthday(family):
        assert family.page()[0] == 404


def _admin(family: Family, email: str = "beheer@example.nl") -> object:
    admin = UserFactory(email=email)
    MembershipFactory(
        user=admin, organisation=family.student.institution, role=Role.FUNCTIONAL_ADMIN
    )
    return admin


def test_an_admin_never_links_their_own_account_to_a_guardian(refdata):
    family = Family(14)
    admin = _admin(family)
    MembershipFactory(user=admin, organisation=family.student.institution, role=Role.PARENT)
    grandad = Guardian.objects.create(
        student=family.student, name="Opa", relation="other", email="beheer@example.nl"
    )
    with pytest.raises(ValidationError, match="eigen account"):
        guardian_account_link(actor=admin, guardian=grandad, user=admin)
    grandad.refresh_from_db()
    assert grandad.user_id is None
    assert children_for_parent(admin) == []


def test_an_account_is_linked_only_to_the_guardians_recorded_email(refdata):
    family = Family(14)
    admin = _admin(family)
    Guardian.objects.filter(pk=family.guardian.pk).update(user=None, email="")
    family.guardian.refresh_from_db()
    with pytest.raises(ValidationError, match="Schrijf eerst het e-mailadres"):
        guardian_account_link(actor=admin, guardian=family.guardian, user=family.parent)
    Guardian.objects.filter(pk=family.guardian.pk).update(email="iemand.anders@example.nl")
    with pytest.raises(ValidationError, match="hoort niet bij"):
        guardian_account_link(actor=admin, guardian=family.guardian, user=family.parent)
    family.guardian.refresh_from_db()
    assert family.guardian.user_id is None
    assert family.page()[0] == 404
    assert not RoleGrant.objects.filter(grantee=family.parent).exists()
    # The recorded address, written differently: linked, and recorded as a role grant.
    Guardian.objects.filter(pk=family.guardian.pk).update(email="Ouder@Example.NL")
    guardian_account_link(actor=admin, guardian=family.guardian, user=family.parent)
    assert family.page()[0] == 200
    grant = RoleGrant.objects.get(grantee=family.parent)
    assert grant.role == Role.PARENT and grant.outcome == GrantOutcome.GRANTED
    assert grant.organisation_id == family.student.institution_id
    assert family.student.student_number in grant.scope_display
    for name in (family.student.first_name, family.student.last_name, family.guardian.name):
        assert name not in grant.scope_display and name not in grant.reason
