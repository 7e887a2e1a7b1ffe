from django.test import Client
from tests.world import World, client_for

SCHEMA = "application/vnd.oai.openapi+json"


def test_openapi_schema_describes_the_student_endpoints(world: World) -> None:
    response = client_for(world.users["coach"]).get("/api/schema/", HTTP_ACCEPT=SCHEMA)
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Schakelpunt API"
    assert "/api/v1/students/" in schema["paths"]
    assert "/api/v1/students/{id}/" in schema["paths"]


def test_the_schema_is_not_shown_to_someone_who_is_not_logged_in(db) -> None:
    for accept in (SCHEMA, "application/json", "text/html"):
        response = Client().get("/api/schema/", HTTP_ACCEPT=accept)
        assert response.status_code in {403, 406}, accept  # 406: no HTML rendering of it
        assert b"/api/v1/students/" not in response.content
    assert Client().get("/api/schema/?format=json").status_code == 403
