"""URLs of the privacy app's requests screens (names in the "privacy" namespace): the
student's "Mijn gegevens" with their requests, and the coordinators' queue."""

from django.urls import URLPattern, URLResolver, path

from . import requests_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("mijn-gegevens/", views.my_data, name="my_data"),
    path("mijn-gegevens/verbeteren/", views.correction_new, name="correction_new"),
    path("mijn-gegevens/bezwaar/", views.objection_new, name="objection_new"),
    path("verzoeken/", views.queue, name="requests_queue"),
    path(
        "verzoeken/correctie/<int:request_id>/", views.correction_detail, name="correction_detail"
    ),
    path("verzoeken/bezwaar/<int:objection_id>/", views.objection_detail, name="objection_detail"),
]
