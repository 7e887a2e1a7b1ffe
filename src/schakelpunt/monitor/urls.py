from django.urls import path

from . import views

app_name = "monitor"

urlpatterns = [
    path("", views.monitor, name="monitor"),
    path("opnieuw-berekenen/", views.monitor_refresh, name="refresh"),
]
