"""/api/v1/ endpoints of the school's systems: students and programmes. Paths without a
trailing slash, as the API Design Rules ask."""

from django.urls import URLPattern, URLResolver, path

from schakelpunt.accounts.api_programmes import ProgrammeBatchView

from .api.write import StudentBatchView, StudentPutView

urlpatterns: list[URLPattern | URLResolver] = [
    # Before the router's students/{id}: "batch" is never an id. One student is put by its
    # student number under by-number/, as students/{id} is the read by Schakelpunt's own id.
    path("students/batch", StudentBatchView.as_view(), name="api-students-batch"),
    path(
        "students/by-number/<str:studentNumber>",
        StudentPutView.as_view(),
        name="api-student-put",
    ),
    path("programmes/batch", ProgrammeBatchView.as_view(), name="api-programmes-batch"),
]
