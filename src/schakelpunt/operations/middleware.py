"""The request log line (django-structlog) with a request id, and nothing personal in it."""

import re
import time
from typing import Any, cast

import structlog
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django_structlog import signals
from django_structlog.middlewares import RequestMiddleware

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy or load balancer sends (UUIDs, hex, dashes); anything else is replaced.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")


def _no_user_agent(log_kwargs: dict[str, Any], **kwargs: Any) -> None:
    """The browser's version string says little to an operator and narrows down a person."""
    log_kwargs.pop("user_agent", None)


signals.bind_extra_request_metadata.connect(_no_user_agent, dispatch_uid="operations-no-ua")


class RequestLogMiddleware(RequestMiddleware):
    """One `request_finished` line per request: request_id, method, path without its query
    string (a search term can be a student's name), status, duration_ms and user_id.

    The request id comes from an incoming X-Request-ID when well formed, else a new UUID; the
    response carries it back in X-Request-ID.
    """

    sync_capable = True
    async_capable = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        if incoming and not WELL_FORMED_REQUEST_ID.fullmatch(incoming):
            del request.META["HTTP_X_REQUEST_ID"]
        started = time.perf_counter()
        request._log_started = started  # type: ignore[attr-defined]
        # An HttpResponse, or a streamed one (a file, the favicon, a CSV export).
        response = cast(HttpResponseBase, super().__call__(request))
        response[REQUEST_ID_HEADER] = request._request_id  # type: ignore[attr-defined]
        return response  # type: ignore[return-value]

    def prepare(self, request: HttpRequest) -> None:
        structlog.contextvars.bind_contextvars(method=request.method, path=request.path)
        super().prepare(request)
        request._request_id = structlog.contextvars.get_contextvars()["request_id"]  # type: ignore[attr-defined]

    def handle_response(self, request: HttpRequest, response: HttpResponse) -> None:
        elapsed = time.perf_counter() - request._log_started  # type: ignore[attr-defined]
        structlog.contextvars.bind_contextvars(
            status=response.status_code, duration_ms=round(elapsed * 1000, 1)
        )
        super().handle_response(request, response)

    @staticmethod
    def format_request(request: HttpRequest) -> str:
        # django-structlog writes get_full_path(): the query string would go into the log.
        return f"{request.method} {request.path}"
