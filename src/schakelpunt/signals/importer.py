"""Import absence from the student information system (CSV or XLSX), all or nothing per file.

Columns: studentnummer, datum, geroosterde_uren, afwezige_uren, geoorloofd (ja/nee), reden
(ziek, geschorst, geoorloofd, ongeoorloofd). A later file for the same days replaces those
days; the same file again changes nothing. A daily incremental file is just a smaller file.
Large files report their progress through a callback (the screen shows it, the CLI prints it).
"""

import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from schakelpunt.access.policy import may_import_absence
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.core.bulk import insert_rows
from schakelpunt.core.csvfiles import UnreadableExport, checked_rows, decode_export
from schakelpunt.core.db import refresh_planner_statistics
from schakelpunt.core.spreadsheets import is_xlsx, xlsx_rows
from schakelpunt.students.models import Student

from .daily import daily_signals_compute
from .models import AbsenceImportJob, AbsenceReasonCode, AbsenceRecord, ImportStatus

logger = logging.getLogger(__name__)

REQUIRED = ["studentnummer", "datum", "geroosterde_uren", "afwezige_uren", "geoorloofd", "reden"]
REASONS = {
    "ziek": AbsenceReasonCode.ILLNESS,
    "geschorst": AbsenceReasonCode.SUSPENSION,
    "geoorloofd": AbsenceReasonCode.OTHER_AUTHORISED,
    "ongeoorloofd": AbsenceReasonCode.UNAUTHORISED,
}
MAX_HOURS_A_DAY = Decimal(24)
PROGRESS_EVERY = 10_000
DELETE_BATCH = 5000
MAX_KEPT_ERRORS = 500

# One checked row: student id, day, scheduled hours, absent hours, reason code.
Row = tuple[int, date, Decimal, Decimal, str]
# progress(phase, done, total): phase "check" while reading rows, "save" while writing.
Progress = Callable[[str, int, int], None]


@dataclass
class AbsenceImportResult:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@lru_cache(maxsize=4096)
def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@lru_cache(maxsize=4096)
def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        return datetime.strptime(raw, "%d-%m-%Y").date()  # noqa: DTZ007 - a date
    except ValueError:
        return None


def _csv_rows(data: bytes) -> tuple[int, Iterator[list[str]]]:
    text = decode_export(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    # Progress counts data rows: the lines with text, less the header.
    data_rows = max(sum(1 for line in text.splitlines() if line.strip()) - 1, 0)
    return data_rows, checked_rows(csv.reader(io.StringIO(text), delimiter=delimiter))


def _parse(
    data: bytes, students: dict[str, int], progress: Progress | None = None
) -> tuple[list[Row], list[str]]:
    if is_xlsx(data):
        # Absence files are large: reading every cell's style for the leading zeros of a number
        # format (`000123` shown for 123) would make them a third slower. Such a student number
        # is then unknown and reported, not imported.
        in_sheet, reader = xlsx_rows(data, number_formats=False)
        total = max(in_sheet - 1, 0)  # data rows: less the header
    else:
        total, reader = _csv_rows(data)
    header = [h.strip().lower() for h in next(reader, [])]
    while header and not header[-1]:
        header.pop()  # Excel often adds empty columns to the right
    if not any(header):
        return [], ["Het bestand is leeg."]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"Regel 1: Kolom ontbreekt: {', '.join(missing)}."]
    at = {name: header.index(name) for name in REQUIRED}
    records: list[Row] = []
    errors: list[str] = []
    seen: dict[tuple[int, date], int] = {}
    done = 0  # data rows read, as the progress counts them (not file lines)
    for line, row in enumerate(reader, start=2):
        while len(row) > len(header) and not row[-1].strip():
            row.pop()
        if not any(cell.strip() for cell in row):
            continue
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress("check", done, max(total, done))
        if len(row) != len(header):
            errors.append(f"Regel {line}: {len(row)} kolommen, de kop heeft er {len(header)}.")
            continue
        problems = []
        number = row[at["studentnummer"]].strip()
        student_id = students.get(number)
        if student_id is None:
            problems.append(f"studentnummer '{number}' is onbekend bij deze instelling")
        raw_day = row[at["datum"]].strip()
        day = _day(raw_day)
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
        records.append((student_id, day, scheduled, absent, str(reason)))
    if not records and not errors:
        errors.append("Het bestand bevat geen regels.")
    if progress:
        progress("check", done, done)
    return ([] if errors else records), errors


