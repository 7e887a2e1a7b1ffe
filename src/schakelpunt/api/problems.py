"""Errors as `application/problem+json` (RFC 9457), in Dutch, as the API Design Rules ask.

Every answer of 400 or more under /api/v1/ is a problem: DRF's exceptions through
`exception_handler`, and Django's own answers (an unknown path, a server error) through
`api.middleware`, which uses `problem_body` too. A 400 names each wrong value in `errors`
(ADR /core/error-handling/bad-request: `in`, `location`, `code`, `detail`) and, for clients
written against the older extension, the same in `invalidParams` (`name`, `code`, `reason`).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    status.HTTP_400_BAD_REQUEST: gettext_lazy("De aanvraag klopt niet."),
    status.HTTP_401_UNAUTHORIZED: gettext_lazy("Niet aangemeld."),
    status.HTTP_403_FORBIDDEN: gettext_lazy("Geen toegang."),
    status.HTTP_404_NOT_FOUND: gettext_lazy("Niet gevonden."),
    status.HTTP_405_METHOD_NOT_ALLOWED: gettext_lazy("Deze methode kan hier niet."),
    status.HTTP_406_NOT_ACCEPTABLE: gettext_lazy("Dit formaat kan niet."),
    status.HTTP_409_CONFLICT: gettext_lazy("Dit botst met een eerdere wijziging."),
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: gettext_lazy("De aanvraag is te groot."),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: gettext_lazy("Dit soort inhoud kan niet."),
    status.HTTP_422_UNPROCESSABLE_ENTITY: gettext_lazy("De aanvraag kan niet worden verwerkt."),
    status.HTTP_429_TOO_MANY_REQUESTS: gettext_lazy("Te veel aanvragen."),
    status.HTTP_500_INTERNAL_SERVER_ERROR: gettext_lazy("Er ging iets mis."),
    status.HTTP_503_SERVICE_UNAVAILABLE: gettext_lazy("Tijdelijk niet beschikbaar."),
}

# What Django's own answers say, when no view said more (api.middleware).
_DEFAULT_DETAILS = {
    status.HTTP_400_BAD_REQUEST: gettext_lazy("De aanvraag klopt niet."),
    status.HTTP_401_UNAUTHORIZED: gettext_lazy("Meld u aan of stuur de sleutel van de koppeling."),
    status.HTTP_403_FORBIDDEN: gettext_lazy("U mag dit niet."),
    status.HTTP_404_NOT_FOUND: gettext_lazy("Dit adres bestaat niet in de API."),
    status.HTTP_405_METHOD_NOT_ALLOWED: gettext_lazy("Deze methode kan op dit adres niet."),
    status.HTTP_500_INTERNAL_SERVER_ERROR: gettext_lazy(
        "Er ging iets mis aan onze kant; er is niets opgeslagen. Probeer het later opnieuw."
    ),
}


def problem_title(status_code: int) -> str:
    return str(_TITLES.get(status_code, gettext_lazy("Er ging iets mis.")))


def default_detail(status_code: int) -> str:
    return str(_DEFAULT_DETAILS.get(status_code, problem_title(status_code)))


def problem_body(
    status_code: int,
    detail: str,
    *,
    instance: str = "",
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem_title(status_code),
        "status": status_code,
        "detail": str(detail),
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
        body["invalidParams"] = [
            {
                "name": _error_name(error),
                "code": error.get("code", "invalid"),
                "reason": error["detail"],
            }
            for error in errors
        ]
    body.update(extra)
    return body


def problem_response(
    status_code: int,
    detail: str,
    *,
    instance: str = "",
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Response:
    """A problem for a view's own refusal, e.g. `problem_response(409, _("..."))`. A 400
    without `errors` gets one for the whole body, so every 400 has the same shape."""
    if status_code == status.HTTP_400_BAD_REQUEST and errors is None:
        errors = [
            {"in": "body", "location": {"pointer": "#"}, "code": "invalid", "detail": str(detail)}
        ]
    body = problem_body(status_code, detail, instance=instance, errors=errors, **extra)
    return Response(body, status=status_code, content_type=PROBLEM_JSON)


def _error_name(error: dict[str, Any]) -> str:
    location = error.get("location", {})
    if "name" in location:
        return str(location["name"])
    pointer = str(location.get("pointer", "#"))
    return pointer.removeprefix("#/").replace("/", ".") if pointer != "#" else "body"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def validation_errors(data: Any, *, where: str = "body") -> list[dict[str, Any]]:
    """DRF's nested errors as ADR error objects; body values by JSON pointer, others by name."""
    found: list[dict[str, Any]] = []

    def walk(value: Any, path: list[str]) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, path if key == "non_field_errors" else [*path, str(key)])
        elif isinstance(value, list) and all(not isinstance(i, (dict, list)) for i in value):
            for message in value:
                found.append(_error(message, path))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, [*path, str(index)])
        else:
            found.append(_error(value, path))

    def _error(message: Any, path: list[str]) -> dict[str, Any]:
        if where == "body":
            pointer = "#" + "".join(f"/{_escape(token)}" for token in path)
            location: dict[str, Any] = {"pointer": pointer}
        else:
            location = {"name": path[0] if path else ""}
        return {
            "in": where,
            "location": location,
            "code": str(getattr(message, "code", None) or "invalid"),
            "detail": str(message),
        }

    walk(data, [])
    return found


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    errors: list[dict[str, Any]] | None = None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Niet gevonden, of u mag het niet zien."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("U mag dit niet."))
    elif isinstance(exc, exceptions.ParseError):
        # The parser's own message names its internals (and is in English).
        detail = _("De inhoud is geen geldige JSON; er is niets opgeslagen.")
        errors = [
            {"in": "body", "location": {"pointer": "#"}, "code": "parse_error", "detail": detail}
        ]
        exc = exceptions.ParseError(detail)
    elif isinstance(exc, exceptions.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        exc = exceptions.Throttled(
            wait=wait,
            detail=_(
                "Te veel aanvragen van deze koppeling; probeer het over %(seconds)d seconden opnieuw."
            )
            % {"seconds": wait},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.path if request is not None else ""
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        detail = _("Een of meer waarden kloppen niet; er is niets opgeslagen.")
        errors = validation_errors(data, where=getattr(exc, "location", "body"))
    elif isinstance(data, dict) and "detail" in data:
        detail = str(data["detail"])
    else:
        detail = str(data)
    problem = problem_response(response.status_code, detail, instance=instance, errors=errors)
    for header, value in response.items():
        if header.lower() not in {"content-type", "content-length"}:
            problem[header] = value
    return problem
