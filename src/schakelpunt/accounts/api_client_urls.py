from django.urls import URLPattern, URLResolver, path

from . import api_client_views as views

app_name = "api_clients"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.client_list, name="list"),
    path("nieuw/", views.client_add, name="add"),
    path("<int:client_id>/", views.client_detail, name="detail"),
    path("<int:client_id>/sleutel/", views.client_token, name="token"),
    path("<int:client_id>/vernieuwen/", views.client_renew, name="renew"),
    path("<int:client_id>/intrekken/", views.client_revoke, name="revoke"),
]
