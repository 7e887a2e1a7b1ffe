from django.urls import URLPattern

app_name = "institution"

urlpatterns: list[URLPattern] = []
