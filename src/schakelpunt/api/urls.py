"""/api/v1/: every endpoint for other systems, one include per app. Paths have no trailing
slash (ADR /core/no-trailing-slash): apps register their viewsets on `api.routers.ApiRouter`."""

from django.urls import include, path

from schakelpunt.referrals.api import ReferralViewSet
from schakelpunt.students.api.views import StudentViewSet

from .routers import ApiRouter
from .views import ApiLandingView, OpenApiDocumentView

router = ApiRouter()
router.register("students", StudentViewSet, basename="student")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    path("", ApiLandingView.as_view(), name="api-landing"),
    path("openapi.json", OpenApiDocumentView.as_view(), name="api-openapi"),
    path("", include("schakelpunt.students.api_urls")),
    path("", include("schakelpunt.referrals.api_urls")),
    path("", include("schakelpunt.signals.api_urls")),
    path("", include("schakelpunt.events.api_urls")),
    path("", include("schakelpunt.directory.api_urls")),
    path("", include(router.urls)),
]
