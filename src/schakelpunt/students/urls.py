from django.urls import path

from . import views

app_name = "students"

urlpatterns = [
    path("", views.student_list, name="list"),
    path("export.csv", views.student_export, name="export"),
    path("caseload/", views.caseload, name="caseload"),
    path("importeren/", views.student_import_view, name="import"),
    path("mijn-dossier/", views.own_file, name="own"),
    path("<int:student_id>/", views.student_detail, name="detail"),
    path("<int:student_id>/inzage/", views.student_access_log, name="access_log"),
    path("<int:student_id>/ouders/", views.guardian_add_view, name="guardian_add"),
    path(
        "<int:student_id>/startkwalificatie/",
        views.basic_qualification_view,
        name="basic_qualification",
    ),
    path(
        "<int:student_id>/ouders/<int:guardian_id>/toestemming/",
        views.guardian_consent_view,
        name="guardian_consent",
    ),
]
