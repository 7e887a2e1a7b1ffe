"""/api/v1/: every endpoint for other systems, one include per app."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from schakelpunt.referrals.api import ReferralViewSet
from schakelpunt.students.api.views import StudentViewSet

router = DefaultRouter()
router.register("students", StudentViewSet, basename="student")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="api-openapi"),
    path("", include("schakelpunt.students.api_urls")),
    path("", include("schakelpunt.referrals.api_urls")),
    path("", include("schakelpunt.signals.api_urls")),
    path("", include("schakelpunt.events.api_urls")),
    path("", include(router.urls)),
]
