"""Students and their enrolment from the student information system (EduArte, Osiris):
`POST /api/v1/students/batch`, for one student a batch of one. No path names a student number:
a URL ends up in web server and proxy logs (issue 18, ADR /transport/no-sensitive-uris).

Each student becomes a row of the student file (students/importer.py: the same columns, the
same checks, the same write), so the API and the file import never disagree: an upsert by
institution and student number, all or nothing, the same student again changes nothing, and
a startkwalificatie date the care team recorded stays when the system sends none."""

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

from schakelpunt.access.policy import may_import_students
from schakelpunt.accounts.models import Pathway

from ..importer import PRIOR_EDUCATION, RowError, student_batch_import
from ..models import PriorEducation
from .writing import (
    InstitutionField,
    StrictSerializer,
    WriteRefused,
    body_too_large,
    invalid_rows_response,
    writing_institution,
)

# Fits Django's default limit on a request body (2.5 MB) even as indented JSON.
MAX_BATCH = 3_000

# API field -> the column of the student file it fills.
COLUMNS = {
    "studentNumber": "studentnummer",
    "firstName": "voornaam",
    "namePrefix": "tussenvoegsel",
    "lastName": "achternaam",
    "preferredName": "roepnaam",
    "dateOfBirth": "geboortedatum",
    "bsn": "bsn",
    "email": "email",
    "phone": "telefoon",
    "postcode": "postcode",
    "location": "locatie",
    "crebo": "crebo",
    "pathway": "leerweg",
    "enrolledOn": "startdatum",
    "leftOn": "uitschrijfdatum",
    "priorEducation": "vooropleiding",
    "hasBasicQualification": "startkwalificatie",
    "basicQualificationOn": "startkwalificatie_datum",
}
FIELDS_BY_COLUMN = {column: name for name, column in COLUMNS.items()}
# A code of the API -> the first word the file takes for it.
PRIOR_WORDS: dict[str, str] = {}
for _word, _code in PRIOR_EDUCATION.items():
    PRIOR_WORDS.setdefault(str(_code), _word)


def _text(**kwargs: Any) -> serializers.CharField:
    """Text as in the file: the importer checks length and content, with its messages."""
    required = kwargs.pop("required", False)
    return serializers.CharField(
        required=required,
        allow_blank=not required,
        allow_null=not required,
        trim_whitespace=True,
        **kwargs,
    )


class StudentSerializer(StrictSerializer):
    """One student with the enrolment, as one row of the student file."""

    firstName = _text(required=True, help_text=gettext_lazy("Voornaam (kolom voornaam)."))
    namePrefix = _text(help_text=gettext_lazy("Tussenvoegsel, zoals 'van der'."))
    lastName = _text(required=True, help_text=gettext_lazy("Achternaam."))
    preferredName = _text(help_text=gettext_lazy("Roepnaam."))
    dateOfBirth = serializers.DateField(help_text=gettext_lazy("Geboortedatum, JJJJ-MM-DD."))
    bsn = _text(
        help_text=gettext_lazy(
            "BSN (elfproef), alleen als de school daar een grondslag voor heeft."
        )
    )
    email = _text(help_text=gettext_lazy("E-mailadres van de student."))
    phone = _text(help_text=gettext_lazy("Telefoonnummer."))
    postcode = _text(
        required=True, help_text=gettext_lazy("Nederlandse postcode; bepaalt de woongemeente.")
    )
    location = _text(
        required=True, help_text=gettext_lazy("Naam van de locatie, zoals bij de instelling.")
    )
    crebo = _text(required=True, help_text=gettext_lazy("Crebo van de opleiding op die locatie."))
    pathway = serializers.ChoiceField(choices=Pathway.choices, help_text=gettext_lazy("Leerweg."))
    enrolledOn = serializers.DateField(help_text=gettext_lazy("Startdatum van de inschrijving."))
    leftOn = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Uitschrijfdatum, leeg zolang ingeschreven."),
    )
    priorEducation = serializers.ChoiceField(
        choices=PriorEducation.choices, help_text=gettext_lazy("Vooropleiding.")
    )
    hasBasicQualification = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Startkwalificatie behaald (weggelaten: nee)."),
    )
    basicQualificationOn = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "Datum waarop de startkwalificatie is behaald (dan ook ja). Weggelaten: een "
            "datum die het zorgteam vastlegde, blijft staan."
        ),
    )


class StudentInBatchSerializer(StudentSerializer):
    studentNumber = _text(required=True, help_text=gettext_lazy("Studentnummer bij de instelling."))


class StudentBatchSerializer(StrictSerializer):
    institution = InstitutionField()
    students = StudentInBatchSerializer(  # type: ignore[call-arg]  # the stubs lack min/max_length
        many=True,
        min_length=1,
        max_length=MAX_BATCH,
        help_text=gettext_lazy("Hoogstens 3.000 studenten per aanvraag; alles of niets."),
    )


def _refused() -> str:
    return _("U mag voor deze instelling geen studenten aanleveren.")


def _file_row(values: dict[str, Any]) -> dict[str, str]:
    """The student as the file row the importer checks, by column name."""
    row: dict[str, str] = {}
    for name, column in COLUMNS.items():
        value = values.get(name)
        if value is None:
            text = ""
        elif isinstance(value, bool):
            text = "ja" if value else "nee"
        elif isinstance(value, date):
            text = value.isoformat()
        elif name == "priorEducation":
            text = PRIOR_WORDS[str(value)]
        else:
            text = str(value)
        row[column] = text
    return row


def _reason(error: RowError) -> tuple[str, str]:
    return FIELDS_BY_COLUMN.get(error.column, ""), error.message


_Counts = inline_serializer(
    "StudentWriteCounts",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


class StudentBatchView(APIView):
    """Create or update many students at once, all or nothing."""

    required_scopes = "students:write"
    parser_classes = [JSONParser]

    @extend_schema(
        request=StudentBatchSerializer,
        responses={200: _Counts},
        summary=gettext_lazy("Studenten aanleveren (alles of niets)"),
        operation_id="students_batch",
    )
    def post(self, request: Request) -> Response:
        too_large = body_too_large(
            request,
            _("Stuur de studenten in leveringen van hoogstens %(most)s.") % {"most": MAX_BATCH},
        )
        if too_large is not None:
            return too_large
        body = StudentBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            institution = writing_institution(
                request, body.validated_data.get("institution"), may_import_students, _refused()
            )
        except WriteRefused as refused:
            return refused.response
        result = student_batch_import(
            actor=request.user,  # type: ignore[arg-type]
            institution=institution,
            records=[_file_row(values) for values in body.validated_data["students"]],
            name=lambda index: f"#/students/{index}",
            path=request.path,
        )
        if not result.ok:
            return invalid_rows_response(request, map(_batch_reason, result.errors))
        return Response(
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )


def _batch_reason(error: RowError) -> tuple[tuple[str | int, ...], str]:
    name, message = _reason(error)
    where: tuple[str | int, ...] = ("students", error.line)
    return ((*where, name) if name else where), message
