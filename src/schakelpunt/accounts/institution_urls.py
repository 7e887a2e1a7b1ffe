from django.urls import path

from . import institution_views as views

app_name = "institution"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("nieuw/", views.add_page, name="add"),
    path("locaties/<int:location_id>/", views.location_detail, name="location"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path("opleidingen/<int:programme_id>/", views.programme_detail, name="programme"),
    path("locaties/nieuw/", views.location_add_view, name="location_add"),
    path("locaties/<int:location_id>/naam/", views.location_rename_view, name="location_rename"),
    path("locaties/<int:location_id>/beeindigen/", views.location_end_view, name="location_end"),
    path("teams/nieuw/", views.team_add_view, name="team_add"),
    path("teams/<int:team_id>/naam/", views.team_rename_view, name="team_rename"),
    path("teams/<int:team_id>/beeindigen/", views.team_end_view, name="team_end"),
    path("teams/<int:team_id>/leden/", views.team_member_add_view, name="team_member_add"),
    path(
        "lidmaatschappen/<int:membership_id>/beeindigen/",
        views.team_member_end_view,
        name="team_member_end",
    ),
    path("opleidingen/nieuw/", views.programme_add_view, name="programme_add"),
    path(
        "opleidingen/<int:programme_id>/naam/",
        views.programme_rename_view,
        name="programme_rename",
    ),
    path(
        "opleidingen/<int:programme_id>/team/",
        views.programme_team_view,
        name="programme_team",
    ),
    path(
        "opleidingen/<int:programme_id>/beeindigen/",
        views.programme_end_view,
        name="programme_end",
    ),
]
