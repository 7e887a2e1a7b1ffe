from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tarieven/", views.prices, name="prices"),
    path("tarieven/nieuw/", views.funding_add, name="add"),
    path("tarieven/<int:funding_id>/weg/", views.funding_remove, name="remove"),
    path("uurtarief/<int:institution_id>/", views.rate_set, name="rate"),
]
