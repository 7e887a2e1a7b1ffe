from django.urls import URLPattern

app_name = "parent"

urlpatterns: list[URLPattern] = []
