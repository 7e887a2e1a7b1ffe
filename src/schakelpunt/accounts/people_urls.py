from django.urls import path

from . import people_views as views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("importeren/", views.import_view, name="import"),
    path("<int:user_id>/", views.person_detail, name="detail"),
    path(
        "<int:user_id>/rol/<int:membership_id>/wijzigen/",
        views.membership_change_view,
        name="membership_change",
    ),
    path(
        "<int:user_id>/rol/<int:membership_id>/beeindigen/",
        views.membership_end_view,
        name="membership_end",
    ),
    path("<int:user_id>/blokkeren/", views.deactivate_view, name="deactivate"),
    path("<int:user_id>/openen/", views.reactivate_view, name="reactivate"),
    path("<int:user_id>/uitnodiging/", views.resend_view, name="resend"),
    path(
        "<int:user_id>/tweestaps/",
        views.second_factor_reset_view,
        name="second_factor_reset",
    ),
]
