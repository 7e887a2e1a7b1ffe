"""Errors as `application/problem+json` (RFC 9457), in Dutch, as the API Design Rules ask."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    status.HTTP_400_BAD_REQUEST: _("De aanvraag klopt niet."),
    status.HTTP_401_UNAUTHORIZED: _("Niet aangemeld."),
    status.HTTP_403_FORBIDDEN: _("Geen toegang."),
    status.HTTP_404_NOT_FOUND: _("Niet gevonden."),
    status.HTTP_405_METHOD_NOT_ALLOWED: _("Deze methode kan hier niet."),
    status.HTTP_406_NOT_ACCEPTABLE: _("Dit formaat kan niet."),
    status.HTTP_409_CONFLICT: _("Dit botst met een eerdere wijziging."),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: _("Dit soort inhoud kan niet."),
    status.HTTP_429_TOO_MANY_REQUESTS: _("Te veel aanvragen."),
}


def _invalid_params(data: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested errors into [{name, reason}], names as dotted paths."""
    found: list[dict[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found.extend(_invalid_params(value, name))
    elif isinstance(data, list):
        if all(not isinstance(item, (dict, list)) for item in data):
            for item in data:
                found.append({"name": prefix or "body", "reason": str(item)})
        else:
            for index, item in enumerate(data):
                found.extend(
                    _invalid_params(item, f"{prefix}[{index}]" if prefix else f"[{index}]")
                )
    else:
        found.append({"name": prefix or "body", "reason": str(data)})
    return found


def problem_response(
    status_code: int, detail: str, *, instance: str = "", **extra: Any
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(_TITLES.get(status_code, _("Er ging iets mis."))),
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_JSON)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Niet gevonden, of u mag het niet zien."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("U mag dit niet."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    data = response.data
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = _("Een of meer velden kloppen niet; er is niets opgeslagen.")
        extra["invalidParams"] = _invalid_params(data)
    elif isinstance(data, dict) and "detail" in data:
        detail = str(data["detail"])
    else:
        detail = str(data)
    problem = problem_response(response.status_code, detail, instance=instance, **extra)
    for header, value in response.items():
        if header.lower() not in {"content-type", "content-length"}:
            problem[header] = value
    return problem
