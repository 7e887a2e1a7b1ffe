"""Two conventions of the API Design Rules for every answer under /api/v1/, whichever part
of Django gave it: the full version in `API-Version` (/core/version-header), and every
error as `application/problem+json` in Dutch (/core/error-handling/problem-details) — also
Django's own 404 for an unknown path and its 500, which would otherwise be an HTML page (with
DEBUG on, a page full of internals)."""

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from .problems import PROBLEM_JSON, default_detail, problem_body

API_PREFIX = "/api/v1"
# Headers an error keeps when its body is replaced.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Link")

logger = logging.getLogger("schakelpunt.api")


def api_version() -> str:
    """The full semantic version of /api/v1/, from the OpenAPI document's `info.version`."""
    return str(settings.SPECTACULAR_SETTINGS["VERSION"])


def _is_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def _is_problem(response: HttpResponseBase) -> bool:
    return str(response.get("Content-Type", "")).startswith(PROBLEM_JSON)


def _detail_of(response: HttpResponseBase) -> str:
    """A JSON `detail` a view or middleware gave (e.g. the second factor's refusal); never a
    server error's own text."""
    status = response.status_code
    if status >= 500 or response.streaming or not isinstance(response, HttpResponse):
        return default_detail(status)
    if not str(response.get("Content-Type", "")).startswith("application/json"):
        return default_detail(status)
    try:
        data = json.loads(response.content)
    except ValueError:
        return default_detail(status)
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return data["detail"]
    return default_detail(status)


class ApiConventionsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not _is_api(request.path):
            return response
        if response.status_code >= 400 and not _is_problem(response):
            if response.status_code >= 500:
                logger.error(
                    "API %s %s answered %s", request.method, request.path, response.status_code
                )
            replaced = HttpResponse(
                json.dumps(
                    problem_body(response.status_code, _detail_of(response), instance=request.path)
                ),
                status=response.status_code,
                content_type=PROBLEM_JSON,
            )
            for header in _KEPT_HEADERS:
                if header in response:
                    replaced[header] = response[header]
            response = replaced
        response["API-Version"] = api_version()
        return response
