from django.urls import path

from . import parent_views

app_name = "parent"

urlpatterns = [
    path("", parent_views.parent_home, name="home"),
    path("kind/<int:student_id>/", parent_views.parent_child, name="child"),
    path("delen/", parent_views.sharing, name="sharing"),
    path("delen/<int:guardian_id>/", parent_views.sharing_save, name="sharing_save"),
]
