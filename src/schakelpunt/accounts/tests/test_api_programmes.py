"""Programmes from the student information system over the API: the rules of the programmes
file (locations and teams made when first named, known by location, crebo and pathway), all
or nothing, the same batch again a no-op, and Dutch problem+json refusals."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.institution_importer import institution_import
from schakelpunt.accounts.models import Location, Programme, ProgrammeTeam
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from schakelpunt.students.tests.factories import StudentFactory

URL = "/api/v1/programmes/batch"
HEADER = "locatie;gemeente;team;crebo;opleiding;niveau;leerweg;einddatum\n"


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Opbouw", brin="25AB")
    admin = UserFactory(email="beheer@roc.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    return roc, admin


def system(organisation, scopes=("programmes:write",)) -> Client:  # type: ignore[no-untyped-def]
    issued = api_client_create(
        actor=None,
        organisation=organisation,
        name="EduArte",
        scopes=list(scopes),
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")


def programme(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "location": "Enschede",
        "municipality": "GM0153",
        "team": "Zorg",
        "crebo": "25498",
        "name": "Helpende Zorg en Welzijn",
        "level": 2,
        "pathway": "BOL",
    }
    values.update(changes)
    return values


def post(client: Client, body: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def params(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["name"], p["reason"]) for p in body["invalidParams"]]


def test_programmes_with_new_locations_and_teams_then_the_same_again(school):
    roc, _admin = school
    client = system(roc)
    batch = [
        programme(),
        programme(municipality=None, crebo="25491", name="Verzorgende-IG", level=3, pathway="BBL"),
        programme(location="Hengelo", municipality="Hengelo", team="ICT", crebo="25604", level=4),
    ]
    first = post(client, {"programmes": batch})
    assert first.status_code == 200, first.content
    assert first.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "locationsCreated": 2,
        "teamsCreated": 2,
    }
    hengelo = Location.objects.get(institution=roc, name="Hengelo")
    assert hengelo.municipality.cbs_code == "GM0164"
    again = post(client, {"programmes": batch})
    assert again.json()["unchanged"] == 3 and again.json()["created"] == 0
    renamed = post(client, {"programmes": [programme(name="Helpende Z&W", level=2)]})
    assert renamed.json()["updated"] == 1
    assert Programme.objects.get(crebo="25498").name == "Helpende Z&W"
    assert (Location.objects.count(), ProgrammeTeam.objects.count(), Programme.objects.count()) == (
        2,
        2,
        3,
    )


def test_the_api_and_the_file_refuse_with_the_same_words(school):
    roc, admin = school
    from_file = institution_import(
        actor=admin,
        institution=roc,
        data=(HEADER + "Almelo;;Zorg;2549;Helpende;2;BOL;\n").encode(),
    )
    body = problem(
        post(
            system(roc),
            {"programmes": [programme(location="Almelo", municipality="", crebo="2549")]},
        ),
        400,
    )
    assert params(body) == [("programmes.0.crebo", "crebo '2549' moet uit vijf cijfers bestaan")]
    assert from_file.errors == ["Regel 2: crebo '2549' moet uit vijf cijfers bestaan."]
    # With a right crebo, the new location still needs its municipality: on both.
    body = problem(
        post(system(roc), {"programmes": [programme(location="Almelo", municipality="")]}),
        400,
    )
    assert params(body) == [
        (
            "programmes.0.municipality",
            "locatie 'Almelo' is nieuw: vul de gemeente in waar zij staat",
        )
    ]
    assert not Programme.objects.exists()


def test_one_bad_programme_saves_nothing(school):
    roc, _admin = school
    body = problem(
        post(
            system(roc),
            {"programmes": [programme(), programme(crebo="25498"), programme(crebo="25604")]},
        ),
        400,
    )
    assert params(body) == [
        (
            "programmes.1.crebo",
            "crebo 25498 (BOL) op locatie Enschede staat ook op #/programmes/0",
        )
    ]
    assert not Location.objects.exists()


def test_a_programme_with_students_after_its_end_date_cannot_end(school):
    roc, _admin = school
    client = system(roc)
    post(client, {"programmes": [programme()]})
    StudentFactory(programme=Programme.objects.get(), left_on=None)
    end = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = problem(post(client, {"programmes": [programme(endDate=end)]}), 400)
    assert params(body)[0][0] == "programmes.0.endDate"
    assert "kan niet eindigen" in params(body)[0][1]
    assert Programme.objects.get().ended_on is None


def test_bad_input_scope_and_institution_are_refused_with_nothing_saved(school):
    roc, admin = school
    client = system(roc)
    assert (
        "JSON"
        in problem(client.post(URL, data="[", content_type="application/json"), 400)["detail"]
    )
    body = problem(post(client, {"programmes": [{**programme(), "niveau": 2}]}), 400)
    assert params(body)[0][0] == "programmes.0.niveau"
    body = problem(post(client, {"programmes": [programme(level=5)]}), 400)
    assert params(body)[0][0] == "programmes.0.level"
    problem(post(system(roc, scopes=("students:write",)), {"programmes": [programme()]}), 403)
    elsewhere = system(OrganisationFactory(name="ROC Anders"))
    refused = problem(post(elsewhere, {"institution": roc.pk, "programmes": [programme()]}), 403)
    assert refused["detail"] == "Een koppeling levert alleen aan voor de eigen instelling."
    assert not Programme.objects.exists()
    session = Client()
    session.force_login(admin)
    done = post(session, {"institution": roc.pk, "programmes": [programme()]})
    assert done.json()["created"] == 1
