"""The OpenAPI document of /api/v1/ passes Spectral with the API Design Rules ruleset kept in
src/schakelpunt/api/spectral/ (README there: source, licence, what differs), and the check can
go red: a document with a trailing slash, no contact, an HTML error or a BSN in the query
string fails it.

Needs node_modules/.bin/spectral (`npm ci`, `make test` does it when npm is there). Without
it the test is skipped, except in CI (CI=true), where a skipped lint would hide a violation."""

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)
SPECTRAL = ROOT / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / "src" / "schakelpunt" / "api" / "spectral" / "schakelpunt.yaml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spectral() -> Path:
    if not SPECTRAL.exists():
        message = f"Spectral is not installed at {SPECTRAL}; run `npm ci` in {ROOT}."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI must lint the OpenAPI document.")
        pytest.skip(message)
    return SPECTRAL


def lint(
    spectral: Path, document: dict[str, Any], tmp_path: Path
) -> tuple[int, list[dict[str, Any]]]:
    """Spectral's exit code and its findings."""
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    options = ["--fail-severity=error", "--format", "json", "--quiet"]
    run = subprocess.run(  # noqa: S603 - the project's own Spectral on a file it just wrote
        [str(spectral), "lint", "--ruleset", str(RULESET), *options, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if run.returncode == 0 and not run.stdout.strip():
        return 0, []  # --quiet: nothing to say
    assert run.stdout.strip().startswith("["), f"Spectral did not run:\n{run.stdout}{run.stderr}"
    return run.returncode, json.loads(run.stdout)


def shown(findings: list[dict[str, Any]]) -> str:
    """Spectral's findings as it prints them: severity, rule, place and message."""
    names = {0: "error", 1: "warning", 2: "info", 3: "hint"}
    return "\n".join(
        f"{names.get(f.get('severity'), '?'):8} {f['code']:40} "
        f"{'.'.join(str(p) for p in f.get('path', []))}  {f['message']}"
        for f in findings
    )


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    # https, as an installation is reached (ADR: servers use TLS).
    response = Client().get("/api/v1/openapi.json", secure=True)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def test_the_openapi_document_follows_the_api_design_rules(
    spectral: Path, document: dict[str, Any], tmp_path: Path
) -> None:
    code, findings = lint(spectral, document, tmp_path)
    errors = [f for f in findings if f.get("severity") == 0]
    assert code == 0 and not errors, f"Spectral on /api/v1/openapi.json:\n{shown(findings)}"


def _trailing_slash(doc: dict[str, Any]) -> None:
    doc["paths"]["/students/{id}/"] = doc["paths"].pop("/students/{id}")


def _no_contact(doc: dict[str, Any]) -> None:
    del doc["info"]["contact"]


def _version_one(doc: dict[str, Any]) -> None:
    doc["info"]["version"] = "1"


def _html_error(doc: dict[str, Any]) -> None:
    doc["paths"]["/students"]["get"]["responses"]["404"] = {
        "description": "Niet gevonden",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }


def _no_version_header(doc: dict[str, Any]) -> None:
    del doc["paths"]["/students"]["get"]["responses"]["200"]["headers"]
    doc["paths"]["/referrals"]["get"]["responses"]["200"]["headers"] = {}


def _bsn_in_query(doc: dict[str, Any]) -> None:
    doc["paths"]["/students"]["get"]["parameters"].append(
        {"name": "bsn", "in": "query", "schema": {"type": "string"}}
    )


def _bare_array(doc: dict[str, Any]) -> None:
    doc["paths"]["/students"]["get"]["responses"]["200"]["content"]["application/json"] = {
        "schema": {"type": "array", "items": {"type": "object"}}
    }


def _snake_case_query(doc: dict[str, Any]) -> None:
    for parameter in doc["paths"]["/students"]["get"]["parameters"]:
        if parameter["name"] == "pageSize":
            parameter["name"] = "page_size"


def _http_server(doc: dict[str, Any]) -> None:
    doc["servers"][0]["url"] = "http://example.org/api/v1"


def _camel_case_path(doc: dict[str, Any]) -> None:
    doc["paths"]["/studentRecords"] = copy.deepcopy(doc["paths"]["/students"])


def _no_major_version(doc: dict[str, Any]) -> None:
    doc["servers"].append({"url": "https://example.org/api"})


def _errors_missing_from_400(doc: dict[str, Any]) -> None:
    doc["paths"]["/referrals"]["get"]["responses"]["400"] = {
        "description": "Fout",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def _no_400_for_input(doc: dict[str, Any]) -> None:
    del doc["paths"]["/students"]["get"]["responses"]["400"]


def _problem_without_detail(doc: dict[str, Any]) -> None:
    doc["paths"]["/referrals"]["get"]["responses"]["404"] = {
        "description": "Niet gevonden",
        "content": {
            "application/problem+json": {
                "schema": {"type": "object", "properties": {"title": {"type": "string"}}}
            }
        },
    }


def _openapi_json_without_cors(doc: dict[str, Any]) -> None:
    del doc["paths"]["/openapi.json"]["get"]["responses"]["200"]["headers"][
        "Access-Control-Allow-Origin"
    ]


def _date_as_date_time(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Extra"] = {
        "type": "object",
        "properties": {"startDate": {"type": "string", "format": "date-time"}},
    }


def _non_standard_method(doc: dict[str, Any]) -> None:
    doc["paths"]["/students"]["options"] = {"responses": {"200": {"description": "OK"}}}


VIOLATIONS = {
    "adr-paths-kebab-case": _camel_case_path,
    "adr-servers-major-version": _no_major_version,
    "adr-bad-request-errors": _errors_missing_from_400,
    "adr-invalid-input": _no_400_for_input,
    "adr-problem-members": _problem_without_detail,
    "adr-openapi-json-cors": _openapi_json_without_cors,
    "adr-date-format": _date_as_date_time,
    "adr-http-methods": _non_standard_method,
    "adr-no-trailing-slash": _trailing_slash,
    "adr-info-contact": _no_contact,
    "adr-semver": _version_one,
    "adr-problem-media-type": _html_error,
    "adr-version-header": _no_version_header,
    "schakelpunt-no-personal-data-in-url": _bsn_in_query,
    "adr-return-objects": _bare_array,
    "adr-query-keys-camel-case": _snake_case_query,
    "adr-servers-https": _http_server,
}


def test_the_check_itself_goes_red_on_each_violation(
    spectral: Path, document: dict[str, Any], tmp_path: Path
) -> None:
    """One document with every violation at once (one Spectral run): each rule must fire.
    The two that need a document without an absolute server are not tried here."""
    broken = copy.deepcopy(document)
    for break_it in VIOLATIONS.values():
        break_it(broken)
    code, findings = lint(spectral, broken, tmp_path)
    assert code != 0, f"Spectral passed a broken document:\n{shown(findings)}"
    fired = {f["code"] for f in findings if f.get("severity") == 0}
    assert set(VIOLATIONS) <= fired, (
        f"Not caught: {sorted(set(VIOLATIONS) - fired)}\n{shown(findings)}"
    )
    # No headers at all, and headers without API-Version: both caught.
    version = {f["path"][1] for f in findings if f["code"] == "adr-version-header"}
    assert {"/students", "/referrals"} <= version, shown(findings)
