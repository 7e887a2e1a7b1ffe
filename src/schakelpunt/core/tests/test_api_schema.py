from django.test import Client
from tests.world import World, client_for


def test_openapi_schema_describes_the_student_endpoints(world: World) -> None:
    response = client_for(world.users["coach"]).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Schakelpunt API"
    # Paths are relative to the server .../api/v1 (ADR /core/uri-version).
    assert schema["servers"][0]["url"].endswith("/api/v1")
    assert "/students" in schema["paths"]
    assert "/students/{id}" in schema["paths"]


def test_the_document_is_public_and_names_fields_never_a_student(world: World) -> None:
    """ADR /core/publish-openapi: readable without logging in, from any origin (decision 0027).
    Field names are no personal data; no value of a student file is ever in it."""
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.content.decode()
    assert "date_of_birth" in body
    for student in world.students.values():
        assert student.last_name not in body
        assert student.student_number not in body
    # The old address leads to the document.
    old = Client().get("/api/schema/")
    assert old.status_code == 301 and old["Location"] == "/api/v1/openapi.json"
