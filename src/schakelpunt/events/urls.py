from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "events"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.subscription_list, name="list"),
    path("nieuw/", views.subscription_create_view, name="create"),
    path("<int:subscription_id>/", views.subscription_detail, name="detail"),
    path("<int:subscription_id>/sleutel/", views.subscription_secret, name="secret"),
    path("<int:subscription_id>/beeindigen/", views.subscription_end_view, name="end"),
    path(
        "<int:subscription_id>/aflevering/<int:delivery_id>/opnieuw/",
        views.delivery_retry_view,
        name="retry",
    ),
]
