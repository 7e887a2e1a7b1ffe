"""Health and metrics endpoints for load balancers, orchestrators and Prometheus.

No login: they reveal no personal data and no institution names (counts only).
"""

import hmac
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from health_check.views import HealthCheckView  # type: ignore[import-untyped]
from prometheus_client import CONTENT_TYPE_LATEST

from .metrics import metrics_exposition


class HealthView(HealthCheckView):
    """django-health-check's view with 503 for unhealthy (what load balancers expect) and
    plain text instead of its HTML page (whose inline style our CSP refuses)."""

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response

    def render_to_response(self, context: Any, **response_kwargs: Any) -> HttpResponse:
        return self.render_to_response_text(response_kwargs.get("status", 200))


@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """The process answers; nothing else is asked (a restart would not cure a database)."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def _may_scrape(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: with the bearer token or from an allowed address, else 404 (not
    even that the page exists)."""
    if not _may_scrape(request):
        raise Http404
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)
