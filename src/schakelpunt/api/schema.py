"""The OpenAPI document of /api/v1/ (`/api/v1/openapi.json`), made to follow the API Design
Rules (docs/api.md, decision 0027) for every endpoint, including those added later:

- only /api/v1/ is described, its paths relative to the server `.../api/v1`;
- every 2xx/3xx answer names the `API-Version` header, every list the `Link` header;
- every operation names its possible errors as `application/problem+json` (400 with
  `errors` where it takes input, 401/403 where a sleutel or session is needed, 404, 429, 500);
- `servers` is the address the document was asked on, so a copy tells where it came from.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .middleware import API_PREFIX, api_version

WRITE_METHODS = ("post", "put", "patch", "delete")
SUCCESS = ("2", "3")

# Dutch descriptions of the tags (the first path segment after /api/v1/).
TAG_DESCRIPTIONS = {
    "api": "Het startpunt van de API en dit document.",
    "students": "Studenten: wat de aanvrager van een dossier mag zien, en het bijhouden ervan "
    "door het studentinformatiesysteem.",
    "programmes": "Opleidingen van een instelling.",
    "absence": "Verzuim: dagen van afwezigheid, aangeleverd door het studentinformatiesysteem.",
    "signals": "Verzuim en signalen.",
    "referrals": "Verwijzingen naar zorg en ondersteuning, en de stappen van de aanbieder.",
    "events": "Gebeurtenissen en abonnementen voor andere systemen.",
    "subscriptions": "Abonnementen op gebeurtenissen.",
    "directory": "De sociale kaart.",
}


def only_api_v1(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """Preprocessing hook: the document describes /api/v1/ and nothing else."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX + "/")]


def server_url(request: HttpRequest | None) -> str:
    if request is not None:
        return request.build_absolute_uri(API_PREFIX)
    return str(settings.SITE_URL).rstrip("/") + API_PREFIX


def _problem_schema(*, with_errors: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "type": {
            "type": "string",
            "description": "Het soort probleem; `about:blank` als de status alles zegt.",
            "example": "about:blank",
        },
        "title": {
            "type": "string",
            "description": "Korte omschrijving van de status, in het Nederlands.",
        },
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {
            "type": "string",
            "description": "Wat er aan de hand is, in het Nederlands.",
        },
        "instance": {"type": "string", "description": "Het pad van de aanvraag."},
    }
    required = ["type", "title", "status", "detail"]
    if with_errors:
        properties["errors"] = {
            "type": "array",
            "description": "Elke waarde die niet klopt (ADR /core/error-handling/bad-request).",
            "items": {
                "type": "object",
                "required": ["in", "detail"],
                "additionalProperties": False,
                "properties": {
                    "in": {"type": "string", "enum": ["body", "query", "path", "header"]},
                    "location": {
                        "type": "object",
                        "additionalProperties": False,
                        "description": "`pointer` (JSON Pointer) in de inhoud; `name` elders.",
                        "properties": {
                            "pointer": {"type": "string", "example": "#/studentNumber"},
                            "name": {"type": "string", "example": "pageSize"},
                            "index": {"type": "integer", "minimum": 0},
                        },
                    },
                    "code": {"type": "string", "example": "required"},
                    "detail": {"type": "string"},
                },
            },
        }
        properties["invalidParams"] = {
            "type": "array",
            "description": "Hetzelfde als `errors`, in de vorm van de oudere ADR-uitbreiding.",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        }
        required.append("errors")
    return {"type": "object", "required": required, "properties": properties}


_ERRORS = {
    "400": ("BadRequest", "De aanvraag klopt niet; `errors` noemt elke waarde."),
    "401": (
        "Problem",
        "Niet aangemeld: de sleutel ontbreekt, is onbekend, verlopen of ingetrokken.",
    ),
    "403": (
        "Problem",
        "Geen toegang: de koppeling heeft dit recht niet, of de persoon mag dit niet.",
    ),
    "404": ("Problem", "Niet gevonden, of de aanvrager mag het niet zien (hetzelfde antwoord)."),
    "406": ("Problem", "Het gevraagde formaat kan niet; de API spreekt JSON."),
    "409": ("Problem", "Botst met de huidige toestand of een eerdere wijziging."),
    "415": ("Problem", "De inhoud moet JSON zijn (`Content-Type: application/json`)."),
    "429": (
        "Problem",
        "Te veel aanvragen van deze koppeling; `Retry-After` zegt hoe lang te wachten.",
    ),
    "500": ("Problem", "Er ging iets mis aan onze kant; er is niets opgeslagen."),
}


