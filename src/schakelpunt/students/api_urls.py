"""/api/v1/ endpoints of the school's systems: students and programmes. Paths without a
trailing slash, as the API Design Rules ask."""

from django.urls import URLPattern, URLResolver, path

from schakelpunt.accounts.api_programmes import ProgrammeBatchView

from .api.write import StudentBatchView

urlpatterns: list[URLPattern | URLResolver] = [
    # Before the router's students/{id}: "batch" is never an id. One student is a batch of
    # one: no path names a student number (personal data ends up in server and proxy logs).
    path("students/batch", StudentBatchView.as_view(), name="api-students-batch"),
    path("programmes/batch", ProgrammeBatchView.as_view(), name="api-programmes-batch"),
]
