"""A care provider's system handles the referrals to its organisation: the same services and
the same workflow table as the screens (services.referral_step, workflow.TRANSITIONS), so the
API and the screens can never disagree.

Each step is `POST /api/v1/referrals/{id}/<action>` with a JSON body and answers the updated
referral as `GET /api/v1/referrals/{id}/` shows it. A referral the caller may not open is a
404; a caller who may open it but does not receive it (the school, the student) a 403
without any step on offer; a step the workflow does not allow now, or a change based on an
older version, a 409 that says which steps the provider can take now; nothing is saved then.
"""

from typing import Any, ClassVar, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    may_see_identity,
    referral_side,
    referrals_for_user,
    refuse_referral,
    student_access,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.api.problems import PROBLEM_JSON, problem_response
from schakelpunt.api.serializers import RejectUnknownFieldsMixin
from schakelpunt.privacy.register import Activity

from . import services
from .api import ReferralSerializer
from .models import EndReason, Outcome, Referral, ReferralStatus
from .workflow import next_statuses

# The steps a provider takes, by the last part of their path.
STEP_ACTIONS: dict[str, tuple[str, Any]] = {
    "receive": (ReferralStatus.RECEIVED, gettext_lazy("als ontvangen markeren")),
    "accept": (ReferralStatus.ACCEPTED, gettext_lazy("accepteren")),
    "decline": (ReferralStatus.DECLINED, gettext_lazy("afwijzen")),
    "first-contact": (ReferralStatus.FIRST_CONTACT, gettext_lazy("eerste contact vastleggen")),
    "help-started": (ReferralStatus.HELP_STARTED, gettext_lazy("start van de hulp vastleggen")),
    "end": (ReferralStatus.ENDED, gettext_lazy("afronden")),
}
ADVICE_ACTION = "advice"


def allowed_actions(current: str) -> list[str]:
    """The provider's actions the workflow allows on a referral in this status."""
    steps = set(next_statuses(current, "provider"))
    actions = [name for name, (to, _label) in STEP_ACTIONS.items() if to in steps]
    if current in services.ADVICE_STATUSES:
        actions.append(ADVICE_ACTION)
    return actions


def _action_words(actions: list[str]) -> str:
    labels = {name: label for name, (_to, label) in STEP_ACTIONS.items()}
    labels[ADVICE_ACTION] = gettext_lazy("advies geven")
    return ", ".join(f"{name} ({labels[name]})" for name in actions)


# --- Input: each body is parsed strictly; an unknown field is refused, nothing is saved. ---


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    pass


class StrictSerializerScheme(OpenApiSerializerExtension):
    """The document says what the server does: a field it does not name is refused."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


class StepSerializer(StrictSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "De versie van de verwijzing waarop deze stap voortbouwt (uit GET). Is die "
            "intussen gewijzigd, dan volgt 409 en wordt niets opgeslagen."
        ),
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=gettext_lazy("Toelichting.")
    )

    def step_input(self) -> services.StepInput:
        return services.StepInput(note=self.validated_data.get("note", ""))


class DeclineSerializer(StepSerializer):
    note = None  # type: ignore[assignment]
    reason = serializers.CharField(
        max_length=5000, help_text=gettext_lazy("Waarom de aanbieder de verwijzing afwijst.")
    )

    def step_input(self) -> services.StepInput:
        return services.StepInput(note=self.validated_data["reason"])


class FirstContactSerializer(StepSerializer):
    date = serializers.DateField(
        required=False, help_text=gettext_lazy("Datum van het eerste contact; leeg: vandaag.")
    )

    def step_input(self) -> services.StepInput:
        data = self.validated_data
        return services.StepInput(note=data.get("note", ""), first_contact_on=data.get("date"))


class HelpStartedSerializer(StepSerializer):
    date = serializers.DateField(
        required=False, help_text=gettext_lazy("Datum waarop de hulp begon; leeg: vandaag.")
    )

    def step_input(self) -> services.StepInput:
        data = self.validated_data
        return services.StepInput(note=data.get("note", ""), help_started_on=data.get("date"))


class EndSerializer(StepSerializer):
    date = serializers.DateField(
        required=False, help_text=gettext_lazy("Datum waarop de hulp eindigde; leeg: vandaag.")
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, help_text=gettext_lazy("Of de hulp geslaagd is.")
    )
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices,
        required=False,
        help_text=gettext_lazy("Waarom de hulp niet geslaagd is (nodig bij not_successful)."),
    )

    def step_input(self) -> services.StepInput:
        data = self.validated_data
        return services.StepInput(
            note=data.get("note", ""),
            ended_on=data.get("date"),
            outcome=data["outcome"],
            end_reason=data.get("end_reason", ""),
        )


class AdviceSerializer(StrictSerializer):
    text = serializers.CharField(
        max_length=10000,
        help_text=gettext_lazy("Handelingsadvies voor de school; het komt in het plan."),
    )


class ReferralConflictSerializer(serializers.Serializer[Any]):
    """A 409 as application/problem+json: what the referral's step is now, and what can."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    currentStatus = serializers.CharField(
        help_text=gettext_lazy("De stap waarop de verwijzing nu staat (als `status` bij GET).")
    )
    allowedActions = serializers.ListField(
        child=serializers.ChoiceField(choices=[*STEP_ACTIONS, ADVICE_ACTION]),
        help_text=gettext_lazy("Wat de aanbieder nu wel kan doen."),
    )


