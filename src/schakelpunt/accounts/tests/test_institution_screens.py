"""The "Opbouw van de instelling" screen: the functional administrator builds the institution
by hand or from a file; anyone else gets a 404."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from schakelpunt.accounts.models import Location, Membership, Programme, ProgrammeTeam
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.students.tests.factories import StudentFactory

URL = "/beheer/instelling/"


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Opbouw")
    admin = UserFactory(email="beheer@roc.nl", first_name="Bea", last_name="Beheer")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    client = Client()
    client.force_login(admin)
    return roc, admin, client


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_empty_institution_says_what_to_do_first_with_the_example_file(school):
    _roc, _admin, client = school
    page = text_of(client.get(URL))
    assert "Er is nog niets ingericht" in page
    assert "Importeer hieronder een bestand met uw opleidingen" in page
    assert 'href="/voorbeelden/opleidingen.csv"' in page
    assert "Voeg eerst een locatie toe." in page
    add_page = text_of(client.get(URL + "nieuw/"))
    assert 'name="location-municipality"' in add_page
    assert "Voeg eerst een locatie toe." in add_page  # no team without a location


def test_the_admin_adds_a_location_team_and_programme_and_sees_the_counts(school):
    roc, _admin, client = school
    from schakelpunt.refdata.models import Municipality

    enschede = Municipality.objects.get(cbs_code="GM0153")
    response = client.post(
        URL + "locaties/nieuw/",
        {
            "location-institution": roc.pk,
            "location-name": "Enschede",
            "location-municipality": enschede.pk,
        },
        follow=True,
    )
    assert "De locatie is toegevoegd." in text_of(response)
    location = Location.objects.get(institution=roc)
    client.post(URL + "teams/nieuw/", {"team-location": location.pk, "team-name": "Zorg"})
    team = ProgrammeTeam.objects.get(location=location)
    response = client.post(
        URL + "opleidingen/nieuw/",
        {
            "programme-team": team.pk,
            "programme-crebo": "25498",
            "programme-name": "Helpende Zorg en Welzijn",
            "programme-level": "2",
            "programme-pathway": "BOL",
        },
        follow=True,
    )
    assert "De opleiding is toegevoegd." in text_of(response)
    programme = Programme.objects.get(team=team)
    StudentFactory.create_batch(3, programme=programme)
    page = text_of(client.get(URL))
    assert "Er is nog niets ingericht" not in page
    assert 'Locatie Enschede <span class="muted">(Enschede)</span>' in page
    assert "3 studenten ingeschreven." in page
    assert (
        '<th scope="row">Helpende Zorg en Welzijn</th><td>Niveau 2</td><td>BOL</td><td class="num">3</td>'
        in page
    )


def test_a_bad_crebo_is_refused_with_a_dutch_message(school):
    roc, _admin, client = school
    team = ProgrammeTeamFactory(location=LocationFactory(institution=roc))
    response = client.post(
        URL + "opleidingen/nieuw/",
        {
            "programme-team": team.pk,
            "programme-crebo": "123",
            "programme-name": "X",
            "programme-level": "2",
            "programme-pathway": "BOL",
        },
        follow=True,
    )
    assert "Crebo: Een crebo bestaat uit vijf cijfers." in text_of(response)
    # back on the page with the forms to add, to try again
    assert response.redirect_chain[-1][0] == f"{URL}nieuw/?instelling={roc.pk}#add-programme"
    assert '<h2 id="add-programme">Opleiding toevoegen</h2>' in text_of(response)
    assert not Programme.objects.exists()


def test_renaming_from_a_stale_page_does_not_overwrite(school):
    roc, _admin, client = school
    location = LocationFactory(institution=roc, name="Enschede")
    url = f"{URL}locaties/{location.pk}/naam/"
    client.post(url, {"name": "Enschede Centrum", "expected_name": "Enschede"})
    response = client.post(url, {"name": "Enschede Zuid", "expected_name": "Enschede"}, follow=True)
    assert (
        "Iemand anders heeft de naam intussen gewijzigd in &#x27;Enschede Centrum&#x27;"
        in text_of(response)
    )
    location.refresh_from_db()
    assert location.name == "Enschede Centrum"


def test_ending_a_programme_with_students_is_refused_on_the_screen(school):
    roc, _admin, client = school
    programme = ProgrammeFactory(
        team=ProgrammeTeamFactory(location=LocationFactory(institution=roc))
    )
    StudentFactory(programme=programme)
    today = timezone.localdate().isoformat()
    response = client.post(
        f"{URL}opleidingen/{programme.pk}/beeindigen/", {"ended_on": today}, follow=True
    )
    assert "kan niet worden beëindigd" in text_of(response)
    assert "nog 1 student ingeschreven" in text_of(response)
    programme.refresh_from_db()
    assert programme.ended_on is None
    empty = ProgrammeFactory(team=programme.team)
    client.post(f"{URL}opleidingen/{empty.pk}/beeindigen/", {"ended_on": today})
    empty.refresh_from_db()
    assert empty.ended_on == timezone.localdate()


def test_the_admin_puts_a_staff_member_in_a_team_and_takes_them_out(school):
    roc, _admin, client = school
    team = ProgrammeTeamFactory(location=LocationFactory(institution=roc), name="Zorg")
    person = UserFactory(first_name="Chris", last_name="Coach")
    MembershipFactory(user=person, organisation=roc, role=Role.CARE_COORDINATOR)
    page = text_of(client.get(f"{URL}teams/{team.pk}/"))
    assert "Chris Coach" in page  # offered in the team's list, on the team's own page
    response = client.post(f"{URL}teams/{team.pk}/leden/", {"user": person.pk}, follow=True)
    page = text_of(response)
    assert "De medewerker hoort nu bij het team als studieloopbaanbegeleider." in page
    assert "<h1>Team Zorg</h1>" in page  # back on the team's page, where the change was made
    assert "Chris Coach" in text_of(client.get(URL))  # and in the overview
    membership = Membership.objects.get(user=person, role=Role.COACH, programme_team=team)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    client.post(f"{URL}lidmaatschappen/{membership.pk}/beeindigen/", {"last_day": yesterday})
    membership.refresh_from_db()
    assert membership.valid_until == timezone.localdate() - timedelta(days=1)


def test_importing_on_the_screen(school):
    _roc, _admin, client = school
    upload = SimpleUploadedFile(
        "opleidingen.csv",
        b"locatie;gemeente;team;crebo;opleiding;niveau;leerweg\n"
        b"Enschede;GM0153;Zorg;25498;Helpende;2;BOL\n",
    )
    page = text_of(client.post(URL, {"file": upload}))
    assert "Ingelezen: 1 nieuw, 0 gewijzigd, 0 ongewijzigd." in page
    assert "Locatie Enschede" in page
    bad = SimpleUploadedFile(
        "opleidingen.csv",
        b"locatie;gemeente;team;crebo;opleiding;niveau;leerweg\nEnschede;;Zorg;123;X;2;BOL\n",
    )
    page = text_of(client.post(URL, {"file": bad}))
    assert "Niets geïmporteerd: 1 fout" in page
    assert "Regel 2: crebo &#x27;123&#x27; moet uit vijf cijfers bestaan." in page


def test_others_get_404_on_every_screen_and_change(school):
    roc, _admin, _client = school
    programme = ProgrammeFactory(
        team=ProgrammeTeamFactory(location=LocationFactory(institution=roc))
    )
    team, location = programme.team, programme.team.location
    names = (programme.name, team.name, location.name)
    coach = UserFactory()
    membership = MembershipFactory(
        user=coach, organisation=roc, role=Role.COACH, programme_team=team
    )
    other_admin = UserFactory()
    MembershipFactory(
        user=other_admin, organisation=OrganisationFactory(), role=Role.FUNCTIONAL_ADMIN
    )
    posts = {
        "locaties/nieuw/": {"location-institution": roc.pk, "location-name": "X"},
        f"locaties/{location.pk}/naam/": {"name": "X", "expected_name": location.name},
        f"locaties/{location.pk}/beeindigen/": {"ended_on": "2030-01-01"},
        "teams/nieuw/": {"team-location": location.pk, "team-name": "X"},
        f"teams/{team.pk}/naam/": {"name": "X", "expected_name": team.name},
        f"teams/{team.pk}/beeindigen/": {"ended_on": "2030-01-01"},
        f"teams/{team.pk}/leden/": {"user": coach.pk},
        f"lidmaatschappen/{membership.pk}/beeindigen/": {"last_day": "2020-01-01"},
        f"opleidingen/{programme.pk}/naam/": {"name": "X", "expected_name": programme.name},
        f"opleidingen/{programme.pk}/beeindigen/": {"ended_on": "2030-01-01"},
    }
    pages = [f"locaties/{location.pk}/", f"teams/{team.pk}/", f"opleidingen/{programme.pk}/"]
    for person, expected in ((coach, 404), (other_admin, 302)):
        client = Client()
        client.force_login(person)
        if person is coach:
            assert client.get(URL).status_code == 404
        for path in pages:
            assert client.get(URL + path).status_code == 404, (person, path)
        for path, data in posts.items():
            status = client.post(URL + path, data).status_code
            # The other institution's admin has the screen, but not these parts: 404 for
            # each change of this institution, except the new-item forms that only offer
            # their own institution (a refused choice, nothing saved).
            if path.endswith("nieuw/") and person is other_admin:
                assert status == expected, path
            else:
                assert status == 404, (person, path)
    programme.refresh_from_db()
    team.refresh_from_db()
    location.refresh_from_db()
    membership.refresh_from_db()
    assert (programme.name, team.name, location.name) == names
    assert (programme.ended_on, team.ended_on, location.ended_on) == (None, None, None)
    assert membership.valid_until is None
    assert Location.objects.filter(name="X").count() == 0
    assert ProgrammeTeam.objects.filter(name="X").count() == 0


def test_the_overview_asks_the_database_the_same_number_of_times_whatever_its_size(school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    roc, _admin, client = school

    def grow() -> None:
        team = ProgrammeTeamFactory(location=LocationFactory(institution=roc))
        StudentFactory(programme=ProgrammeFactory(team=team))
        MembershipFactory(organisation=roc, role=Role.COACH, programme_team=team)

    grow()
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for _ in range(3):
        grow()
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small)


def test_each_part_is_changed_on_its_own_page_and_the_overview_links_to_it(school):
    roc, _admin, client = school
    location = LocationFactory(institution=roc, name="Enschede")
    team = ProgrammeTeamFactory(location=location, name="Zorg")
    programme = ProgrammeFactory(team=team, name="Helpende Zorg en Welzijn")
    StudentFactory.create_batch(2, programme=programme, location=location)
    overview = text_of(client.get(URL))
    for page in (f"locaties/{location.pk}/", f"teams/{team.pk}/", f"opleidingen/{programme.pk}/"):
        assert f'href="{URL}{page}"' in overview
    page = text_of(client.get(f"{URL}opleidingen/{programme.pk}/"))
    assert "<h1>Opleiding Helpende Zorg en Welzijn</h1>" in page
    assert "2 studenten ingeschreven." in page
    assert f'href="{URL}?instelling={roc.pk}#programme-{programme.pk}"' in page  # back
    assert '<input type="hidden" name="expected_name" value="Helpende Zorg en Welzijn">' in page
    response = client.post(
        f"{URL}opleidingen/{programme.pk}/naam/",
        {"name": "Helpende Z&W", "expected_name": "Helpende Zorg en Welzijn"},
        follow=True,
    )
    page = text_of(response)
    assert "De naam van de opleiding is gewijzigd." in page
    assert "<h1>Opleiding Helpende Z&amp;W</h1>" in page
    page = text_of(client.get(f"{URL}locaties/{location.pk}/"))
    assert "<h1>Locatie Enschede</h1>" in page
    assert "Locatie beëindigen" in page
    assert f'<a href="{URL}teams/{team.pk}/">Zorg</a>' in page


def test_an_ended_part_is_shown_but_offers_no_forms(school):
    roc, _admin, client = school
    yesterday = timezone.localdate() - timedelta(days=1)
    programme = ProgrammeFactory(
        team=ProgrammeTeamFactory(location=LocationFactory(institution=roc)), ended_on=yesterday
    )
    page = text_of(client.get(f"{URL}opleidingen/{programme.pk}/"))
    assert "Beëindigd op" in page
    assert "Naam opslaan" not in page
    assert "Bekijken" in text_of(client.get(URL))


def test_the_overview_stays_small_however_many_programmes_and_staff_there_are(school):
    """The forms of each part and the list of staff are on the parts' own pages: the
    overview grows by a table row per programme, not by a form (it was 800 KB)."""
    roc, _admin, client = school
    team = ProgrammeTeamFactory(location=LocationFactory(institution=roc))
    ProgrammeFactory(team=team)
    for _ in range(30):
        MembershipFactory(organisation=roc, role=Role.CARE_COORDINATOR)
    before = len(client.get(URL).content)
    for _ in range(20):
        ProgrammeFactory(team=ProgrammeTeamFactory(location=team.location))
    after = len(client.get(URL).content)
    assert (after - before) / 20 < 1500  # a team and a programme: headings and one row
    staff_member = Membership.objects.filter(role=Role.CARE_COORDINATOR).first().user
    assert staff_member.email not in client.get(URL).content.decode()
    assert staff_member.email in client.get(f"{URL}teams/{team.pk}/").content.decode()


def test_a_programme_moves_to_another_team_at_its_own_location(school):
    roc, _admin, client = school
    location = LocationFactory(institution=roc, name="Enschede")
    zorg = ProgrammeTeamFactory(location=location, name="Zorg")
    welzijn = ProgrammeTeamFactory(location=location, name="Welzijn")
    jeugd = ProgrammeTeamFactory(location=location, name="Jeugd")
    elsewhere = ProgrammeTeamFactory(location=LocationFactory(institution=roc), name="Elders")
    programme = ProgrammeFactory(team=zorg, name="Helpende")
    url = f"{URL}opleidingen/{programme.pk}/"
    page = text_of(client.get(url))
    assert f'<option value="{welzijn.pk}">Welzijn</option>' in page  # only its own location
    assert f'value="{elsewhere.pk}"' not in page
    response = client.post(
        url + "team/", {"move-team": welzijn.pk, "move-expected_team": zorg.pk}, follow=True
    )
    assert "De opleiding hoort nu bij een ander team." in text_of(response)
    programme.refresh_from_db()
    assert programme.team == welzijn
    # From a page loaded before that move: refused, nothing changes.
    response = client.post(
        url + "team/", {"move-team": jeugd.pk, "move-expected_team": zorg.pk}, follow=True
    )
    assert "Iemand anders heeft de opleiding intussen bij team Welzijn gezet." in text_of(response)
    # A team at another location is no choice.
    response = client.post(
        url + "team/", {"move-team": elsewhere.pk, "move-expected_team": welzijn.pk}, follow=True
    )
    assert "Ander team: Selecteer een geldige keuze." in text_of(response)
    programme.refresh_from_db()
    assert programme.team == welzijn
    other_admin = UserFactory()
    MembershipFactory(
        user=other_admin, organisation=OrganisationFactory(), role=Role.FUNCTIONAL_ADMIN
    )
    client.force_login(other_admin)
    data = {"move-team": zorg.pk, "move-expected_team": welzijn.pk}
    assert client.post(url + "team/", data).status_code == 404
    programme.refresh_from_db()
    assert programme.team == welzijn
