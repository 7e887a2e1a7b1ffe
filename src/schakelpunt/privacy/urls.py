from django.urls import include, path

app_name = "privacy"

# Screens of the privacy app under /privacy/, one URL module per area so each can grow apart.
urlpatterns = [
    path("", include("schakelpunt.privacy.register_urls")),
    path("", include("schakelpunt.privacy.retention_urls")),
    path("", include("schakelpunt.privacy.rights_urls")),
    path("", include("schakelpunt.privacy.requests_urls")),
]
