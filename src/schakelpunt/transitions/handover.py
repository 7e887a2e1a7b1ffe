"""Warm handover VO→MBO: reading the VO schools' handover file, matching it to students.

The file (CSV, `;` or `,`) has one pupil per row; `docs/handover.md` describes the columns.
All or nothing per file, with a Dutch message per row; the same file again changes nothing;
a later file updates the records it names (school, name and date of birth), keeping a match
already made. Support information travels only with the pupil's consent.

Matching to the institution's students: the MBO student number with the same date of birth,
or the same date of birth with the same first and last name, is certain. The same date of
birth with the same first or last name (or several students that fit) is uncertain and waits
for the care coordinator's review. Otherwise: not (yet) enrolled.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.core.csvfiles import (
    UnreadableExport,
    checked_rows,
    decode_export,
    export_header,
    export_reader,
    parse_date,
)
from schakelpunt.refdata.models import PostcodeArea
from schakelpunt.refdata.selectors import normalise_postcode
from schakelpunt.students.importer import YES, RowError
from schakelpunt.students.models import Student

from .models import DiplomaExpected, HandoverRecord, MatchStatus, SchoolType

REQUIRED = [
    "vo_school",
    "voornaam",
    "achternaam",
    "geboortedatum",
    "schoolsoort",
    "diploma_verwacht",
    "toestemming",
]
OPTIONAL = [
    "tussenvoegsel",
    "postcode",
    "studentnummer",
    "ondersteuning",
    "wat_werkte",
    "mentor",
    "mentor_email",
]
SCHOOL_TYPES = {code: code for code in SchoolType.values} | {
    "vmbo bb": SchoolType.VMBO_B,
    "vmbo kb": SchoolType.VMBO_K,
    "vmbo gt": SchoolType.VMBO_GT,
    "vmbo-t": SchoolType.VMBO_GT,
    "praktijkonderwijs": SchoolType.PRO,
}
DIPLOMA = {
    "ja": DiplomaExpected.YES,
    "nee": DiplomaExpected.NO,
    "onzeker": DiplomaExpected.UNCERTAIN,
}
NO = {"nee", "n", "0", "false", "no"}
FIELDS = [
    "first_name",
    "name_prefix",
    "last_name",
    "date_of_birth",
    "postcode",
    "school_type",
    "diploma_expected",
    "consent",
    "support_received",
    "what_worked",
    "mentor_name",
    "mentor_email",
    "mbo_student_number",
    "residence_municipality",
]


@dataclass
class HandoverImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _row(line: int, raw: dict[str, str], errors: list[RowError]) -> dict[str, Any]:
    def text(column: str, *, required: bool = False, max_length: int = 100) -> str:
        value = (raw.get(column) or "").strip()
        if required and not value:
            errors.append(RowError(line, f"{column} ontbreekt."))
        elif len(value) > max_length:
            errors.append(RowError(line, f"{column} is te lang (hoogstens {max_length} tekens)."))
        return value

    values: dict[str, Any] = {
        "source_school": text("vo_school", required=True, max_length=200),
        "first_name": text("voornaam", required=True),
        "name_prefix": text("tussenvoegsel", max_length=20),
        "last_name": text("achternaam", required=True),
        "mbo_student_number": text("studentnummer", max_length=20),
        "support_received": text("ondersteuning", max_length=2000),
        "what_worked": text("wat_werkte", max_length=2000),
        "mentor_name": text("mentor", max_length=200),
        "mentor_email": text("mentor_email", max_length=254),
    }
    born_raw = text("geboortedatum", required=True)
    values["date_of_birth"] = parse_date(born_raw) if born_raw else None
    if born_raw and values["date_of_birth"] is None:
        errors.append(
            RowError(
                line,
                f"geboortedatum '{born_raw}' is geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ).",
            )
        )
    raw_postcode = text("postcode", max_length=10)
    values["postcode"] = normalise_postcode(raw_postcode) or "" if raw_postcode else ""
    if raw_postcode and not values["postcode"]:
        errors.append(RowError(line, f"postcode '{raw_postcode}' is geen Nederlandse postcode."))
    area = (
        PostcodeArea.objects.filter(pc4=values["postcode"][:4]).first()
        if values["postcode"]
        else None
    )
    values["residence_municipality"] = area.municipality if area else None
    school_type = text("schoolsoort", required=True).lower()
    values["school_type"] = SCHOOL_TYPES.get(school_type, "")
    if school_type and not values["school_type"]:
        errors.append(
            RowError(
                line,
                f"schoolsoort '{school_type}' is onbekend (gebruik: {', '.join(SchoolType.values)}).",
            )
        )
    diploma = text("diploma_verwacht", required=True).lower()
    values["diploma_expected"] = DIPLOMA.get(diploma, "")
    if diploma and not values["diploma_expected"]:
        errors.append(RowError(line, f"diploma_verwacht '{diploma}' moet ja, nee of onzeker zijn."))
    consent = text("toestemming", required=True).lower()
    if consent and consent not in YES | NO:
        errors.append(RowError(line, f"toestemming '{consent}' moet ja of nee zijn."))
    values["consent"] = consent in YES
    if not values["consent"] and (values["support_received"] or values["what_worked"]):
        errors.append(
            RowError(
                line,
                "zonder toestemming van de leerling (en ouders) geen informatie over "
                "ondersteuning: laat ondersteuning en wat_werkte leeg.",
            )
        )
    if values["mentor_email"]:
        try:
            validate_email(values["mentor_email"])
        except ValidationError:
            errors.append(
                RowError(
                    line, f"mentor_email '{values['mentor_email']}' is geen geldig e-mailadres."
                )
            )
    return values


def handover_import(*, actor: User, institution: Organisation, data: bytes) -> HandoverImportResult:
    from schakelpunt.access.policy import may_handle_handover

    if not may_handle_handover(actor, institution):
        raise PermissionDenied
    result = HandoverImportResult()
    try:
        reader = export_reader(decode_export(data))
        header = export_header(reader)
        raw_rows = list(checked_rows(reader))
    except UnreadableExport as error:  # another encoding, binary, a field of a million characters
        result.errors.append(RowError(0, str(error)))
        return result
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append(
            RowError(0, _("Kolommen ontbreken: %(cols)s.") % {"cols": ", ".join(missing)})
        )
        return result
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for line, raw in enumerate(raw_rows, start=2):
        clean = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
        values = _row(line, clean, result.errors)
        key = (
            values["source_school"].casefold(),
            values["last_name"].casefold(),
            values["first_name"].casefold(),
            values["date_of_birth"],
        )
        if key in seen:
            result.errors.append(
                RowError(line, f"dezelfde leerling staat ook op regel {seen[key]}.")
            )
        seen[key] = line
        rows.append((line, values))
    if not rows and not result.errors:
        result.errors.append(RowError(0, _("Het bestand bevat geen leerlingen.")))
    if result.errors:
        return result
    with transaction.atomic():
        for _line, values in rows:
            record = HandoverRecord.objects.filter(
                institution=institution,
                source_school=values["source_school"],
                last_name=values["last_name"],
                first_name=values["first_name"],
                date_of_birth=values["date_of_birth"],
            ).first()
            if record is None:
                record = HandoverRecord.objects.create(institution=institution, **values)
                result.created += 1
            elif any(getattr(record, f) != values[f] for f in FIELDS):
                for name in FIELDS:
                    setattr(record, name, values[name])
                record.save()
                result.updated += 1
            else:
                result.unchanged += 1
        handover_match_all(institution)
    return result


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@dataclass(frozen=True)
class Match:
    status: str
    student: Student | None = None
    candidates: tuple[int, ...] = ()


def match_for(record: HandoverRecord) -> Match:
    """The matching rules for one record (see the module docstring)."""
    students = Student.objects.filter(institution_id=record.institution_id)
    if record.mbo_student_number:
        by_number = students.filter(student_number=record.mbo_student_number).first()
        if by_number is not None:
            if by_number.date_of_birth == record.date_of_birth:
                return Match(MatchStatus.MATCHED, by_number)
            return Match(MatchStatus.UNCERTAIN, candidates=(by_number.pk,))
    born = list(students.filter(date_of_birth=record.date_of_birth))
    first, last = _plain(record.first_name), _plain(record.last_name)
    exact = [
        s
        for s in born
        if _plain(s.last_name) == last and first in {_plain(s.first_name), _plain(s.preferred_name)}
    ]
    if len(exact) == 1:
        return Match(MatchStatus.MATCHED, exact[0])
    if exact:
        return Match(MatchStatus.UNCERTAIN, candidates=tuple(s.pk for s in exact))
    near = [
        s
        for s in born
        if _plain(s.last_name) == last or first in {_plain(s.first_name), _plain(s.preferred_name)}
    ]
    if near:
        return Match(MatchStatus.UNCERTAIN, candidates=tuple(s.pk for s in near))
    return Match(MatchStatus.NONE)


def handover_match_all(institution: Organisation) -> int:
    """(Re)match the records nobody decided on yet; returns how many are matched now."""
    matched = 0
    open_records = HandoverRecord.objects.filter(institution=institution).filter(
        Q(match_status=MatchStatus.NONE) | Q(match_status=MatchStatus.UNCERTAIN, matched_by=None)
    )
    for record in open_records:
        found = match_for(record)
        record.match_status = found.status
        record.student = found.student
        record.candidates = list(found.candidates)
        record.save(update_fields=["match_status", "student", "candidates"])
        matched += int(found.status == MatchStatus.MATCHED)
    return matched


def handover_confirm(*, actor: User, record_id: int, student_id: int | None) -> HandoverRecord:
    """The care coordinator decides an uncertain match: this student, or none of them."""
    from schakelpunt.access.policy import may_handle_handover

    with transaction.atomic():
        record = (
            HandoverRecord.objects.select_for_update()
            .select_related("institution")
            .get(pk=record_id)
        )
        if not may_handle_handover(actor, record.institution):
            raise PermissionDenied
        if student_id is not None:
            if student_id not in record.candidates:
                raise ValidationError(_("Kies een van de voorgestelde studenten."))
            record.student = Student.objects.get(pk=student_id)
            record.match_status = MatchStatus.MATCHED
        else:
            record.student = None
            record.match_status = MatchStatus.REJECTED
        record.matched_by = actor
        record.matched_at = timezone.now()
        record.save()
    return record


def records_for_intake(institution: Organisation, today: date) -> list[HandoverRecord]:
    """Incoming pupils with support needs, for the care coordinator before the year starts."""
    return [
        r
        for r in HandoverRecord.objects.filter(institution=institution)
        .select_related("student")
        .order_by("match_status", "last_name")
        if r.needs_support
    ]
