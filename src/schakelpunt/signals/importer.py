"""Import absence from the student information system (CSV), all or nothing per file.

Columns: studentnummer, datum, geroosterde_uren, afwezige_uren, geoorloofd (ja/nee), reden
(ziek, geschorst, geoorloofd, ongeoorloofd). A later file for the same days replaces those
days; the same file again changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from schakelpunt.access.policy import may_import_students
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.core.csvfiles import decode_export
from schakelpunt.students.models import Student

from .models import AbsenceReasonCode, AbsenceRecord

REQUIRED = ["studentnummer", "datum", "geroosterde_uren", "afwezige_uren", "geoorloofd", "reden"]
REASONS = {
    "ziek": AbsenceReasonCode.ILLNESS,
    "geschorst": AbsenceReasonCode.SUSPENSION,
    "geoorloofd": AbsenceReasonCode.OTHER_AUTHORISED,
    "ongeoorloofd": AbsenceReasonCode.UNAUTHORISED,
}
MAX_HOURS_A_DAY = Decimal(24)


@dataclass
class AbsenceImportResult:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _parse(data: bytes, students: dict[str, int]) -> tuple[list[AbsenceRecord], list[str]]:
    text = decode_export(data)
    if not text.strip():
        return [], ["Het bestand is leeg."]
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"Regel 1: Kolom ontbreekt: {', '.join(missing)}."]
    at = {name: header.index(name) for name in REQUIRED}
    records: list[AbsenceRecord] = []
    errors: list[str] = []
    seen: dict[tuple[int, date], int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(f"Regel {line}: {len(row)} kolommen, de kop heeft er {len(header)}.")
            continue
        problems = []
        number = row[at["studentnummer"]].strip()
        student_id = students.get(number)
        if student_id is None:
            problems.append(f"studentnummer '{number}' is onbekend bij deze instelling")
        raw_day = row[at["datum"]].strip()
        day = None
        for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
            try:
                day = datetime.strptime(raw_day, fmt).date()  # noqa: DTZ007 - a date
                break
            except ValueError:
                continue
        if day is None:
            problems.append(f"datum '{raw_day}' is geen geldige datum")
        scheduled = _decimal(row[at["geroosterde_uren"]])
        absent = _decimal(row[at["afwezige_uren"]])
        if scheduled is None or not Decimal(0) <= scheduled <= MAX_HOURS_A_DAY:
            problems.append(
                f"geroosterde_uren '{row[at['geroosterde_uren']].strip()}' moet tussen 0 en 24 liggen"
            )
        if absent is None or absent < 0:
            problems.append(
                f"afwezige_uren '{row[at['afwezige_uren']].strip()}' is geen geldig aantal"
            )
        elif scheduled is not None and absent > scheduled:
            problems.append("afwezige_uren is meer dan geroosterde_uren")
        reason = REASONS.get(row[at["reden"]].strip().lower())
        if reason is None:
            problems.append(f"reden '{row[at['reden']].strip()}' moet zijn: {', '.join(REASONS)}")
        authorised = row[at["geoorloofd"]].strip().lower()
        if authorised not in {"ja", "nee"}:
            problems.append(f"geoorloofd '{authorised}' moet ja of nee zijn")
        elif reason is not None and (authorised == "nee") != (
            reason == AbsenceReasonCode.UNAUTHORISED
        ):
            problems.append("geoorloofd en reden spreken elkaar tegen")
        if student_id is not None and day is not None:
            if (student_id, day) in seen:
                problems.append(
                    f"dezelfde student en datum staan ook op regel {seen[(student_id, day)]}"
                )
            seen.setdefault((student_id, day), line)
        if problems or None in (student_id, day, scheduled, absent, reason):
            errors.append(f"Regel {line}: " + "; ".join(problems) + ".")
            continue
        assert student_id is not None and day is not None  # noqa: S101 - narrowed above
        assert scheduled is not None and absent is not None and reason is not None  # noqa: S101
        records.append(
            AbsenceRecord(
                student_id=student_id,
                day=day,
                scheduled_hours=scheduled,
                absent_hours=absent,
                reason=reason,
            )
        )
    if not records and not errors:
        errors.append("Het bestand bevat geen regels.")
    return ([] if errors else records), errors


def absence_import(*, actor: User, institution: Organisation, data: bytes) -> AbsenceImportResult:
    """Import one file. Any error: nothing changes and every bad row is named."""
    if not may_import_students(actor, institution):
        raise PermissionDenied
    students = dict(
        Student.objects.filter(institution=institution).values_list("student_number", "pk")
    )
    records, errors = _parse(data, students)
    result = AbsenceImportResult(errors=errors)
    if errors:
        return result
    first, last = min(r.day for r in records), max(r.day for r in records)
    with transaction.atomic():
        existing = {
            (e.student_id, e.day): e
            for e in AbsenceRecord.objects.select_for_update().filter(
                student__institution=institution, day__gte=first, day__lte=last
            )
        }
        new, stale = [], []
        for record in records:
            old = existing.get((record.student_id, record.day))
            if old is None:
                new.append(record)
            elif (old.scheduled_hours, old.absent_hours, old.reason) == (
                record.scheduled_hours,
                record.absent_hours,
                record.reason,
            ):
                result.unchanged += 1
            else:
                stale.append(old.pk)
                new.append(record)
                result.replaced += 1
        AbsenceRecord.objects.filter(pk__in=stale).delete()
        AbsenceRecord.objects.bulk_create(new, batch_size=5000)
        result.created = len(new) - result.replaced
    return result
