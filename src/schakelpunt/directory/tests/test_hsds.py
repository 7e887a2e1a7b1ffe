"""The sociale kaart as HSDS 3 JSON: the export validates against the official schemas, an
invalid import is refused with the errors and changes nothing, and the round trip is exact."""

import json
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from schakelpunt.directory.hsds import directory_export, directory_import
from schakelpunt.directory.models import (
    Contact,
    DirectoryLocation,
    DirectoryOrganisation,
    OpeningHours,
    Service,
    ServiceAtLocation,
)

from .factories import full_directory

# The official schemas are test material beside the checkout (../shared/data/hsds3); a clone
# elsewhere finds them through SCHAKELPUNT_HSDS_DIR or at the workplace's fixed place.
_CANDIDATES = [
    Path(os.environ.get("SCHAKELPUNT_HSDS_DIR", "/nonexistent")),
    Path(__file__).resolve().parents[5] / "shared" / "data" / "hsds3",
    Path("/work/shared/data/hsds3"),
]
HSDS = next((c for c in _CANDIDATES if (c / "schema").is_dir()), _CANDIDATES[1])
ALL_TABLES = [
    DirectoryOrganisation,
    DirectoryLocation,
    Service,
    ServiceAtLocation,
    Contact,
    OpeningHours,
]


def _official(folder: Path) -> Registry:
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the official HSDS schemas are required in CI ({folder})")
        pytest.skip("the official HSDS schemas (../shared/data/hsds3) are not on this machine")
    resources = []
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text())
        if "properties" in schema:
            resources.append((path.name, Resource.opaque(schema)))
    return Registry().with_resources(resources)


def _validate(instance: Any, table: str, folder: Path) -> list[str]:
    registry = _official(folder)
    schema = registry[table].contents
    validator = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_TABLES}


def _wipe() -> None:
    for model in reversed(ALL_TABLES):
        model.objects.all().delete()


@pytest.mark.django_db
def test_export_validates_against_the_official_hsds_schemas(refdata: None) -> None:
    full_directory()
    document = directory_export()
    assert len(document["organizations"]) == 2
    assert len(document["services"]) == 2
    for organisation in document["organizations"]:
        assert _validate(organisation, "organization.json", HSDS / "schema") == []
    for service in document["services"]:
        assert _validate(service, "service.json", HSDS / "schema") == []
        # The 3.1 draft adds service_capacity; our capacities validate against it too.
        assert _validate(service, "service.json", HSDS / "v3.1-dev" / "schema") == []
    addiction = next(s for s in document["services"] if s["name"] == "Verslavingszorg jongeren")
    assert addiction["capacities"][0]["available"] == 3
    assert {f["source"] for f in addiction["funding"]} == {"Jeugdwet", "Zorgverzekeringswet"}
    assert addiction["service_at_locations"][0]["schedules"][0]["byday"] == "TU"


@pytest.mark.django_db
def test_round_trip_into_an_empty_database_gives_the_same_document(refdata: None) -> None:
    full_directory()
    first = directory_export()
    counts = _counts()
    _wipe()
    result = directory_import(json.dumps(first).encode())
    assert result.ok, result.errors
    assert _counts() == counts
    assert directory_export() == first
    service = Service.objects.get(name="Verslavingszorg jongeren")
    assert service.needs_decision and service.first_contact_days == 5
    assert service.wait_days == 14
    assert sorted(service.areas.values_list("cbs_code", flat=True)) == ["GM0153", "GM0164"]


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(refdata: None) -> None:
    full_directory()
    data = json.dumps(directory_export()).encode()
    before = list(Service.objects.values_list("pk", "updated_at", "version", "search_text"))
    result = directory_import(data)
    assert result.ok
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged > 0
    assert list(Service.objects.values_list("pk", "updated_at", "version", "search_text")) == before


@pytest.mark.django_db
def test_an_invalid_file_is_refused_with_the_errors_and_changes_nothing(refdata: None) -> None:
    full_directory()
    document = directory_export()
    counts = _counts()
    document["services"][0]["name"] = "Nieuwe naam die niet mag landen"
    del document["services"][1]["status"]
    document["organizations"][0]["id"] = "geen-uuid"
    result = directory_import(json.dumps(document).encode())
    assert not result.ok
    messages = [str(e) for e in result.errors]
    assert "services[1]: verplicht veld ontbreekt: status" in messages
    assert any(m.startswith("organizations[0].id: is geen geldige UUID") for m in messages)
    assert _counts() == counts
    assert not Service.objects.filter(name="Nieuwe naam die niet mag landen").exists()


@pytest.mark.django_db
def test_references_that_do_not_resolve_are_refused(refdata: None) -> None:
    full_directory()
    document = directory_export()
    _wipe()
    service = document["services"][0]
    service["organization_id"] = "00000000-0000-4000-8000-000000000000"
    service["funding"] = [{"id": "00000000-0000-4000-8000-000000000001", "source": "Subsidie"}]
    service["wait_time"] = "binnenkort"
    result = directory_import(json.dumps(document).encode())
    messages = [str(e) for e in result.errors]
    assert any("staat niet in het bestand" in m for m in messages)
    assert any("onbekende wet of financiering" in m for m in messages)
    assert any("schrijf de wachttijd als" in m for m in messages)
    assert sum(_counts().values()) == 0


@pytest.mark.django_db
def test_not_json_is_refused_in_dutch(refdata: None) -> None:
    result = directory_import(b"{ dit is geen json")
    assert [str(e) for e in result.errors] == [
        "Het bestand is geen geldige JSON (regel 1, kolom 3)."
    ]


@pytest.mark.django_db
def test_the_command_line_exports_and_imports(refdata: None, tmp_path: Path) -> None:
    full_directory()
    out = StringIO()
    call_command("directory", "export", "--format", "hsds", stdout=out)
    exported = out.getvalue()
    _wipe()
    path = tmp_path / "kaart.json"
    path.write_text(exported)
    done = StringIO()
    call_command("directory", "import", str(path), stdout=done)
    assert "nieuw" in done.getvalue()
    again = StringIO()
    call_command("directory", "export", stdout=again)
    assert again.getvalue() == exported
    path.write_text('{"organizations": [], "services": [{}]}')
    with pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command("directory", "import", str(path), stderr=StringIO())
