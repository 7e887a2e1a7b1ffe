"""Import students from the school's student information system (CSV or Excel .xlsx).

All or nothing per file: every row is checked first; one bad row and nothing is written, with
a Dutch message per row and line number. Importing the same file again changes nothing; a
later file updates the students it names (by student number) instead of duplicating them.

Startkwalificatie: `startkwalificatie` (ja/nee) and optionally `startkwalificatie_datum`, the
day it was obtained (absence before that day still counts for the statutory reports). A date
implies ja; nee with a date is an error. A file without a date never erases a date the care
team recorded on the student's file: that student keeps it (and the startkwalificatie).

Excel: the first sheet, with the header in its first row; dates may be Excel dates or text,
and numbers come out as the text a CSV export would have (core/spreadsheets.py), so the same
students as a CSV or as an Excel file give the same result. Rows without any text are left
out, in either.

The student information system delivers the same students over the API (students/api/
write.py): each becomes a file row by column name and goes through `check_student_rows` and
the same write, so the file and the API never disagree.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import may_import_students
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Location, Organisation, Programme, User
from schakelpunt.core.csvfiles import UnreadableExport, parse_date
from schakelpunt.core.db import refresh_planner_statistics
from schakelpunt.core.spreadsheets import read_table
from schakelpunt.privacy.register import Activity
from schakelpunt.refdata.models import PostcodeArea
from schakelpunt.refdata.selectors import normalise_postcode

from .bsn import bsn_is_valid, bsn_normalise
from .models import PriorEducation, Student

# Column name in the file → field. Names are matched without case and surrounding spaces.
REQUIRED = [
    "studentnummer",
    "voornaam",
    "achternaam",
    "geboortedatum",
    "postcode",
    "locatie",
    "crebo",
    "leerweg",
    "startdatum",
    "vooropleiding",
]
OPTIONAL = [
    "tussenvoegsel",
    "roepnaam",
    "bsn",
    "email",
    "telefoon",
    "startkwalificatie",
    "startkwalificatie_datum",
    "uitschrijfdatum",
]
PRIOR_EDUCATION = {
    "vmbo": PriorEducation.VMBO,
    "havo/vwo": PriorEducation.HAVO_VWO,
    "havo": PriorEducation.HAVO_VWO,
    "vwo": PriorEducation.HAVO_VWO,
    "vso": PriorEducation.VSO,
    "pro": PriorEducation.PRO,
    "praktijkonderwijs": PriorEducation.PRO,
    "mbo": PriorEducation.MBO,
    "geen": PriorEducation.NONE,
    "buitenland": PriorEducation.ABROAD,
}
YES = {"ja", "j", "1", "true", "waar", "yes"}
NO = {"nee", "n", "0", "false", "onwaar", "no", ""}
MAX_ROWS = 100_000
# The fields an import sets; a re-import compares exactly these.
FIELDS = [
    "first_name",
    "name_prefix",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "bsn",
    "email",
    "phone",
    "postcode",
    "residence_municipality_id",
    "location_id",
    "programme_id",
    "prior_education",
    "has_basic_qualification",
    "basic_qualification_on",
    "enrolled_on",
    "left_on",
]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    # The file's column the message is about ("" for the row or the file as a whole).
    column: str = ""

    def __str__(self) -> str:
        return f"Regel {self.line}: {self.message}" if self.line else self.message


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Row:
    """One row's checks; collects messages instead of stopping at the first."""

    def __init__(self, line: int, raw: dict[str, str], lookups: "_Lookups") -> None:
        self.line, self.raw, self.lookups = line, raw, lookups
        self.errors: list[RowError] = []

    def error(self, message: str, column: str = "") -> None:
        self.errors.append(RowError(self.line, message, column))

    def text(self, column: str, *, required: bool = False, max_length: int = 100) -> str:
        value = (self.raw.get(column) or "").strip()
        if required and not value:
            self.error(f"{column} ontbreekt.", column)
        elif len(value) > max_length:
            self.error(f"{column} is te lang (hoogstens {max_length} tekens).", column)
        return value

    def day(self, column: str, *, required: bool = True) -> date | None:
        value = (self.raw.get(column) or "").strip()
        if not value:
            if required:
                self.error(f"{column} ontbreekt.", column)
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(
                f"{column} '{value}' is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ).",
                column,
            )
        return parsed

    def values(self) -> dict[str, Any]:
        today = timezone.localdate()
        number = self.text("studentnummer", required=True, max_length=20)
        born = self.day("geboortedatum")
        if born is not None and not (12 <= (today - born).days // 365 <= 45):
            self.error(
                f"geboortedatum {born:%d-%m-%Y} geeft een onwaarschijnlijke leeftijd.",
                "geboortedatum",
            )
        bsn = self.text("bsn", max_length=9)
        if bsn and not bsn_is_valid(bsn):
            self.error("bsn klopt niet (de elfproef faalt).", "bsn")
        email = self.text("email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.error(f"email '{email}' is geen geldig e-mailadres.", "email")
        raw_postcode = self.text("postcode", required=True, max_length=10)
        postcode = normalise_postcode(raw_postcode)
        if raw_postcode and postcode is None:
            self.error(f"postcode '{raw_postcode}' is geen Nederlandse postcode.", "postcode")
        location = self.lookups.locations.get(self.text("locatie", required=True).lower())
        if self.raw.get("locatie", "").strip() and location is None:
            self.error(
                f"locatie '{self.raw['locatie'].strip()}' bestaat niet bij deze instelling.",
                "locatie",
            )
        crebo = self.text("crebo", required=True, max_length=5)
        pathway = self.text("leerweg", required=True, max_length=3).upper()
        if pathway and pathway not in {"BOL", "BBL"}:
            self.error(f"leerweg '{pathway}' moet BOL of BBL zijn.", "leerweg")
        programme = None
        if location is not None and crebo and pathway in {"BOL", "BBL"}:
            programme = self.lookups.programmes.get((location.pk, crebo, pathway))
            if programme is None:
                self.error(
                    f"geen opleiding met crebo {crebo} ({pathway}) op locatie {location.name}.",
                    "crebo",
                )
        prior_raw = self.text("vooropleiding", required=True).lower()
        prior = PRIOR_EDUCATION.get(prior_raw)
        if prior_raw and prior is None:
            self.error(
                f"vooropleiding '{prior_raw}' is onbekend (gebruik: {', '.join(PRIOR_EDUCATION)}).",
                "vooropleiding",
            )
        qualified_raw = self.text("startkwalificatie").lower()
        if qualified_raw not in YES | NO:
            self.error(
                f"startkwalificatie '{qualified_raw}' moet ja of nee zijn.", "startkwalificatie"
            )
        qualified_on = self.day("startkwalificatie_datum", required=False)
        if qualified_on is not None:
            if qualified_raw and qualified_raw in NO:
                self.error(
                    "startkwalificatie is nee, maar startkwalificatie_datum is ingevuld: "
                    "vul ja in of laat de datum leeg.",
                    "startkwalificatie_datum",
                )
            if qualified_on > today:
                self.error(
                    f"startkwalificatie_datum {qualified_on:%d-%m-%Y} ligt in de toekomst.",
                    "startkwalificatie_datum",
                )
            if born is not None and qualified_on <= born:
                self.error(
                    "startkwalificatie_datum ligt voor de geboortedatum.",
                    "startkwalificatie_datum",
                )
        enrolled = self.day("startdatum")
        left = self.day("uitschrijfdatum", required=False)
        if enrolled and left and left < enrolled:
            self.error("uitschrijfdatum ligt voor de startdatum.", "uitschrijfdatum")
        # An ended programme takes no student who stays enrolled after its last day.
        if (
            programme is not None
            and location is not None
            and programme.ended_on is not None
            and programme.ended_on < today
            and (left is None or left > programme.ended_on)
        ):
            self.error(
                f"opleiding met crebo {crebo} ({pathway}) op locatie {location.name} "
                f"is beëindigd op {programme.ended_on:%d-%m-%Y}.",
                "crebo",
            )
        return {
            "student_number": number,
            "first_name": self.text("voornaam", required=True),
            "name_prefix": self.text("tussenvoegsel", max_length=20),
            "last_name": self.text("achternaam", required=True),
            "preferred_name": self.text("roepnaam"),
            "date_of_birth": born,
            "bsn": bsn_normalise(bsn) if bsn else "",
            "email": email.lower(),
            "phone": self.text("telefoon", max_length=20),
            "postcode": postcode or "",
            "residence_municipality_id": self.lookups.municipality_for(postcode),
            "location_id": location.pk if location else None,
            "programme_id": programme.pk if programme else None,
            "prior_education": prior,
            "has_basic_qualification": qualified_raw in YES or qualified_on is not None,
            "basic_qualification_on": qualified_on,
            "enrolled_on": enrolled,
            "left_on": left,
        }


class _Lookups:
    def __init__(self, institution: Organisation) -> None:
        self.locations = {
            loc.name.lower(): loc for loc in Location.objects.filter(institution=institution)
        }
        self.programmes = {
            (p.team.location_id, p.crebo, p.pathway): p
            for p in Programme.objects.filter(
                team__location__institution=institution
            ).select_related("team")
        }
        self.pc4 = dict(PostcodeArea.objects.values_list("pc4", "municipality_id"))

    def municipality_for(self, postcode: str | None) -> int | None:
        return self.pc4.get(postcode[:4]) if postcode else None


def parse_students(
    data: bytes, institution: Organisation
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Check the whole file; return the rows' values, or the errors (and no rows)."""
    if not data.strip():
        return [], [RowError(0, "Het bestand is leeg.")]
    try:
        return _parse_students(data, institution)
    except UnreadableExport as error:
        return [], [RowError(0, str(error))]


def _parse_students(
    data: bytes, institution: Organisation
) -> tuple[list[dict[str, Any]], list[RowError]]:
    headers, records = read_table(data)
    if not any(headers):
        return [], [RowError(0, "Het bestand is leeg.")]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        return [], [RowError(1, f"kolom ontbreekt: {', '.join(missing)}.")]
    return check_student_rows(records, institution, _file_line)


def _file_line(line: int) -> str:
    return f"regel {line}"


def check_student_rows(
    records: Iterable[tuple[int, dict[str, str] | None]],
    institution: Organisation,
    name: Callable[[int], str],
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The rules for every row, the same for a file and for students the API received.

    `records`: (place, the row's text by column name), None for a row that does not fit the
    header; `name(place)` names an earlier row in a message. Returns the rows' values, or the
    errors (and no rows)."""
    lookups = _Lookups(institution)
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    count = 0
    for line, raw in records:
        count += 1
        if count > MAX_ROWS:
            return [], [RowError(0, f"Het bestand heeft meer dan {MAX_ROWS} regels.")]
        if raw is None:
            errors.append(RowError(line, "deze regel heeft meer kolommen dan de kop."))
            continue
        row = _Row(line, raw, lookups)
        values = row.values()
        number = values["student_number"]
        if number and number in seen:
            row.error(f"studentnummer {number} staat ook op {name(seen[number])}.", "studentnummer")
        seen.setdefault(number, line)
        errors.extend(row.errors)
        rows.append(values)
    if not rows and not errors:
        errors.append(RowError(0, "Het bestand bevat geen studenten."))
    return ([] if errors else rows), errors


def _keep_recorded_qualification(student: Student, values: dict[str, Any]) -> None:
    """A row without a date leaves a recorded startkwalificatie date as it is (the student
    information system may not know the date, or not yet know the startkwalificatie)."""
    if student.basic_qualification_on is not None:
        values["basic_qualification_on"] = student.basic_qualification_on
        values["has_basic_qualification"] = True


def student_import(*, actor: User, institution: Organisation, data: bytes) -> ImportResult:
    """Import the file for the institution. Bad file: nothing changes, errors returned."""
    if not may_import_students(actor, institution):
        raise PermissionDenied
    rows, errors = parse_students(data, institution)
    result = ImportResult(errors=errors)
    if errors:
        return result
    _write(actor=actor, institution=institution, rows=rows, result=result, path="students/import")
    return result


def student_batch_import(
    *,
    actor: User,
    institution: Organisation,
    records: Sequence[dict[str, str]],
    name: Callable[[int], str],
    path: str,
) -> ImportResult:
    """Students a system delivered over the API, each as a file row's text by column name:
    the same checks and the same write as a file, all or nothing. A RowError's `line` is the
    record's index."""
    if not may_import_students(actor, institution):
        raise PermissionDenied
    rows, errors = check_student_rows(enumerate(records), institution, name)
    result = ImportResult(errors=errors)
    if errors:
        return result
    _write(
        actor=actor,
        institution=institution,
        rows=rows,
        result=result,
        path=path,
        only=[values["student_number"] for values in rows],
    )
    return result


def _write(
    *,
    actor: User,
    institution: Organisation,
    rows: list[dict[str, Any]],
    result: ImportResult,
    path: str,
    only: list[str] | None = None,
) -> None:
    """Create or update by student number, in one transaction, and log who changed which
    files. `only`: read just these students (a small batch), not the whole institution."""
    with transaction.atomic():
        # One write of the institution's students at a time: two deliveries of a new student
        # never both create it.
        Organisation.objects.select_for_update().filter(pk=institution.pk).first()
        found = Student.objects.select_for_update().filter(institution=institution)
        if only is not None:
            found = found.filter(student_number__in=only)
        existing = {s.student_number: s for s in found}
        changed: list[Student] = []
        for values in rows:
            student = existing.get(values["student_number"])
            if student is not None and values["basic_qualification_on"] is None:
                _keep_recorded_qualification(student, values)
            if student is None:
                student = Student.objects.create(institution=institution, **values)
                result.created += 1
                changed.append(student)
            elif any(getattr(student, f) != values[f] for f in FIELDS):
                for f in FIELDS:
                    setattr(student, f, values[f])
                student.save()
                result.updated += 1
                changed.append(student)
            else:
                result.unchanged += 1
        if changed:
            access_log_record(
                actor=actor,
                activity=Activity.ENROLMENT,
                students=changed,
                action=Action.CHANGE,
                parts=[Part.IDENTITY, Part.CONTACT, Part.ENROLMENT],
                role="import",
                path=path,
            )
        transaction.on_commit(refresh_planner_statistics)
