from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("controleren/", views.stale, name="stale"),
    path("nieuw/", views.service_new, name="new"),
    path("organisatie/<int:organisation_id>/", views.organisation_edit, name="organisation"),
    path(
        "organisatie/<int:organisation_id>/contact/",
        views.contact_add_view,
        name="contact_add",
    ),
    path("contact/<int:contact_id>/weg/", views.contact_remove_view, name="contact_remove"),
    path("export.json", views.export_hsds, name="export"),
    path("<int:service_id>/", views.service_detail, name="detail"),
    path("<int:service_id>/bewerken/", views.service_edit, name="edit"),
    path("<int:service_id>/gecontroleerd/", views.service_checked, name="checked"),
    path("<int:service_id>/tijden/", views.hours_add_view, name="hours_add"),
    path(
        "<int:service_id>/tijden/<int:hours_id>/weg/", views.hours_remove_view, name="hours_remove"
    ),
]
