"""Import absence from the student information system (CSV or XLSX), all or nothing per file.

Columns: studentnummer, datum, geroosterde_uren, afwezige_uren, geoorloofd (ja/nee), reden
(ziek, geschorst, geoorloofd, ongeoorloofd). A later file for the same days replaces those
days; the same file again changes nothing. A daily incremental file is just a smaller file.
Large files report their progress through a callback (the screen shows it, the CLI prints it).

A student information system delivers the same days over the API (signals/api.py): each day
becomes the six columns of a file row and goes through the same `check_day` and the same
write, so the file and the API never disagree. Every import records in the access log whose
absence it changed.
"""

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import may_import_absence
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.core.bulk import insert_rows
from schakelpunt.core.csvfiles import UnreadableExport, checked_rows, decode_export
from schakelpunt.core.db import refresh_planner_statistics
from schakelpunt.core.spreadsheets import is_xlsx, xlsx_rows
from schakelpunt.privacy.register import Activity
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
    pick = itemgetter(*(header.index(name) for name in REQUIRED))
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
        record, problems = check_day(pick(row), students, seen, line, _file_line)
        if record is None:
            errors.append(f"Regel {line}: " + "; ".join(m for _c, m in problems) + ".")
            continue
        records.append(record)
    if not records and not errors:
        errors.append("Het bestand bevat geen regels.")
    if progress:
        progress("check", done, done)
    return ([] if errors else records), errors


def _file_line(line: int) -> str:
    return f"regel {line}"


def check_day(
    cells: Sequence[str],
    students: dict[str, int],
    seen: dict[tuple[int, date], int],
    place: int,
    name: Callable[[int], str],
) -> tuple[Row | None, list[tuple[str, str]]]:
    """The rules for one day, the same for a file's row and a day the API received.

    `cells`: the six columns of REQUIRED as the file has them (text); `seen` collects the
    (student, day) pairs so far with their `place`, and `name(place)` names an earlier one
    in a message. Returns the checked row, or None and the problems as (column, message)."""
    number, raw_day, raw_scheduled, raw_absent, raw_authorised, raw_reason = cells
    problems: list[tuple[str, str]] = []
    number = number.strip()
    student_id = students.get(number)
    if student_id is None:
        problems.append(
            ("studentnummer", f"studentnummer '{number}' is onbekend bij deze instelling")
        )
    raw_day = raw_day.strip()
    day = _day(raw_day)
    if day is None:
        problems.append(("datum", f"datum '{raw_day}' is geen geldige datum"))
    scheduled = _decimal(raw_scheduled)
    absent = _decimal(raw_absent)
    if scheduled is None or not Decimal(0) <= scheduled <= MAX_HOURS_A_DAY:
        problems.append(
            (
                "geroosterde_uren",
                f"geroosterde_uren '{raw_scheduled.strip()}' moet tussen 0 en 24 liggen",
            )
        )
    if absent is None or absent < 0:
        problems.append(
            ("afwezige_uren", f"afwezige_uren '{raw_absent.strip()}' is geen geldig aantal")
        )
    elif scheduled is not None and absent > scheduled:
        problems.append(("afwezige_uren", "afwezige_uren is meer dan geroosterde_uren"))
    reason = REASONS.get(raw_reason.strip().lower())
    if reason is None:
        problems.append(("reden", f"reden '{raw_reason.strip()}' moet zijn: {', '.join(REASONS)}"))
    authorised = raw_authorised.strip().lower()
    if authorised not in {"ja", "nee"}:
        problems.append(("geoorloofd", f"geoorloofd '{authorised}' moet ja of nee zijn"))
    elif reason is not None and (authorised == "nee") != (reason == AbsenceReasonCode.UNAUTHORISED):
        problems.append(("geoorloofd", "geoorloofd en reden spreken elkaar tegen"))
    if student_id is not None and day is not None:
        if (student_id, day) in seen:
            problems.append(
                (
                    "datum",
                    "dezelfde student en datum staan ook op " + name(seen[(student_id, day)]),
                )
            )
        seen.setdefault((student_id, day), place)
    if problems or None in (student_id, day, scheduled, absent, reason):
        return None, problems
    assert student_id is not None and day is not None  # noqa: S101 - narrowed above
    assert scheduled is not None and absent is not None and reason is not None  # noqa: S101
    return (student_id, day, scheduled, absent, str(reason)), []


def institution_student_ids(institution: Organisation) -> dict[str, int]:
    """Student number -> id, for checking days."""
    return dict(Student.objects.filter(institution=institution).values_list("student_number", "pk"))


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
    students = institution_student_ids(institution)
    try:
        records, errors = _parse(data, students, progress)
    except UnreadableExport as error:  # another encoding, binary, a field of a million characters
        records, errors = [], [str(error)]
    result = AbsenceImportResult(errors=errors)
    if errors:
        return result
    _write(
        actor=actor,
        institution=institution,
        records=records,
        result=result,
        progress=progress,
        path="absence/import",
    )
    return result


# PostgreSQL advisory lock class: "absence writes of institution <id>".
_ABSENCE_LOCK = 1801


