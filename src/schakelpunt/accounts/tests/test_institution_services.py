"""Building an institution by hand: what the functional administrator may do, and what is
refused (with a Dutch message) so that no student ends up in an ended part."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schakelpunt.access.policy import students_for_user
from schakelpunt.accounts.forms import UserInviteForm
from schakelpunt.accounts.institution import (
    location_create,
    location_end,
    location_rename,
    programme_create,
    programme_end,
    programme_rename,
    team_create,
    team_end,
    team_member_add,
    team_member_end,
    team_rename,
)
from schakelpunt.accounts.models import Membership, RoleGrant
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    municipality,
)
from schakelpunt.students.tests.factories import StudentFactory


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Opbouw")
    admin = UserFactory(email="beheer@roc.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    location = location_create(
        actor=admin, institution=roc, name="Enschede", municipality=municipality("GM0153")
    )
    team = team_create(actor=admin, location=location, name="Zorg")
    programme = programme_create(
        actor=admin, team=team, crebo="25498", name="Helpende", level=2, pathway="BOL"
    )
    return roc, admin, location, team, programme


def refused(message: str):  # type: ignore[no-untyped-def]
    return pytest.raises(ValidationError, match=message)


def test_the_admin_builds_locations_teams_and_programmes(school):
    roc, _admin, location, team, programme = school
    assert (location.institution, team.location, programme.team) == (roc, location, team)
    assert str(programme) == "Helpende (Niveau 2, BOL)"


def test_names_and_keys_are_unique_and_checked(school):
    roc, admin, location, team, _programme = school
    with refused("Er is al een locatie 'enschede' bij deze instelling."):
        location_create(
            actor=admin, institution=roc, name="enschede", municipality=municipality("GM0153")
        )
    with refused("Er is al een team 'zorg' op locatie Enschede."):
        team_create(actor=admin, location=location, name="zorg")
    with refused("Op locatie Enschede is er al een opleiding met crebo 25498 \\(BOL\\)."):
        other_team = team_create(actor=admin, location=location, name="Anders")
        programme_create(
            actor=admin, team=other_team, crebo="25498", name="Dubbel", level=2, pathway="BOL"
        )
    with refused("Crebo '2549' moet uit vijf cijfers bestaan."):
        programme_create(actor=admin, team=team, crebo="2549", name="X", level=2, pathway="BOL")
    with refused("Leerweg moet BOL of BBL zijn."):
        programme_create(actor=admin, team=team, crebo="25400", name="X", level=2, pathway="X")
    with refused("Vul een naam in."):
        team_rename(actor=admin, team=team, name="  ", expected_name="Zorg")


def test_a_rename_from_a_stale_form_does_not_overwrite(school):
    _roc, admin, location, team, programme = school
    location_rename(
        actor=admin, location=location, name="Enschede Centrum", expected_name="Enschede"
    )
    with refused("Iemand anders heeft de naam intussen gewijzigd in 'Enschede Centrum'"):
        location_rename(
            actor=admin, location=location, name="Enschede Zuid", expected_name="Enschede"
        )
    location.refresh_from_db()
    assert location.name == "Enschede Centrum"
    team_rename(actor=admin, team=team, name="Zorg en Welzijn", expected_name="Zorg")
    with refused("Iemand anders heeft de naam intussen gewijzigd"):
        team_rename(actor=admin, team=team, name="Welzijn", expected_name="Zorg")
    programme_rename(
        actor=admin, programme=programme, name="Helpende Z&W", expected_name="Helpende"
    )
    with refused("Iemand anders heeft de naam intussen gewijzigd"):
        programme_rename(actor=admin, programme=programme, name="Nee", expected_name="Helpende")
    programme.refresh_from_db()
    assert programme.name == "Helpende Z&W"


def test_ending_with_enrolled_students_is_refused_naming_how_many(school):
    _roc, admin, location, team, programme = school
    StudentFactory.create_batch(2, programme=programme)
    StudentFactory(programme=programme, left_on=timezone.localdate() - timedelta(days=3))
    with refused("De opleiding Helpende kan niet worden beëindigd: na .* staan er nog 2 studenten"):
        programme_end(actor=admin, programme=programme)
    with refused("Het team Zorg kan niet worden beëindigd: na .* staan er nog 2 studenten"):
        team_end(actor=admin, team=team)
    with refused("De locatie Enschede kan niet worden beëindigd: na .* staan er nog 2 studenten"):
        location_end(actor=admin, location=location)
    programme.refresh_from_db()
    assert programme.ended_on is None


def test_students_leaving_before_the_end_day_do_not_block_it(school):
    _roc, admin, _location, _team, programme = school
    StudentFactory(programme=programme, left_on=date(2030, 7, 31))
    with refused("nog 1 student ingeschreven"):
        programme_end(actor=admin, programme=programme, ended_on=date(2030, 7, 30))
    programme_end(actor=admin, programme=programme, ended_on=date(2030, 7, 31))
    programme.refresh_from_db()
    assert programme.ended_on == date(2030, 7, 31)


def test_a_location_ends_only_after_its_teams_and_programmes(school):
    _roc, admin, location, team, programme = school
    with refused("er lopen nog 1 team\\(s\\) en 1 opleiding\\(en\\)"):
        location_end(actor=admin, location=location)
    with refused("er lopen nog 1 opleiding\\(en\\) in dit team"):
        team_end(actor=admin, team=team)
    yesterday = timezone.localdate() - timedelta(days=1)
    programme_end(actor=admin, programme=programme, ended_on=yesterday)
    team_end(actor=admin, team=team, ended_on=yesterday)
    location_end(actor=admin, location=location, ended_on=yesterday)
    location.refresh_from_db()
    assert location.ended_on == yesterday
    with refused("Locatie Enschede is beëindigd; daar kan geen team meer bij."):
        team_create(actor=admin, location=location, name="Nieuw")
    with refused("Team Zorg is beëindigd; daar kan geen opleiding meer bij."):
        programme_create(actor=admin, team=team, crebo="25400", name="X", level=2, pathway="BOL")


def test_a_team_with_coaches_ends_only_after_their_membership(school):
    roc, admin, _location, team, programme = school
    coach = UserFactory()
    MembershipFactory(user=coach, organisation=roc, role=Role.CARE_COORDINATOR)
    membership = team_member_add(actor=admin, team=team, user=coach)
    yesterday = timezone.localdate() - timedelta(days=1)
    programme_end(actor=admin, programme=programme, ended_on=yesterday)
    with refused("1 medewerker\\(s\\) horen er na die dag nog bij"):
        team_end(actor=admin, team=team, ended_on=yesterday)
    team_member_end(actor=admin, membership=membership, last_day=yesterday)
    team_end(actor=admin, team=team, ended_on=yesterday)


def test_ended_parts_are_no_longer_offered_on_the_invite_form(school):
    roc, admin, location, team, programme = school
    team_create(actor=admin, location=location, name="Techniek")
    yesterday = timezone.localdate() - timedelta(days=1)
    programme_end(actor=admin, programme=programme, ended_on=yesterday)
    team_end(actor=admin, team=team, ended_on=yesterday)
    form = UserInviteForm(grantable={roc.pk: frozenset({Role.COACH})})
    assert [t.name for t in form.fields["programme_team"].queryset] == ["Techniek"]


def test_a_staff_member_becomes_coach_of_a_team_and_sees_its_students(school):
    roc, admin, _location, team, programme = school
    student = StudentFactory(programme=programme)
    person = UserFactory()
    other_team = team_create(actor=admin, location=team.location, name="Techniek")
    MembershipFactory(user=person, organisation=roc, role=Role.COACH, programme_team=other_team)
    assert student not in students_for_user(person)
    membership = team_member_add(actor=admin, team=team, user=person)
    assert (membership.role, membership.programme_team, membership.created_by) == (
        Role.COACH,
        team,
        admin,
    )
    assert RoleGrant.objects.filter(grantee=person, role=Role.COACH, outcome="granted").exists()
    fresh = type(person).objects.get(pk=person.pk)
    assert student in students_for_user(fresh)
    with refused("hoort al bij team Zorg"):
        team_member_add(actor=admin, team=team, user=person)
    # Ended yesterday: no access today.
    team_member_end(
        actor=admin, membership=membership, last_day=timezone.localdate() - timedelta(days=1)
    )
    fresh = type(person).objects.get(pk=person.pk)
    assert student not in students_for_user(fresh)
    # Back in the team: the same membership again, from today, recorded again.
    again = team_member_add(actor=admin, team=team, user=person)
    assert again.pk == membership.pk and again.valid_until is None
    assert list(
        RoleGrant.objects.filter(grantee=person, role=Role.COACH)
        .order_by("pk")
        .values_list("outcome", flat=True)
    ) == ["granted", "ended", "granted"]


def test_only_staff_of_the_institution_join_a_team(school):
    _roc, admin, _location, team, _programme = school
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role=Role.CARE_COORDINATOR)
    with refused("werkt niet \\(meer\\) bij ROC Opbouw"):
        team_member_add(actor=admin, team=team, user=outsider)
    assert not Membership.objects.filter(user=outsider, role=Role.COACH).exists()


def test_nobody_but_the_functional_administrator_changes_the_structure(school):
    roc, _admin, location, team, programme = school
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, organisation=roc, role=Role.CARE_COORDINATOR)
    other_admin = UserFactory()
    MembershipFactory(
        user=other_admin, organisation=OrganisationFactory(), role=Role.FUNCTIONAL_ADMIN
    )
    for actor in (coordinator, other_admin):
        with pytest.raises(PermissionDenied):
            location_create(
                actor=actor, institution=roc, name="X", municipality=municipality("GM0153")
            )
        with pytest.raises(PermissionDenied):
            team_rename(actor=actor, team=team, name="X", expected_name="Zorg")
        with pytest.raises(PermissionDenied):
            programme_end(actor=actor, programme=programme)
        with pytest.raises(PermissionDenied):
            location_end(actor=actor, location=location)
        with pytest.raises(PermissionDenied):
            team_member_add(actor=actor, team=team, user=coordinator)
    programme.refresh_from_db()
    assert programme.ended_on is None
