"""The router for /api/v1/: paths without a trailing slash (ADR /core/no-trailing-slash; a
path with one is a 404, never a redirect) and no browsable root page of its own (the landing
resource is api.views.ApiLandingView). Every app registers its viewsets on one of these:

    router = ApiRouter()
    router.register("students", StudentViewSet, basename="student")
    urlpatterns = router.urls
"""

from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    def __init__(self) -> None:
        super().__init__(trailing_slash=False)
