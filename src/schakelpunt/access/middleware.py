"""Carries the request's address to the logs that are written below the views."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .decisions import current_path


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_path.set(request.get_full_path())
        try:
            return self.get_response(request)
        finally:
            current_path.reset(token)
