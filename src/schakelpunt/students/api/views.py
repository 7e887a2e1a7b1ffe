from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    provider_organisation_ids,
    student_get_for_user,
    students_for_user,
)
from schakelpunt.access.services import access_log_list, access_log_record, file_activity
from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import Activity

from ..models import Student
from .serializers import StudentDetailSerializer, StudentListSerializer


class StudentViewSet(viewsets.ReadOnlyModelViewSet[Student]):
    """Students the caller may see; the detail holds only the parts the caller may see."""

    serializer_class = StudentListSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user: User = self.request.user  # type: ignore[assignment]
        return students_for_user(user).order_by("last_name", "first_name", "pk")

    @extend_schema(
        summary="Studenten",
        description=(
            "Een pagina met de studenten die de aanvrager mag zien: studentnummer en naam. "
            "Staat als één lijstinzage in het toegangslog."
        ),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page of students: their student numbers and names, logged as one list read."""
        response = super().list(request, *args, **kwargs)
        data = response.data
        rows = data["results"] if isinstance(data, dict) else data
        access_log_list(
            actor=request.user,  # type: ignore[arg-type]
            activity=(
                Activity.CARE
                if provider_organisation_ids(request.user)  # type: ignore[arg-type]
                else Activity.SUPPORT
            ),
            students=[row["id"] for row in rows],
            parts=[Part.IDENTITY],
            path=request.get_full_path(),
        )
        return response

    @extend_schema(
        summary="Eén student",
        description=(
            "Het dossier van één student, met alleen de delen die de aanvrager mag zien "
            "(`parts`). Niet bestaand of niet toegestaan: hetzelfde 404-antwoord."
        ),
        parameters=[
            OpenApiParameter(
                "id", int, OpenApiParameter.PATH, description="Het nummer van de student."
            )
        ],
        responses=StudentDetailSerializer,
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        try:
            student_id = int(pk or "")
        except ValueError:
            from django.http import Http404

            raise Http404 from None
        student, access = student_get_for_user(user=user, student_id=student_id)
        parts = access.parts(Action.VIEW)
        access_log_record(
            actor=user,
            activity=file_activity(access),
            emergency=access.rests_on_emergency(parts),
            students=[student],
            action=Action.VIEW,
            parts=parts,
            role=access.roles,
            path=request.path,
        )
        return Response(StudentDetailSerializer(student, context={"parts": parts}).data)