def _components(result: dict[str, Any]) -> None:
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = _problem_schema(with_errors=False)
    schemas["BadRequestProblem"] = _problem_schema(with_errors=True)
    headers = components.setdefault("headers", {})
    headers["API-Version"] = {
        "description": "De volledige versie van de API (semantic versioning).",
        "schema": {"type": "string", "example": api_version()},
    }
    headers["Link"] = {
        "description": "Naar andere pagina's (RFC 8288): `first`, `prev`, `next`, `last`; "
        "een relatie zonder pagina ontbreekt.",
        "schema": {"type": "string"},
    }
    headers["Retry-After"] = {
        "description": "Het aantal seconden om te wachten.",
        "schema": {"type": "integer"},
    }
    headers["WWW-Authenticate"] = {
        "description": "Hoe aan te melden: `Bearer`.",
        "schema": {"type": "string"},
    }
    responses = components.setdefault("responses", {})
    for code, (schema, description) in _ERRORS.items():
        name = f"Problem{code}"
        response: dict[str, Any] = {
            "description": description,
            "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
            "content": {
                "application/problem+json": {
                    "schema": {
                        "$ref": "#/components/schemas/"
                        + ("BadRequestProblem" if schema == "BadRequest" else "Problem")
                    }
                }
            },
        }
        if code == "429":
            response["headers"]["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        if code == "401":
            response["headers"]["WWW-Authenticate"] = {
                "$ref": "#/components/headers/WWW-Authenticate"
            }
        responses[name] = response


def _error_codes(method: str, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    codes = []
    if method in WRITE_METHODS or parameters or "requestBody" in operation:
        codes.append("400")
    # An operation with `{}` among its security alternatives is open to everyone.
    open_to_all = {} in operation.get("security", [{}])
    if not open_to_all:
        codes += ["401", "403"]
    if any(p.get("in") == "path" for p in parameters) or any(
        p.get("name") == "page" for p in parameters
    ):
        codes.append("404")
    if method in WRITE_METHODS and method != "delete":
        codes += ["409", "415"]
    codes += ["406", "429", "500"]
    return codes


def adr_conventions(
    result: dict[str, Any], generator: Any, request: HttpRequest | None, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: see the module's docstring."""
    result["openapi"] = "3.0.3"
    info = result.setdefault("info", {})
    info["version"] = api_version()
    contact = dict(info.get("contact") or {})
    contact.setdefault("url", server_url(request).removesuffix(API_PREFIX) + "/")
    info["contact"] = contact
    result["servers"] = [
        {"url": server_url(request), "description": "Deze installatie van Schakelpunt."}
    ]
    _components(result)
    used_tags: list[str] = []
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for tag in operation.get("tags", []):
                if tag not in used_tags:
                    used_tags.append(tag)
            responses = operation.setdefault("responses", {})
            listed = any(p.get("name") == "page" for p in operation.get("parameters", []))
            for code, response in responses.items():
                if str(code).startswith(SUCCESS) and "$ref" not in response:
                    headers = response.setdefault("headers", {})
                    headers["API-Version"] = {"$ref": "#/components/headers/API-Version"}
                    if listed:
                        headers["Link"] = {"$ref": "#/components/headers/Link"}
                    if operation.get("operationId") == "getOpenapi":
                        headers["Access-Control-Allow-Origin"] = {
                            "description": "`*`: elke herkomst mag dit document lezen.",
                            "schema": {"type": "string", "enum": ["*"]},
                        }
            for code in _error_codes(method, operation):
                responses.setdefault(code, {"$ref": f"#/components/responses/Problem{code}"})
            for code, response in responses.items():
                if "$ref" in response:
                    continue
                headers = response.setdefault("headers", {})
                headers.setdefault("API-Version", {"$ref": "#/components/headers/API-Version"})
                # A view's own 400 has the same shape as every other (problems.problem_response).
                problem = response.get("content", {}).get("application/problem+json")
                if str(code) == "400" and problem is not None:
                    problem["schema"] = {"$ref": "#/components/schemas/BadRequestProblem"}
    known = {tag["name"]: tag for tag in result.get("tags", [])}
    result["tags"] = [
        known.get(tag) or {"name": tag, "description": TAG_DESCRIPTIONS.get(tag, tag)}
        for tag in sorted(used_tags)
    ]
    return result
