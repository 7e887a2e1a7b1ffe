from django.urls import URLPattern, URLResolver

app_name = "privacy"

# Screens of the privacy app (register, retention, the student's rights), under /privacy/.
urlpatterns: list[URLPattern | URLResolver] = []
