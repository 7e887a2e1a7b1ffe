"""/api/v1/ endpoints of the school's systems for absence. Paths without a trailing slash,
as the API Design Rules ask."""

from django.urls import URLPattern, URLResolver, path

from .api import AbsenceBatchDetailView, AbsenceBatchListView

urlpatterns: list[URLPattern | URLResolver] = [
    path("absence/batches", AbsenceBatchListView.as_view(), name="api-absence-batches"),
    path(
        "absence/batches/<int:id>",
        AbsenceBatchDetailView.as_view(),
        name="api-absence-batch",
    ),
]
