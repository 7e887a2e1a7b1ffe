import pytest
from django.core.exceptions import ValidationError

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.services import membership_create

from .factories import OrganisationFactory, ProgrammeTeamFactory, UserFactory


def test_role_must_fit_the_kind_of_organisation(db):
    with pytest.raises(ValidationError, match="past niet bij"):
        membership_create(
            user=UserFactory(), organisation=OrganisationFactory(provider=True), role=Role.COACH
        )


def test_coach_needs_a_team_of_the_same_institution(db):
    roc = OrganisationFactory()
    with pytest.raises(ValidationError, match="opleidingsteam"):
        membership_create(user=UserFactory(), organisation=roc, role=Role.COACH)
    foreign_team = ProgrammeTeamFactory()
    with pytest.raises(ValidationError, match="hoort niet bij de organisatie"):
        membership_create(
            user=UserFactory(), organisation=roc, role=Role.COACH, programme_team=foreign_team
        )


def test_same_membership_twice_is_one_membership(db):
    team = ProgrammeTeamFactory()
    user = UserFactory()
    first = membership_create(
        user=user, organisation=team.location.institution, role=Role.COACH, programme_team=team
    )
    second = membership_create(
        user=user, organisation=team.location.institution, role=Role.COACH, programme_team=team
    )
    assert first.pk == second.pk
