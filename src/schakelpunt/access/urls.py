from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("toegangslog/", views.log_search, name="log_search"),
    path("toegangslog/geweigerd/", views.refusals, name="refusals"),
    path("zonder-toestemming/", views.emergency_shares, name="emergency"),
]
