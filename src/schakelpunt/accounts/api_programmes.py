"""Programmes from the student information system: `POST /api/v1/programmes/batch`.

Each programme becomes a row of the programmes file (accounts/institution_importer.py: the
same columns, checks and write), so the API and the file never disagree: a programme is
known by its location, crebo and pathway; a later delivery updates its name, level, team and
end date; locations and teams are made when first named; all or nothing; the same batch
again changes nothing."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from schakelpunt.access.policy import may_write_programmes
from schakelpunt.students.api.writing import (
    InstitutionField,
    StrictSerializer,
    WriteRefused,
    body_too_large,
    invalid_rows_response,
    writing_institution,
)

from .institution_importer import RowProblem, programme_batch_import
from .models import Level, Pathway

# API field -> the column of the programmes file it fills.
COLUMNS = {
    "location": "locatie",
    "municipality": "gemeente",
    "team": "team",
    "crebo": "crebo",
    "name": "opleiding",
    "level": "niveau",
    "pathway": "leerweg",
    "endDate": "einddatum",
}
FIELDS_BY_COLUMN = {column: name for name, column in COLUMNS.items()}
# Fits Django's default limit on a request body (2.5 MB) even as indented JSON.
MAX_BATCH = 5_000


class ProgrammeSerializer(StrictSerializer):
    location = serializers.CharField(help_text=gettext_lazy("Naam van de locatie."))
    municipality = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Gemeente van de locatie: CBS-code (GM0153) of naam. Nodig voor een nieuwe locatie."
        ),
    )
    team = serializers.CharField(
        help_text=gettext_lazy("Naam van het opleidingsteam op die locatie.")
    )
    crebo = serializers.CharField(help_text=gettext_lazy("Crebo, vijf cijfers."))
    name = serializers.CharField(help_text=gettext_lazy("Naam van de opleiding."))
    level = serializers.ChoiceField(
        choices=Level.choices, help_text=gettext_lazy("Niveau: 1 (Entree), 2, 3 of 4.")
    )
    pathway = serializers.ChoiceField(choices=Pathway.choices, help_text=gettext_lazy("Leerweg."))
    endDate = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Laatste dag van de opleiding; weggelaten: loopt door."),
    )


class ProgrammeBatchSerializer(StrictSerializer):
    institution = InstitutionField()
    programmes = ProgrammeSerializer(  # type: ignore[call-arg]  # the stubs lack min/max_length
        many=True,
        min_length=1,
        max_length=MAX_BATCH,
        help_text=gettext_lazy("Hoogstens 5.000 opleidingen per aanvraag; alles of niets."),
    )


def _file_row(values: dict[str, Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for name, column in COLUMNS.items():
        value = values.get(name)
        if value is None:
            row[column] = ""
        elif isinstance(value, date):
            row[column] = value.isoformat()
        else:
            row[column] = str(value)
    return row


def _param(problem: RowProblem) -> tuple[tuple[str | int, ...], str]:
    if not problem.column:  # about the batch (or the database), not one programme
        return ("programmes",), problem.message
    where: tuple[str | int, ...] = ("programmes", problem.place)
    field = FIELDS_BY_COLUMN.get(problem.column)
    return ((*where, field) if field else where), problem.message


class ProgrammeBatchView(APIView):
    """Create or update the institution's programmes (with locations and teams)."""

    required_scopes = "programmes:write"
    parser_classes = [JSONParser]

    @extend_schema(
        request=ProgrammeBatchSerializer,
        responses={
            200: inline_serializer(
                "ProgrammeWriteCounts",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "locationsCreated": serializers.IntegerField(),
                    "teamsCreated": serializers.IntegerField(),
                },
            ),
        },
        summary=gettext_lazy("Opleidingen aanleveren (alles of niets)"),
        operation_id="programmes_batch",
    )
    def post(self, request: Request) -> Response:
        too_large = body_too_large(
            request,
            _("Stuur de opleidingen in leveringen van hoogstens %(most)s.") % {"most": MAX_BATCH},
        )
        if too_large is not None:
            return too_large
        body = ProgrammeBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            institution = writing_institution(
                request,
                body.validated_data.get("institution"),
                may_write_programmes,
                _("U mag voor deze instelling geen opleidingen aanleveren."),
            )
        except WriteRefused as refused:
            return refused.response
        result = programme_batch_import(
            actor=request.user,  # type: ignore[arg-type]
            institution=institution,
            records=[_file_row(values) for values in body.validated_data["programmes"]],
            name=lambda index: f"#/programmes/{index}",
        )
        if not result.ok:
            return invalid_rows_response(request, map(_param, result.problems))
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "locationsCreated": result.locations_created,
                "teamsCreated": result.teams_created,
            }
        )
