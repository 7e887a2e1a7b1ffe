"""No personal data in a URL (the issue, and the ADR transport security module): a path or
a query string ends up in web server logs, proxies and browser histories. So no endpoint of
/api/v1/ has a path or query parameter, or a fixed path segment, that names a BSN, a student
number, a name, an e-mail address, a birth date, an address or a phone number. Walks the published document, so
every endpoint added later is checked too."""

import re
from typing import Any

import pytest
from django.test import Client

LOOKS_PERSONAL = re.compile(
    r"bsn|burgerservice|student[-_]?number|studentnummer|by-number|name|naam|e-?mail|birth|"
    r"geboorte|postcode|zip|address|adres|phone|telefoon|straat|street|woonplaats",
    re.IGNORECASE,
)
METHODS = ("get", "put", "post", "patch", "delete")


def personal_names_in_urls(document: dict[str, Any]) -> list[str]:
    found = []
    for path, item in document["paths"].items():
        for segment in path.strip("/").split("/"):
            if not segment.startswith("{") and LOOKS_PERSONAL.search(segment):
                found.append(f"{path}: path segment {segment}")
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for parameter in [*shared, *operation.get("parameters", [])]:
                if parameter.get("in") in ("path", "query") and LOOKS_PERSONAL.search(
                    parameter["name"]
                ):
                    found.append(f"{method.upper()} {path}: {parameter['in']} {parameter['name']}")
    return found


def test_no_endpoint_takes_personal_data_in_its_url(db: None) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    assert len(document["paths"]) >= 3
    assert personal_names_in_urls(document) == []


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/students", {"name": "bsn", "in": "query"}),
        ("/students", {"name": "lastName", "in": "query"}),
        ("/students/{email}", {"name": "email", "in": "path"}),
        ("/students", {"name": "geboortedatum", "in": "query"}),
        ("/students", {"name": "postcode", "in": "query"}),
        ("/students/by-name", None),
        ("/students/by-number/{studentNumber}", {"name": "studentNumber", "in": "path"}),
        ("/students/{student_number}", {"name": "student_number", "in": "path"}),
        ("/leerlingen", {"name": "studentnummer", "in": "query"}),
        ("/students/by-number/{id}", None),
    ],
)
def test_the_check_itself_finds_personal_data(path: str, parameter: dict[str, str] | None) -> None:
    operation = {"parameters": [parameter] if parameter else []}
    assert personal_names_in_urls({"paths": {path: {"get": operation}}}) != []
    harmless = {"parameters": [{"name": "pageSize", "in": "query"}]}
    assert personal_names_in_urls({"paths": {"/students/{id}": {"get": harmless}}}) == []
