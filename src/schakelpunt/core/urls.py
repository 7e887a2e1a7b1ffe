from django.urls import path

from schakelpunt.accounts import views as account_views

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("gemeente/", views.municipality, name="municipality"),
    path("beheer/organisaties/", views.organisations, name="organisations"),
    path("beheer/gebruikers/nieuw/", account_views.invite, name="invite"),
]
