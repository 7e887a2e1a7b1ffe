"""The router for /api/v1/: paths without a trailing slash (ADR /core/no-trailing-slash; a
path with one is a 404, never a redirect) and no browsable root page of its own (the landing
resource is api.views.ApiLandingView). Every app registers its viewsets on one of these:

    router = ApiRouter()
    router.register("students", StudentViewSet, basename="student")
    urlpatterns = router.urls

A viewset looked up by its primary key takes digits only in the path, unless it names its own
`lookup_value_regex`: `/students/abc` is a 404 like any unknown path, and never reaches a view
that would turn it into a number (schemathesis found a 500 that way)."""

from typing import Any

from rest_framework.routers import SimpleRouter

DIGITS = "[0-9]+"


class ApiRouter(SimpleRouter):
    def __init__(self) -> None:
        super().__init__(trailing_slash=False)

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        by_key = getattr(viewset, "lookup_field", "pk") in ("pk", "id")
        if by_key and not hasattr(viewset, "lookup_value_regex"):
            lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(
                viewset, "lookup_field", "pk"
            )
            return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{DIGITS})"
        return str(super().get_lookup_regex(viewset, lookup_prefix))
