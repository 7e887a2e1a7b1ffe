"""Absence days from the student information system: `POST /api/v1/absence/batches`.

Each day becomes a row of the absence file and goes through the same checks and the same
write (signals/importer.py), so the API and the file never disagree: all or nothing, a later
delivery of a day replaces it, the same batch again changes nothing. A small batch is
imported in the request; a large one is checked in the request (a bad day: 400, nothing
kept) and then imported by the worker as an uploaded file is: `202 Accepted` with the job in
`Location`, where its progress and result can be read. Either way, once new absence is saved
the worker brings today's reports and early warnings up to date at once, not the next
morning."""

from functools import partial

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from schakelpunt.access.policy import may_import_absence
from schakelpunt.students.api.writing import (
    InstitutionField,
    StrictSerializer,
    WriteRefused,
    body_too_large,
    invalid_rows_response,
    writing_institution,
)

from .importer import (
    DayProblem,
    absence_batch_check,
    absence_batch_import,
    absence_batch_job_create,
    day_cells,
)
from .models import AbsenceImportJob, AbsenceReasonCode, ImportStatus
from .tasks import compute_signals_after_absence, run_absence_import

# Up to this many days the request imports them itself; more go to the worker.
IN_REQUEST = 1_000
# Fits Django's default limit on a request body (2.5 MB) even as indented JSON.
MAX_BATCH = 10_000
MAX_ID = 2**31 - 1


class AbsenceDaySerializer(StrictSerializer):
    """One school day of one student: one row of the absence file."""

    studentNumber = serializers.CharField(
        help_text=gettext_lazy("Studentnummer (kolom studentnummer).")
    )
    date = serializers.DateField(help_text=gettext_lazy("De schooldag, JJJJ-MM-DD (kolom datum)."))
    scheduledHours = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=False,
        help_text=gettext_lazy("Geroosterde uren, 0 tot en met 24 (kolom geroosterde_uren)."),
    )
    absentHours = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=False,
        help_text=gettext_lazy("Afwezige uren, niet meer dan geroosterd (kolom afwezige_uren)."),
    )
    authorised = serializers.BooleanField(
        help_text=gettext_lazy(
            "Geoorloofd (kolom geoorloofd); onwaar past alleen bij reden unauthorised."
        )
    )
    reason = serializers.ChoiceField(
        choices=AbsenceReasonCode.choices,
        help_text=gettext_lazy(
            "Reden (kolom reden): illness = ziek, suspension = geschorst, other_authorised = "
            "geoorloofd, unauthorised = ongeoorloofd."
        ),
    )


class AbsenceBatchSerializer(StrictSerializer):
    institution = InstitutionField()
    days = AbsenceDaySerializer(  # type: ignore[call-arg]  # the stubs lack min/max_length
        many=True,
        min_length=1,
        max_length=MAX_BATCH,
        help_text=gettext_lazy(
            "Hoogstens 10.000 dagen; alles of niets. Tot 1.000 dagen meteen verwerkt, "
            "daarboven op de achtergrond."
        ),
    )


class AbsenceJobSerializer(serializers.ModelSerializer[AbsenceImportJob]):
    """A batch the worker imports: its status, progress and result."""

    class Meta:
        model = AbsenceImportJob
        fields = (
            "id",
            "status",
            "done",
            "total",
            "created",
            "replaced",
            "unchanged",
            "errors",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields


_Counts = inline_serializer(
    "AbsenceWriteCounts",
    {
        "created": serializers.IntegerField(),
        "replaced": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


def _param(problem: DayProblem) -> tuple[tuple[str | int, ...], str]:
    where: tuple[str | int, ...] = ("days", problem.index)
    return ((*where, problem.field) if problem.field else where), problem.message


def _job_path(job: AbsenceImportJob) -> str:
    return f"/api/v1/absence/batches/{job.pk}"


class AbsenceBatchListView(APIView):
    """Deliver absence days, all or nothing, by the rules of the absence file. Up to 1,000
    days are imported at once (200 with the counts); more (up to 10,000) are checked at once
    and imported in the background (202, the job in Location)."""

    required_scopes = "absence:write"
    parser_classes = [JSONParser]

    @extend_schema(
        request=AbsenceBatchSerializer,
        responses={
            200: _Counts,
            202: AbsenceJobSerializer,
        },
        summary=gettext_lazy("Verzuim aanleveren (alles of niets)"),
        operation_id="absence_batches_create",
    )
    def post(self, request: Request) -> Response:
        too_large = body_too_large(
            request,
            _("Stuur de dagen in leveringen van hoogstens %(most)s dagen.") % {"most": MAX_BATCH},
        )
        if too_large is not None:
            return too_large
        body = AbsenceBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            institution = writing_institution(
                request,
                body.validated_data.get("institution"),
                may_import_absence,
                _("U mag voor deze instelling geen verzuim aanleveren."),
            )
        except WriteRefused as refused:
            return refused.response
        days = [
            day_cells(
                student_number=day["studentNumber"],
                day=day["date"],
                scheduled=day["scheduledHours"],
                absent=day["absentHours"],
                authorised=day["authorised"],
                reason=day["reason"],
            )
            for day in body.validated_data["days"]
        ]
        actor = request.user
        if len(days) <= IN_REQUEST:
            result = absence_batch_import(
                actor=actor,  # type: ignore[arg-type]
                institution=institution,
                days=days,
                path=request.path,
            )
            if not result.ok:
                return invalid_rows_response(request, map(_param, result.problems))
            if result.created or result.replaced:
                # As the job does after a large batch. Robust: the days are saved whatever
                # happens to the queue, and the morning run catches up.
                transaction.on_commit(
                    partial(compute_signals_after_absence, institution.pk), robust=True
                )
            return Response(
                {
                    "created": result.created,
                    "replaced": result.replaced,
                    "unchanged": result.unchanged,
                }
            )
        problems = absence_batch_check(actor=actor, institution=institution, days=days)  # type: ignore[arg-type]
        if problems:
            return invalid_rows_response(request, map(_param, problems))
        job = absence_batch_job_create(
            actor=actor,  # type: ignore[arg-type]
            institution=institution,
            days=days,
            name=_("Verzuim via de API (%(count)s dagen)") % {"count": len(days)},
        )
        transaction.on_commit(partial(run_absence_import, job.pk))
        return Response(
            AbsenceJobSerializer(AbsenceImportJob.objects.defer("data").get(pk=job.pk)).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": _job_path(job)},
        )


class AbsenceBatchDetailView(APIView):
    """A large batch the worker imports; only who delivered it can read it."""

    required_scopes = "absence:write"

    @extend_schema(
        responses={200: AbsenceJobSerializer},
        summary=gettext_lazy("Voortgang en uitkomst van een verzuimlevering"),
        operation_id="absence_batches_retrieve",
    )
    def get(self, request: Request, id: int) -> Response:
        if id > MAX_ID:  # never a job; the database would refuse the number
            raise Http404
        job = (
            AbsenceImportJob.objects.filter(pk=id, uploaded_by=request.user)  # type: ignore[misc]
            .defer("data")
            .first()
        )
        if job is None:
            raise Http404
        headers = {}
        if job.status not in {ImportStatus.DONE, ImportStatus.FAILED}:
            headers["Retry-After"] = "2"
        return Response(AbsenceJobSerializer(job).data, headers=headers)
