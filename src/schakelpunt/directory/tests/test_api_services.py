"""The sociale kaart for connected systems: GET /api/v1/services finds what the screen's
search finds, in HSDS-named fields, only with the directory:read scope."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.models import Organisation
from schakelpunt.directory.models import Law, ServiceStatus
from schakelpunt.refdata.models import Municipality

from .factories import ServiceFactory, full_directory

# Until /api/v1/ includes directory.api_urls (api/urls.py), this module routes it itself.
urlpatterns = [
    path("api/v1/", include("schakelpunt.directory.api_urls")),
    path("", include("schakelpunt.urls")),
]


@pytest.fixture(autouse=True)
def _routed(settings):  # type: ignore[no-untyped-def]
    # Through `settings`, so the cached OpenAPI document is made again with these routes.
    settings.ROOT_URLCONF = __name__


PROBLEM = "application/problem+json"


def _system(scopes: list[str], organisation: str = "Zorg Een") -> Client:
    issued = api_client_create(
        actor=None,
        organisation=Organisation.objects.get(name=organisation),
        name="Wegwijzer",
        scopes=scopes,
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_a_system_reads_the_map_in_hsds_fields(world: World) -> None:
    addiction = full_directory()
    ServiceFactory(name="Gestopt aanbod", status=ServiceStatus.DEFUNCT)
    api = _system(["directory:read"])
    response = api.get("/api/v1/services")
    # The providers' offers first, the municipality's entry point after them; never defunct.
    assert _names(response) == ["Verslavingszorg jongeren", "Wijkteam Enschede"]
    row = response.json()["results"][0]
    assert row["id"] == str(addiction.uuid)
    assert row["organization"]["name"] == "Tactus Verslavingszorg (fictief)"
    assert set(row["life_domains"]) == {"substance_use", "mental_health"}
    assert row["funding"] == [Law.JEUGDWET, Law.ZVW]
    assert row["needs_decision"] is True and row["first_contact_days"] == 5
    assert row["capacity"]["available"] == 3 and row["capacity"]["maximum"] == 20
    assert [a["extent"] for a in row["service_areas"]] == ["GM0153", "GM0164"]
    assert {a["extent_type"] for a in row["service_areas"]} == {"cbs_gemeentecode"}
    at_school = row["service_at_locations"][0]
    assert at_school["description"] == "Inloop, zonder afspraak"
    assert at_school["schedules"] == [{"byday": "TU", "opens_at": "09:00", "closes_at": "12:00"}]
    assert row["contacts"][0]["title"] == "Jongerenwerker"
    assert row["assured_date"] == addiction.last_checked_on.isoformat()
    # No student data: reading the map is no read of a file.
    assert not AccessLogEntry.objects.exists()
    one = api.get(f"/api/v1/services/{addiction.uuid}")
    assert one.status_code == 200 and one.json() == row


@pytest.mark.parametrize(
    ("query", "screen"),
    [
        ({"q": "VERSLAVING"}, {"q": "VERSLAVING"}),
        ({"lifeDomain": "home"}, {"domein": "home"}),
        ({"law": "wmo"}, {"wet": "wmo"}),
        ({"municipality": "GM0164"}, {"gemeente": "GM0164"}),  # the screen: the id, below
        ({"age": "30"}, {"leeftijd": "30"}),
        ({"availableNow": "true"}, {"nu": "on"}),
    ],
)
def test_the_api_finds_what_the_screen_finds(world: World, query: dict, screen: dict) -> None:
    full_directory()
    ServiceFactory(name="Budgetcoach", life_domains=["finances"], laws=[Law.WMO], minimum_age=18)
    ServiceFactory(name="Vol aanbod", capacity_available=0, area_codes=["GM0164"])
    if "gemeente" in screen:
        screen = {"gemeente": Municipality.objects.get(cbs_code=screen["gemeente"]).pk}
    found = _names(_system(["directory:read"]).get("/api/v1/services", query))
    page = client_for(world.users["care_l1"]).get("/sociale-kaart/", screen)
    assert page.status_code == 200
    assert found == [s.name for s in page.context["page"].object_list]
    assert found  # every filter leaves something to compare


def test_without_the_scope_or_a_token_the_map_is_closed(world: World) -> None:
    full_directory()
    refused = _system(["referrals:read"]).get("/api/v1/services")
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM
    anonymous = Client().get("/api/v1/services")
    assert anonymous.status_code in {401, 403} and anonymous["Content-Type"] == PROBLEM
    # A school's system may read the map too.
    assert _names(_system(["directory:read"], organisation="ROC Een").get("/api/v1/services"))


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ({"lifeDomain": "geluk"}, "lifeDomain"),
        ({"municipality": "Enschede"}, "municipality"),
        ({"municipality": "GM9999"}, "municipality"),
        ({"age": "oud"}, "age"),
        ({"age": "-1"}, "age"),
    ],
)
def test_a_wrong_query_value_is_named(world: World, query: dict, key: str) -> None:
    refused = _system(["directory:read"]).get("/api/v1/services", query)
    assert refused.status_code == 400
    assert refused["Content-Type"] == PROBLEM
    assert [(e["in"], e["location"]) for e in refused.json()["errors"]] == [
        ("query", {"name": key})
    ]


def test_an_unknown_service_is_a_404(world: World) -> None:
    missing = _system(["directory:read"]).get(
        "/api/v1/services/00000000-0000-4000-8000-000000000000"
    )
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM


def test_a_page_costs_the_same_queries_for_10_or_40_services(world: World) -> None:
    api = _system(["directory:read"])

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/services", {"pageSize": "50"}).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    queries()  # the first call of a token also records when it was last used
    for _ in range(10):
        full_directory()
    few = queries()
    for _ in range(30):
        full_directory()
    more = queries()
    assert len(more) == len(few), "\n".join(more)


def test_the_document_describes_the_map(world: World) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    listed = document["paths"]["/services"]["get"]
    assert {p["name"] for p in listed["parameters"]} >= {
        "q",
        "lifeDomain",
        "law",
        "municipality",
        "age",
        "availableNow",
        "page",
        "pageSize",
    }
    assert "/services/{id}" in document["paths"]
