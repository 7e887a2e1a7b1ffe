from django.urls import path

from . import views

app_name = "signals"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("export.csv", views.worklist_export, name="export"),
    path("<int:report_id>/gemeld/", views.mark_reported, name="mark_reported"),
    path("<int:report_id>/opvolging/", views.report_follow_up, name="report_follow_up"),
    path("rmc-lijst/", views.rmc_list, name="rmc_list"),
    path("rmc-lijst/<int:student_id>/", views.leaver_follow_up, name="leaver_follow_up"),
    path("importeren/", views.absence_import_view, name="import"),
    path("instellingen/", views.settings_view, name="settings"),
    path("terugblik/", views.quality_view, name="quality"),
    path("importeren/<int:job_id>/", views.absence_import_job_view, name="import_job"),
]
