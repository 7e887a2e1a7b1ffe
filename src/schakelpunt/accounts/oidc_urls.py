from django.urls import URLPattern, URLResolver, path

from . import oidc_auth, oidc_views

app_name = "oidc"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:provider_id>/start/", oidc_auth.OidcStartView.as_view(), name="start"),
    path("callback/", oidc_auth.OidcCallbackView.as_view(), name="callback"),
    path("instellen/", oidc_views.provider_settings, name="settings"),
]
