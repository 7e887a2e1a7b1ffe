"""URLs of the privacy app's register screens (names in the "privacy" namespace)."""

from django.urls import URLPattern, URLResolver, path

from . import register_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("register/", register_views.register_page, name="register"),
    path("register/csv/", register_views.register_download, name="register_csv"),
]
