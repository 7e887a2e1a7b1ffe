from django.urls import path

from . import plan_views, student_views, views

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
    path("plan/actie/", views.plan_action_add, name="action_add"),
    path("plan.pdf", plan_views.plan_pdf, name="plan_pdf"),
    path("plan/inbreng/", student_views.contribution_add, name="contribute"),
    path("hulpvraag/", student_views.help_request_create, name="ask_help"),
    path(
        "hulpvraag/<int:request_id>/oppakken/",
        student_views.help_request_pick_up,
        name="pick_up",
    ),
    path("contact/", student_views.contact_add, name="contact"),
    path("waardering/<int:trajectory_id>/", student_views.rate, name="rate"),
    path("team/", views.team_add, name="team_add"),
    path("team/<int:member_id>/uit/", views.team_remove, name="team_remove"),
]
