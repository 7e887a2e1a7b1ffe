from django.urls import path

from . import views

app_name = "transitions"

urlpatterns = [
    path("", views.worklist, name="aftercare"),
    path("vertrek/<int:student_id>/", views.departure, name="departure"),
    path("terug/<int:student_id>/", views.student_returns, name="return"),
    path("contact/<int:contact_id>/", views.contact, name="contact"),
    path("niet-verschenen/", views.non_arrivals, name="non_arrivals"),
    path(
        "niet-verschenen/<int:item_id>/",
        views.non_arrival_follow_up,
        name="non_arrival_follow_up",
    ),
]
