from django.test import Client


def test_openapi_schema_describes_the_student_endpoints(db):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Schakelpunt API"
    assert "/api/v1/students/" in schema["paths"]
    assert "/api/v1/students/{id}/" in schema["paths"]
