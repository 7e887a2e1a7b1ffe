"""The invitation screen shows every mistake at once, with a summary at the top, and chooses
the organisation when there is only one (issue 17 review)."""

import re

import pytest
from tests.world import World, client_for

from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeTeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INVITE = "/beheer/gebruikers/nieuw/"


def test_organisation_and_team_missing_are_both_shown_in_one_summary(world: World) -> None:
    admin = client_for(world.users["admin"])
    response = admin.post(
        INVITE,
        {
            "email": "nieuw@example.nl",
            "first_name": "Nina",
            "last_name": "Nieuw",
            "role": Role.COACH,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    summary = re.search(r'<div class="form-errors error-summary" role="alert".*?</div>', body, re.S)
    assert summary is not None
    assert 'href="#id_organisation"' in summary.group(0)
    assert 'href="#id_programme_team"' in summary.group(0)
    assert "Een studieloopbaanbegeleider hoort bij een opleidingsteam." in summary.group(0)
    assert not User.objects.filter(email="nieuw@example.nl").exists()


def test_the_only_organisation_is_chosen_already(db) -> None:  # type: ignore[no-untyped-def]
    school = OrganisationFactory(name="ROC Alleen")
    team = ProgrammeTeamFactory(location__institution=school)
    admin = UserFactory(email="beheer@alleen.nl")
    MembershipFactory(user=admin, organisation=school, role=Role.FUNCTIONAL_ADMIN)
    page = client_for(admin).get(INVITE).content.decode()
    select = re.search(r'<select name="organisation".*?</select>', page, re.S)
    assert select is not None
    assert re.search(rf'<option value="{school.pk}" selected>ROC Alleen</option>', select.group(0))
    assert "---------" not in select.group(0)
    # Filling in only the rest is enough.
    response = client_for(admin).post(
        INVITE,
        {
            "email": "coach@alleen.nl",
            "first_name": "Co",
            "last_name": "Ach",
            "organisation": school.pk,
            "role": Role.COACH,
            "programme_team": team.pk,
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="coach@alleen.nl").exists()


def test_the_bulk_invitation_screen_links_the_example_and_lists_the_role_values(
    world: World,
) -> None:
    admin = client_for(world.users["admin"])
    page = admin.get("/beheer/mensen/importeren/").content.decode()
    link = re.search(r'<a href="([^"]+)" download>uitnodigingen\.csv</a>', page)
    assert link is not None
    example = admin.get(link.group(1))
    assert example.status_code == 200
    assert b"email" in example.content
    assert f"<code>{Role.COACH.value}</code>" in page
    assert str(Role.COACH.label) in page
    assert f"<code>{Role.PARENT.value}</code>" in page
    assert "De kolom ouder hoort alleen bij de rol Ouder of verzorger" in page
