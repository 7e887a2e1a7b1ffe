from django.urls import path

from . import health, views

app_name = "operations"

urlpatterns = [
    path("health/live/", views.live, name="live"),
    path(
        "health/ready/",
        views.HealthView.as_view(checks=health.ready_checks()),
        name="ready",
    ),
    path(
        "health/jobs/",
        views.HealthView.as_view(checks=health.JOB_CHECKS),
        name="jobs",
    ),
    path("metrics", views.metrics, name="metrics"),
]
