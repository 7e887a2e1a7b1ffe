"""URLs of the privacy app's retention screens (names in the "privacy" namespace)."""

from django.urls import URLPattern, URLResolver, path

from . import retention_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("bewaartermijnen/", views.retention_runs, name="retention_runs"),
    path("bewaartermijnen/nieuw/", views.retention_new, name="retention_new"),
    path("bewaartermijnen/<int:run_id>/", views.retention_run, name="retention_run"),
    path(
        "bewaartermijnen/<int:run_id>/goedkeuren/",
        views.retention_review,
        name="retention_review",
    ),
    path(
        "bewaartermijnen/<int:run_id>/annuleren/",
        views.retention_cancel_view,
        name="retention_cancel",
    ),
    path(
        "bewaartermijnen/<int:run_id>/blokkade/<int:candidate_id>/",
        views.retention_hold,
        name="retention_hold",
    ),
]
