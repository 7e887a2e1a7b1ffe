"""URLs of the privacy app's rights screens (names in the "privacy" namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
