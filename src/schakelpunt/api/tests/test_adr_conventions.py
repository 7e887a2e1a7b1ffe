"""What a connected system notices of the API Design Rules on every /api/v1/ answer: the
API-Version header, errors as application/problem+json in Dutch (also for an unknown path,
a trailing slash and a server error), pages with a Link header, and a rate limit."""

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView
from tests.world import World, client_for

from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.models import Organisation
from schakelpunt.api.serializers import RejectUnknownFieldsMixin
from schakelpunt.students.api.views import StudentViewSet
from schakelpunt.students.tests.factories import StudentFactory

PROBLEM = "application/problem+json"


def _provider_system(world: World) -> Client:
    provider: Organisation = world.users["worker_p1"].memberships.get().organisation
    issued = api_client_create(
        actor=None,
        organisation=provider,
        name="Cliëntregistratie",
        scopes=["referrals:read"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        (None, "/api/v1/", 200),
        (None, "/api/v1/openapi.json", 200),
        (None, "/api/v1/students", 401),
        ("coach", "/api/v1/students", 200),
        ("coach", "/api/v1/referrals", 200),
        ("coach", "/api/v1/bestaat-niet", 404),
    ],
)
def test_every_answer_names_the_full_api_version(
    world: World, who: str | None, path: str, status: int
) -> None:
    client = client_for(world.users[who]) if who else Client()
    response = client.get(path)
    assert response.status_code == status
    assert response["API-Version"] == "1.0.0"


def test_an_unknown_path_is_a_dutch_problem_not_an_html_page(world: World) -> None:
    response = client_for(world.users["coach"]).get("/api/v1/leerlingen")
    body = _problem(response, 404)
    assert body["detail"] == "Dit adres bestaat niet in de API."
    assert body["instance"] == "/api/v1/leerlingen"
    assert b"<html" not in response.content.lower()


def test_a_trailing_slash_is_a_404_never_a_redirect(world: World) -> None:
    """ADR /core/no-trailing-slash: the client learns the right address, not a detour."""
    client = client_for(world.users["coach"])
    assert client.get("/api/v1/students").status_code == 200
    _problem(client.get("/api/v1/students/"), 404)
    _problem(client.get(f"/api/v1/students/{world.students['t1'].pk}/"), 404)


def test_no_token_is_a_401_problem_that_says_how_to_log_in(db: None) -> None:
    response = Client().get("/api/v1/referrals")
    body = _problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["title"] == "Niet aangemeld."


def test_a_server_error_is_a_problem_that_leaks_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Response:
        raise RuntimeError("geheim: SELECT * FROM students_student")

    monkeypatch.setattr(StudentViewSet, "list", broken)
    client = client_for(world.users["coach"])
    client.raise_request_exception = False
    for debug in (False, True):
        with override_settings(DEBUG=debug):
            response = client.get("/api/v1/students")
        body = _problem(response, 500)
        assert "geheim" not in response.content.decode()
        assert "Traceback" not in response.content.decode()
        assert "er is niets opgeslagen" in body["detail"]
        assert response["API-Version"] == "1.0.0"


# --- Request bodies: malformed JSON and unknown fields, on a view built like every other.


class _ColourSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    name = serializers.CharField()
    shade = serializers.IntegerField(required=False)
    created = serializers.CharField(read_only=True)


class _ColourView(APIView):
    permission_classes: list[Any] = []
    authentication_classes: list[Any] = []

    def post(self, request: Request) -> Response:
        serializer = _ColourSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


def _post(body: str) -> Response:
    request = APIRequestFactory().post("/api/v1/kleuren", body, content_type="application/json")
    response: Response = _ColourView.as_view()(request)
    response.render()
    return response


def test_malformed_json_is_a_400_problem_in_dutch() -> None:
    body = _problem(_post('{"name": "rood",'), 400)
    assert body["detail"] == "De inhoud is geen geldige JSON; er is niets opgeslagen."
    assert body["errors"] == [
        {
            "in": "body",
            "location": {"pointer": "#"},
            "code": "parse_error",
            "detail": "De inhoud is geen geldige JSON; er is niets opgeslagen.",
        }
    ]
    assert "Expecting" not in json.dumps(body)  # the parser's own words stay inside


