"""/api/v1/services: the sociale kaart for connected systems (`directory:read`, api.py)."""

from django.urls import URLPattern, URLResolver, path

from . import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("services", api.DirectoryServiceListView.as_view(), name="api-services"),
    path("services/<uuid:id>", api.DirectoryServiceDetailView.as_view(), name="api-service"),
]
