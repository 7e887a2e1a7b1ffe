from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("nieuw/<int:student_id>/", views.meeting_new, name="new"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/wijzigen/", views.meeting_post, name="post"),
    path("<int:meeting_id>/agenda.ics", views.meeting_ics_view, name="ics"),
]
