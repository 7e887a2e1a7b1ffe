from django.urls import path

from . import triage_views

app_name = "triage"

urlpatterns = [
    path("", triage_views.queue, name="queue"),
    path("<int:concern_id>/contact/", triage_views.contact, name="contact"),
    path("<int:concern_id>/traject/", triage_views.start_trajectory, name="start_trajectory"),
    path("<int:concern_id>/overdragen/", triage_views.hand_over, name="hand_over"),
    path("<int:concern_id>/afsluiten/", triage_views.close, name="close"),
    path("<int:concern_id>/achterhouden/", triage_views.hold_back, name="hold_back"),
    path("<int:concern_id>/beoordelen/", triage_views.review_hold_back, name="review_hold_back"),
    path("student/<int:student_id>/", triage_views.raise_concern, name="raise"),
]
