from django.urls import path

from . import plan_views, views

app_name = "support"

urlpatterns = [
    path("traject/openen/", views.trajectory_open, name="open"),
    path("traject/<int:trajectory_id>/fase/", views.trajectory_move, name="move"),
    path("traject/<int:trajectory_id>/zwaarte/", views.trajectory_tier, name="tier"),
    path(
        "traject/<int:trajectory_id>/regisseur/", views.trajectory_coordinator, name="coordinator"
    ),
    path("plan/", plan_views.plan_detail, name="plan"),
    path("plan/bewerken/", plan_views.plan_edit, name="plan_edit"),
]
