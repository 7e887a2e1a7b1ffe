from django.urls import path

from schakelpunt.accounts import views as account_views
from schakelpunt.support import action_views

from . import example_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("gemeente/", views.municipality, name="municipality"),
    path("acties/", action_views.my_actions, name="my_actions"),
    path("acties/<int:action_id>/gedaan/", action_views.action_done, name="action_done"),
    path("beheer/organisaties/", views.organisations, name="organisations"),
    path("beheer/gebruikers/nieuw/", account_views.invite, name="invite"),
    path("beheer/rollen/", account_views.role_grants, name="role_grants"),
    path(
        "voorbeelden/<slug:name>.csv",
        example_views.example_download,
        {"extension": "csv"},
        name="example_csv",
    ),
    path(
        "voorbeelden/<slug:name>.xlsx",
        example_views.example_download,
        {"extension": "xlsx"},
        name="example_xlsx",
    ),
]
