"""URLs of the privacy app's rights screens (names in the "privacy" namespace)."""

from django.urls import URLPattern, URLResolver, path

from . import rights_views

urlpatterns: list[URLPattern | URLResolver] = [
    # The student's own data (AVG art. 15): a page and the two downloads.
    path("mijn-gegevens/download/", rights_views.own_data, name="own_data"),
    path("mijn-gegevens/download/pdf/", rights_views.own_data_pdf, name="own_data_pdf"),
    path("mijn-gegevens/download/json/", rights_views.own_data_json, name="own_data_json"),
    # The privacy officer, on a student's request.
    path("inzageverzoek/", rights_views.officer_data, name="officer_data"),
    path(
        "inzageverzoek/<int:student_id>/pdf/",
        rights_views.officer_data_pdf,
        name="officer_data_pdf",
    ),
    path(
        "inzageverzoek/<int:student_id>/json/",
        rights_views.officer_data_json,
        name="officer_data_json",
    ),
]