# The other errors (400, 401, 404, 415, ...) the schema hook adds to every operation.
_RESPONSES = {
    200: ReferralSerializer,
    (403, PROBLEM_JSON): OpenApiResponse(
        response={"$ref": "#/components/schemas/Problem"},
        description=gettext_lazy(
            "Geen toegang: de koppeling heeft het recht referrals:write niet, of de aanvrager "
            "is niet de ontvangende organisatie (de school, de student); er is niets opgeslagen."
        ),
    ),
    (409, PROBLEM_JSON): OpenApiResponse(
        response=ReferralConflictSerializer,
        description=gettext_lazy(
            "De stap kan nu niet (de workflow staat hem niet toe), of de verwijzing is "
            "intussen gewijzigd; er is niets opgeslagen."
        ),
    ),
}
_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Nummer van de verwijzing.")


# --- Views: parse, call the service, log, answer. ---


class _ReferralActionView(APIView):
    required_scopes = "referrals:write"
    parser_classes: ClassVar[list[type[JSONParser]]] = [JSONParser]  # type: ignore[misc]
    input_serializer: ClassVar[type[StrictSerializer]] = StepSerializer

    def _referral(self, user: User, referral_id: int) -> Referral:
        referral = referrals_for_user(user).select_related("student").filter(pk=referral_id).first()
        if referral is None:
            refuse_referral(user=user, referral_id=referral_id, action=Action.CHANGE)
        return referral

    def _parse(self, request: Request) -> StrictSerializer:
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer

    def _change(self, user: User, referral_id: int, serializer: StrictSerializer) -> Referral:
        raise NotImplementedError

    def post(self, request: Request, id: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        # Refused before the body is read: the school learns nothing of the provider's steps.
        if referral_side(user, self._referral(user, id)) != "provider":
            return self._not_the_provider(request)
        serializer = self._parse(request)
        try:
            # The step and its line in the access log together, or neither.
            with transaction.atomic():
                referral = self._change(user, id, serializer)
                named = may_see_identity(user, referral.student)
                access = student_access(user, referral.student)
                access_log_record(
                    actor=user,
                    activity=Activity.CARE,
                    emergency=access.rests_on_emergency([Part.IDENTITY] if named else []),
                    students=[referral.student],
                    action=Action.CHANGE,
                    parts=[Part.REFERRALS, Part.IDENTITY] if named else [Part.REFERRALS],
                    role=access.roles or "referral_recipient",
                    path=request.path,
                )
        except services.ReferralStateError as error:
            return self._conflict(request, str(error), error.status)
        except services.StaleReferralError as error:
            current = Referral.objects.values_list("status", flat=True).get(pk=id)
            return self._conflict(request, str(error), current)
        except services.ReferralError as error:
            return problem_response(
                status.HTTP_400_BAD_REQUEST,
                str(error),
                instance=request.get_full_path(),
            )
        context = {
            "named": {referral.student_id} if named else set(),
            "today": timezone.localdate(),
        }
        return Response(ReferralSerializer(referral, context=context).data)

    def _not_the_provider(self, request: Request) -> Response:
        return problem_response(
            status.HTTP_403_FORBIDDEN,
            _("Alleen de ontvangende organisatie zet deze stap."),
            instance=request.get_full_path(),
        )

    def _conflict(self, request: Request, message: str, current: str) -> Response:
        # Only the receiving provider gets this far (post), so these are steps it can take.
        actions = allowed_actions(current)
        now = (
            _("Wat nu kan: %(actions)s.") % {"actions": _action_words(actions)}
            if actions
            else _("Er kan nu geen stap meer.")
        )
        return problem_response(
            status.HTTP_409_CONFLICT,
            f"{message} {now}",
            instance=request.get_full_path(),
            currentStatus=current,
            allowedActions=actions,
        )


_COMMON = (
    " Antwoord: de bijgewerkte verwijzing, zoals GET /referrals/{id} die toont (de naam van "
    "de student alleen na acceptatie, met toestemming). Stuur `version` mee om een stap op "
    "een intussen gewijzigde verwijzing te weigeren (409). Een stap die de workflow nu niet "
    "toestaat is een 409 met `allowedActions`; er is dan niets opgeslagen. Alleen de "
    "ontvangende organisatie zet deze stap: voor de school of de student is het een 403. "
    "Scope: referrals:write."
)


def _step_view(
    action: str, serializer: type[StepSerializer], summary: str, about: str
) -> type[APIView]:
    to_status = STEP_ACTIONS[action][0]

    class StepView(_ReferralActionView):
        input_serializer = serializer

        def _change(self, user: User, referral_id: int, parsed: StrictSerializer) -> Referral:
            step = cast(StepSerializer, parsed)
            return services.referral_step(
                actor=user,
                referral_id=referral_id,
                to_status=to_status,
                expected_version=step.validated_data.get("version"),
                details=step.step_input(),
            )

        @extend_schema(
            operation_id=f"referrals_{action.replace('-', '_')}",
            summary=summary,
            description=about + _COMMON,
            parameters=[_ID],
            request=serializer,
            responses=_RESPONSES,
            tags=["referrals"],
        )
        def post(self, request: Request, id: int) -> Response:
            return super().post(request, id)

    StepView.__name__ = StepView.__qualname__ = (
        "Referral" + "".join(w.capitalize() for w in action.split("-")) + "View"
    )
    return StepView


ReferralReceiveView = _step_view(
    "receive",
    StepSerializer,
    "Verwijzing gelezen",
    "De aanbieder heeft de verwijzing gelezen (van verstuurd naar ontvangen).",
)
ReferralAcceptView = _step_view(
    "accept",
    StepSerializer,
    "Verwijzing accepteren",
    "De aanbieder neemt de vraag aan; de termijn voor het eerste contact begint.",
)
ReferralDeclineView = _step_view(
    "decline",
    DeclineSerializer,
    "Verwijzing afwijzen",
    "De aanbieder wijst de verwijzing af, met de reden voor de school.",
)
ReferralFirstContactView = _step_view(
    "first-contact",
    FirstContactSerializer,
    "Eerste contact vastleggen",
    "De aanbieder heeft de student gesproken (niet in de toekomst, niet vóór de acceptatie).",
)
ReferralHelpStartedView = _step_view(
    "help-started",
    HelpStartedSerializer,
    "Start van de hulp vastleggen",
    "De hulp zelf is begonnen (tussen het eerste contact en vandaag).",
)
ReferralEndView = _step_view(
    "end",
    EndSerializer,
    "Verwijzing afronden",
    "De hulp is afgerond, met de uitkomst en bij niet geslaagd de reden.",
)


class ReferralAdviceView(_ReferralActionView):
    input_serializer = AdviceSerializer

    def _change(self, user: User, referral_id: int, parsed: StrictSerializer) -> Referral:
        advice = services.advice_add(
            actor=user, referral_id=referral_id, text=parsed.validated_data["text"]
        )
        return advice.referral

    @extend_schema(
        operation_id="referrals_advice",
        summary="Handelingsadvies terug aan de school",
        description=(
            "Het advies van de aanbieder aan de school; het komt in het plan van de student. "
            "Kan na acceptatie, ook nog als de hulp is afgerond."
        )
        + _COMMON,
        parameters=[_ID],
        request=AdviceSerializer,
        responses=_RESPONSES,
        tags=["referrals"],
    )
    def post(self, request: Request, id: int) -> Response:
        return super().post(request, id)