def _lock_institution_absence(institution: Organisation) -> None:
    """One absence write per institution at a time (until the transaction ends): two
    deliveries of the same new day then never both insert it; the second finds it. Other
    writes of the institution (students, programmes) go on meanwhile."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ABSENCE_LOCK, institution.pk])


def _write(
    *,
    actor: User,
    institution: Organisation,
    records: list[Row],
    result: "AbsenceImportResult | AbsenceBatchResult",
    progress: Progress | None,
    path: str,
) -> None:
    """Replace the days that differ, add the new ones, keep the same ones; one transaction.
    The students whose absence changed are in the access log (the absence part)."""
    first, last = min(r[1] for r in records), max(r[1] for r in records)
    with transaction.atomic():
        _lock_institution_absence(institution)
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
        changed = sorted({record[0] for record in new})
        if changed:
            access_log_record(
                actor=actor,
                activity=Activity.ABSENCE,
                # Only the ids are read: no query for the students themselves.
                students=[Student(pk=pk) for pk in changed],
                action=Action.CHANGE,
                parts=[Part.ABSENCE],
                role="import",
                path=path,
            )
        transaction.on_commit(refresh_planner_statistics)


# --- Days delivered over the API --------------------------------------------------------------

# A file's column -> the field of a day in the API (signals/api.py).
BATCH_FIELDS = {
    "studentnummer": "studentNumber",
    "datum": "date",
    "geroosterde_uren": "scheduledHours",
    "afwezige_uren": "absentHours",
    "geoorloofd": "authorised",
    "reden": "reason",
}
# A reason code of the API -> the word the file uses for it.
REASON_WORDS = {str(code): word for word, code in REASONS.items()}
# An API batch waiting for the worker is kept as JSON, a list of days; a file never starts so.
_BATCH_START = b"["


@dataclass(frozen=True)
class DayProblem:
    """What is wrong with the day at `index` of a batch (`field`: the API field, or "")."""

    index: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"#/days/{self.index}" + (f"/{self.field}" if self.field else "")
        return f"{where}: {self.message}."


@dataclass
class AbsenceBatchResult:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    problems: list[DayProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def day_cells(
    *,
    student_number: str,
    day: date,
    scheduled: Decimal,
    absent: Decimal,
    authorised: bool,
    reason: str,
) -> tuple[str, str, str, str, str, str]:
    """A day the API received, as the six columns of the absence file: the API and the file
    are then checked by the very same rules (check_day)."""
    return (
        student_number,
        day.isoformat(),
        str(scheduled),
        str(absent),
        "ja" if authorised else "nee",
        REASON_WORDS.get(reason, reason),
    )


def _batch_place(index: int) -> str:
    return f"#/days/{index}"


def _check_batch(
    days: Sequence[Sequence[str]], students: dict[str, int], progress: Progress | None
) -> tuple[list[Row], list[DayProblem]]:
    records: list[Row] = []
    problems: list[DayProblem] = []
    seen: dict[tuple[int, date], int] = {}
    for index, cells in enumerate(days):
        if progress and index and index % PROGRESS_EVERY == 0:
            progress("check", index, len(days))
        record, found = check_day(cells, students, seen, index, _batch_place)
        if record is None:
            problems.extend(
                DayProblem(index, BATCH_FIELDS.get(column, ""), message)
                for column, message in found
            )
        else:
            records.append(record)
    if not days:
        problems.append(DayProblem(0, "", "de lijst bevat geen dagen"))
    if progress:
        progress("check", len(days), len(days))
    return ([] if problems else records), problems


def absence_batch_check(
    *, actor: User, institution: Organisation, days: Sequence[Sequence[str]]
) -> list[DayProblem]:
    """Check a batch without saving it (before it waits for the worker)."""
    if not may_import_absence(actor, institution):
        raise PermissionDenied
    return _check_batch(days, institution_student_ids(institution), None)[1]


def absence_batch_import(
    *,
    actor: User,
    institution: Organisation,
    days: Sequence[Sequence[str]],
    path: str,
    progress: Progress | None = None,
) -> AbsenceBatchResult:
    """Import the days a system delivered (each as `day_cells`), by the rules of the file and
    all or nothing: one bad day and nothing changes, every problem named by its index."""
    if not may_import_absence(actor, institution):
        raise PermissionDenied
    records, problems = _check_batch(days, institution_student_ids(institution), progress)
    result = AbsenceBatchResult(problems=problems)
    if not problems:
        _write(
            actor=actor,
            institution=institution,
            records=records,
            result=result,
            progress=progress,
            path=path,
        )
    return result


def absence_batch_job_create(
    *, actor: User, institution: Organisation, days: Sequence[Sequence[str]], name: str
) -> AbsenceImportJob:
    """Keep a large batch for the worker, as a file upload is kept (tasks.py queues it)."""
    if not may_import_absence(actor, institution):
        raise PermissionDenied
    data = json.dumps([list(cells) for cells in days], separators=(",", ":")).encode()
    return AbsenceImportJob.objects.create(
        institution=institution,
        uploaded_by=actor,
        filename=name[:255],
        data=data,
        total=len(days),
    )


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
    data = bytes(job.data)
    try:
        if data.startswith(_BATCH_START):
            result = _batch_as_import_result(
                absence_batch_import(
                    actor=job.uploaded_by,
                    institution=job.institution,
                    days=json.loads(data),
                    path=f"/api/v1/absence/batches/{job_id}",
                    progress=progress,
                )
            )
        else:
            result = absence_import(
                actor=job.uploaded_by, institution=job.institution, data=data, progress=progress
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


def _batch_as_import_result(batch: AbsenceBatchResult) -> AbsenceImportResult:
    return AbsenceImportResult(
        created=batch.created,
        replaced=batch.replaced,
        unchanged=batch.unchanged,
        errors=[str(problem) for problem in batch.problems],
    )