def test_an_unknown_field_is_refused_not_dropped() -> None:
    body = _problem(_post('{"name": "rood", "colour": "red", "created": "gisteren"}'), 400)
    unknown = {error["location"]["pointer"]: error for error in body["errors"]}
    assert set(unknown) == {"#/colour", "#/created"}
    assert unknown["#/colour"]["code"] == "unknown_field"
    assert unknown["#/colour"]["in"] == "body"
    assert {param["name"] for param in body["invalidParams"]} == {"colour", "created"}
    assert _post('{"name": "rood", "shade": 3}').status_code == 201


def test_a_wrong_value_is_named_by_its_json_pointer() -> None:
    body = _problem(_post('{"shade": "donker"}'), 400)
    by_pointer = {error["location"]["pointer"]: error["code"] for error in body["errors"]}
    assert by_pointer == {"#/name": "required", "#/shade": "invalid"}


# --- Pages: page and pageSize, navigation in the Link header.


def _links(response: Any) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="([a-z]+)"', response["Link"])}


def test_pages_are_navigated_by_the_link_header(world: World) -> None:
    programme = world.students["t1"].programme
    StudentFactory.create_batch(4, programme=programme)  # coach's team: 5 students in all
    client = client_for(world.users["coach"])

    first = client.get("/api/v1/students?pageSize=2")
    assert first.status_code == 200
    assert set(first.json()) == {"count", "results"}
    assert first.json()["count"] == 5
    assert len(first.json()["results"]) == 2
    links = _links(first)
    assert set(links) == {"first", "next", "last"}  # no prev on the first page
    assert links["next"] == "http://testserver/api/v1/students?page=2&pageSize=2"
    assert links["last"] == "http://testserver/api/v1/students?page=3&pageSize=2"

    last = client.get(links["last"])
    assert set(_links(last)) == {"first", "prev", "last"}
    assert len(last.json()["results"]) == 1
    seen = [
        row["id"]
        for url in (links["first"], links["next"], links["last"])
        for row in client.get(url).json()["results"]
    ]
    assert len(set(seen)) == 5  # deterministic order: no student twice, none skipped


@pytest.mark.parametrize(
    ("query", "status", "name"),
    [
        ("pageSize=201", 400, "pageSize"),
        ("pageSize=0", 400, "pageSize"),
        ("page=nul", 400, "page"),
        ("page=-1", 400, "page"),
        ("page=99", 404, None),
    ],
)
def test_a_wrong_page_is_a_problem(world: World, query: str, status: int, name: str | None) -> None:
    body = _problem(client_for(world.users["coach"]).get(f"/api/v1/students?{query}"), status)
    if name:
        assert body["errors"][0]["in"] == "query"
        assert body["errors"][0]["location"] == {"name": name}


# --- The rate limit per connected system.


def test_a_system_over_its_rate_limit_waits_and_is_told_how_long(world: World) -> None:
    rates = {"DEFAULT_THROTTLE_RATES": {"connected_system": "3/min"}}
    from django.conf import settings

    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rates}):
        system = _provider_system(world)
        assert [system.get("/api/v1/referrals").status_code for _ in range(3)] == [200] * 3
        refused = system.get("/api/v1/referrals")
        body = _problem(refused, 429)
        assert int(refused["Retry-After"]) > 0
        assert "seconden" in body["detail"]
        # People on the screens are not systems: not limited.
        person = client_for(world.users["worker_p1"])
        assert {person.get("/api/v1/referrals").status_code for _ in range(5)} == {200}


def test_a_refusal_before_the_api_is_reached_is_a_problem_too(world: World, settings: Any) -> None:
    """The second factor's middleware answers before DRF; its refusal keeps its words."""
    settings.OTP_REQUIRED = True
    response = client_for(world.users["coach"]).get("/api/v1/students")
    body = _problem(response, 403)
    assert body["detail"] == "Tweestapsverificatie is nodig voor deze gegevens."
    assert response["API-Version"] == "1.0.0"
