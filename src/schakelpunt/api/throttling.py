"""A rate limit per connected system (docs/api.md, 'Grenzen'): by default 600 requests a
minute, `SCHAKELPUNT_API_RATE_LIMIT` in the environment. Over it: 429 with `Retry-After`.
People working on the screens are not limited here; their sessions are not systems.

The counts live in Django's cache: with the default local-memory cache each web server
process counts for itself, so N processes allow up to N times the rate."""

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .permissions import request_client


class ConnectedSystemRateThrottle(SimpleRateThrottle):
    scope = "connected_system"

    def get_rate(self) -> str | None:
        # Read at each request, so a changed setting (and a test's override) counts at once.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate else None

    def allow_request(self, request: Request, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = request_client(request)
        if client is None:
            return None
        # The token's prefix too: a renewed token starts afresh, a reused id never inherits.
        ident = f"{client.pk}-{client.token_prefix}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
