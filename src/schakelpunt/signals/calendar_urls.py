from django.urls import path

from . import calendar_views

app_name = "calendar"

urlpatterns = [
    path("", calendar_views.overview, name="overview"),
    path("regio/", calendar_views.region, name="region"),
    path("toevoegen/", calendar_views.add, name="add"),
    path("verplaatsen/", calendar_views.move, name="move"),
    path("<int:holiday_id>/verwijderen/", calendar_views.remove, name="remove"),
    path("importeren/", calendar_views.import_file, name="import"),
]
