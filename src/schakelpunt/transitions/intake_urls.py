from django.urls import path

from . import intake_views

app_name = "intake"

urlpatterns = [
    path("", intake_views.incoming, name="incoming"),
    path("<int:record_id>/koppelen/", intake_views.confirm, name="confirm"),
    path("student/<int:student_id>/intake/", intake_views.intake, name="intake"),
    path("student/<int:student_id>/startplan/", intake_views.start_plan, name="start_plan"),
]
