"""The referrals a caller may see, over the API; the same access policy as the screens."""

from datetime import date
from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    may_see_identity,
    provider_organisation_ids,
    referrals_for_user,
    refuse_referral,
    student_access,
    students_for_user,
)
from schakelpunt.access.services import access_log_list, access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import Activity

from .models import Referral
from .selectors import overdue_days


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    organisation = serializers.CharField(source="to_organisation.name")
    status_display = serializers.CharField(source="get_status_display")
    overdue_days = serializers.SerializerMethodField()
    student = serializers.SerializerMethodField(
        help_text="Id and name, only where the caller may open the student's file."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "student",
            "service_name",
            "organisation",
            "question",
            "urgency",
            "status",
            "status_display",
            "shared_parts",
            "created_at",
            "sent_at",
            "accepted_on",
            "first_contact_due",
            "first_contact_on",
            "help_started_on",
            "ended_on",
            "outcome",
            "end_reason",
            "overdue_days",
            "version",
        ]
        extra_kwargs = {
            "version": {
                "help_text": (
                    "Gaat omhoog bij elke wijziging. Stuur hem mee met een stap "
                    "(POST …/accept enz.): is de verwijzing intussen gewijzigd, dan volgt 409."
                )
            }
        }

    def get_overdue_days(self, referral: Referral) -> int:
        today: date = self.context.get("today") or timezone.localdate()
        return overdue_days(referral, today)

    def get_student(self, referral: Referral) -> dict[str, Any] | None:
        if referral.student_id not in self.context["named"]:
            return None
        return {"id": referral.student_id, "name": referral.student.display_name}


@extend_schema_view(
    list=extend_schema(
        summary="Verwijzingen",
        description=(
            "Een pagina met de verwijzingen van de studenten van de aanvrager (school) of naar "
            "de organisatie van de aanvrager (aanbieder), nieuwste eerst. De naam van de "
            "student staat er alleen bij als de aanvrager het dossier mag openen."
        ),
    ),
    retrieve=extend_schema(
        summary="Eén verwijzing",
        description="Niet bestaand of niet toegestaan: hetzelfde 404-antwoord.",
        parameters=[
            OpenApiParameter(
                "id", int, OpenApiParameter.PATH, description="Het nummer van de verwijzing."
            )
        ],
    ),
)
class ReferralViewSet(viewsets.ReadOnlyModelViewSet[Referral]):
    """Referrals of the caller's students (school) or to the caller's organisation (provider).
    A provider gets the student's name only once the referral is accepted with consent."""

    serializer_class = ReferralSerializer
    required_scopes = "referrals:read"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user: User = self.request.user  # type: ignore[assignment]
        return (
            referrals_for_user(user)
            .select_related("student", "to_organisation")
            .order_by("-created_at", "-pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user: User = self.request.user  # type: ignore[assignment]
        # Only the students of the caller's referrals, not every file the caller may open.
        context["named"] = set(
            students_for_user(user)
            .filter(pk__in=self.get_queryset().values("student"))
            .values_list("pk", flat=True)
        )
        context["today"] = timezone.localdate()
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page of referrals (questions, statuses), logged as one list read."""
        page = self.paginate_queryset(self.get_queryset())
        referrals = list(page) if page is not None else list(self.get_queryset())
        context = self.get_serializer_context()
        access_log_list(
            actor=request.user,  # type: ignore[arg-type]
            activity=(
                Activity.CARE
                if provider_organisation_ids(request.user)  # type: ignore[arg-type]
                else Activity.REFERRAL
            ),
            students=[r.student_id for r in referrals],
            parts=[Part.REFERRALS],
            path=request.get_full_path(),
            # The name is a read of the student's identity, as on the screens.
            more_parts={
                r.student_id: [Part.IDENTITY] for r in referrals if r.student_id in context["named"]
            },
        )
        # Not get_serializer(): it would work out the context (a query) a second time.
        data = ReferralSerializer(referrals, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        referral = self.get_queryset().filter(pk=kwargs.get("pk")).first()
        if referral is None:
            pk = str(kwargs.get("pk", ""))
            if not pk.isdigit():
                raise Http404
            refuse_referral(user=user, referral_id=int(pk))
        access = student_access(user, referral.student)
        named = may_see_identity(user, referral.student)
        access_log_record(
            actor=user,
            activity=Activity.REFERRAL
            if access.allows(Action.VIEW, Part.REFERRALS)
            else Activity.CARE,
            emergency=access.rests_on_emergency([Part.IDENTITY] if named else []),
            students=[referral.student],
            action=Action.VIEW,
            parts=[Part.REFERRALS, Part.IDENTITY] if named else [Part.REFERRALS],
            role=access.roles or "referral_recipient",
            path=request.path,
        )
        context = {**super().get_serializer_context(), "today": timezone.localdate()}
        context["named"] = {referral.student_id} if named else set()
        return Response(ReferralSerializer(referral, context=context).data)