def absence_import(
    *,
    actor: User,
    institution: Organisation,
    data: bytes,
    progress: Progress | None = None,
) -> AbsenceImportResult:
    """Import one file. Any error: nothing changes and every bad row is named."""
    if not may_import_absence(actor, institution):
        raise PermissionDenied
    students = dict(
        Student.objects.filter(institution=institution).values_list("student_number", "pk")
    )
    try:
        records, errors = _parse(data, students, progress)
    except UnreadableExport as error:  # another encoding, binary, a field of a million characters
        records, errors = [], [str(error)]
    result = AbsenceImportResult(errors=errors)
    if errors:
        return result
    first, last = min(r[1] for r in records), max(r[1] for r in records)
    with transaction.atomic():
        existing = {
            (student_id, day): (pk, scheduled, absent, reason)
            for pk, student_id, day, scheduled, absent, reason in AbsenceRecord.objects.select_for_update()
            .filter(student__institution=institution, day__gte=first, day__lte=last)
            .values_list("pk", "student_id", "day", "scheduled_hours", "absent_hours", "reason")
        }
        new, stale = [], []
        for record in records:
            old = existing.get((record[0], record[1]))
            if old is None:
                new.append(record)
            elif old[1:] == record[2:]:
                result.unchanged += 1
            else:
                stale.append(old[0])
                new.append(record)
                result.replaced += 1
        for i in range(0, len(stale), DELETE_BATCH):
            AbsenceRecord.objects.filter(pk__in=stale[i : i + DELETE_BATCH]).delete()
        _insert(new, progress)
        result.created = len(new) - result.replaced
        transaction.on_commit(refresh_planner_statistics)
    return result


def _insert(rows: list[Row], progress: Progress | None) -> None:
    """Write the checked rows (COPY on PostgreSQL). The rows were validated above and the
    database checks its constraints either way."""
    insert_rows(
        AbsenceRecord,
        ["student", "day", "scheduled_hours", "absent_hours", "reason"],
        rows,
        progress=(lambda done: progress("save", done, len(rows))) if progress else None,
    )


def absence_import_job_create(
    *, actor: User, institution: Organisation, filename: str, data: bytes
) -> AbsenceImportJob:
    """Keep an uploaded file for the worker (tasks.absence_import_job_start queues it)."""
    if not may_import_absence(actor, institution):
        raise PermissionDenied
    return AbsenceImportJob.objects.create(
        institution=institution, uploaded_by=actor, filename=filename[:255], data=data
    )


def absence_import_job_run(job_id: int) -> None:
    """The worker's side: import, report progress, keep the result, drop the file, and then
    recompute today's reports and signals for the institution."""
    job = AbsenceImportJob.objects.select_related("institution", "uploaded_by").get(pk=job_id)
    if job.finished:
        return

    def progress(phase: str, done: int, total: int) -> None:
        AbsenceImportJob.objects.filter(pk=job_id).update(status=phase, done=done, total=total)

    progress(ImportStatus.CHECKING, 0, 0)
    try:
        result = absence_import(
            actor=job.uploaded_by,
            institution=job.institution,
            data=bytes(job.data),
            progress=progress,
        )
    except PermissionDenied:
        result = AbsenceImportResult(errors=["U mag voor deze instelling geen verzuim inlezen."])
    except Exception:
        # Nothing was saved (one transaction); say so instead of showing progress forever.
        AbsenceImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            errors=[
                "Er ging iets mis bij het inlezen; er is niets opgeslagen. Probeer het later "
                "opnieuw of neem contact op met de functioneel beheerder."
            ],
            data=b"",
            finished_at=timezone.now(),
        )
        raise
    if result.ok:
        # New absence: bring the reports and the early warning up to date at once. If that
        # fails the absence is still saved, and the morning run catches up.
        progress(ImportStatus.SIGNALS, 0, 0)
        try:
            daily_signals_compute(institution=job.institution, today=timezone.localdate())
        except Exception:
            logger.exception("Signals after absence import %s failed", job_id)
    AbsenceImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE if result.ok else ImportStatus.FAILED,
        created=result.created,
        replaced=result.replaced,
        unchanged=result.unchanged,
        errors=result.errors[:MAX_KEPT_ERRORS]
        + (
            [f"… en nog {len(result.errors) - MAX_KEPT_ERRORS} fouten."]
            if len(result.errors) > MAX_KEPT_ERRORS
            else []
        ),
        data=b"",
        finished_at=timezone.now(),
    )
