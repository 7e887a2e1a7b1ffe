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

import codecs
import csv
import io
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter

import psycopg
from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import may_import_absence
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.core.bulk import copy_rows
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
# From this size a CSV file goes into PostgreSQL as it is (COPY) and is checked there; a
# smaller one, or one with a row the database alone cannot judge, is checked row by row.
COPY_FROM_BYTES = 1_000_000
COPY_CHUNK = 8 << 20

# One checked row: student id, day, scheduled hours, absent hours, reason code.
Row = tuple[int, date, Decimal, Decimal, str]
# progress(phase, done, total): phase "check" while reading rows, "save" while writing.
Progress = Callable[[str, int, int], None]
# Called with the result inside the transaction that saves the rows (the job keeps its counts).
Saved = Callable[["AbsenceImportResult | AbsenceBatchResult"], None]


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
    header = _header(next(reader, []))
    if not any(header):
        return [], ["Het bestand is leeg."]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"Regel 1: kolom ontbreekt: {', '.join(missing)}."]
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


def _header(cells: list[str]) -> list[str]:
    header = [h.strip().lower() for h in cells]
    while header and not header[-1]:
        header.pop()  # Excel often adds empty columns to the right
    return header


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
        problems.append(
            ("datum", f"datum '{raw_day}' is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ)")
        )
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
    saved: "Saved | None" = None,
) -> AbsenceImportResult:
    """Import one file. Any error: nothing changes and every bad row is named. `saved` is
    called with the result in the transaction that saves the rows, just before it commits."""
    if not may_import_absence(actor, institution):
        raise PermissionDenied
    if connection.vendor == "postgresql" and len(data) >= COPY_FROM_BYTES and not is_xlsx(data):
        result = AbsenceImportResult()
        if _import_by_copy(
            actor=actor,
            institution=institution,
            data=data,
            result=result,
            progress=progress,
            saved=saved,
        ):
            return result
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
        saved=saved,
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
    saved: "Saved | None" = None,
) -> None:
    """Replace the days that differ, add the new ones, keep the same ones; one transaction.
    The students whose absence changed are in the access log (the absence part)."""
    with transaction.atomic():
        _lock_institution_absence(institution)
        _stage_create()
        copy_rows(
            _STAGE,
            ["student_id", "day", "scheduled", "absent", "reason"],
            records,
            progress=(lambda done: progress("save", done, len(records))) if progress else None,
        )
        _stage_key()
        _stage_apply(actor=actor, result=result, path=path, saved=saved)


# The checked days of one import, before they are compared with the stored ones. One per
# student and day (its primary key): a file that names a day twice never gets this far.
_STAGE = "absence_stage"
# A large CSV file as it is, one text column per column of its header (COPY).
_FILE = "absence_file"


def _stage_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        # Its key comes once the rows are in (`_stage_key`): one index built at once, instead
        # of kept up row by row.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGE} (student_id bigint NOT NULL, day date NOT NULL, "
            "scheduled numeric(4, 1) NOT NULL, absent numeric(4, 1) NOT NULL, "
            "reason varchar(20) NOT NULL)"
        )


def _stage_key() -> None:
    """One staged day per student and day: IntegrityError when the rows hold one twice."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNIQUE INDEX {_STAGE}_key ON {_STAGE} (student_id, day)")


def _stage_apply(
    *,
    actor: User,
    result: "AbsenceImportResult | AbsenceBatchResult",
    path: str,
    saved: "Saved | None" = None,
) -> None:
    """Compare the staged days with the stored ones in the database: write only the new and
    the changed days (an UPDATE of the changed, an INSERT of the new), count them, and log whose absence changed.
    Runs in the caller's transaction, under the institution's absence lock; `saved` last."""
    table = connection.ops.quote_name(AbsenceRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), min(day), max(day) FROM {_STAGE}")  # noqa: S608
        staged, first, last = cursor.fetchone()
        # The staged days that are new or differ; the day range lets a table split by school
        # year read only the years of the file.
        differ = (
            f"FROM {_STAGE} s LEFT JOIN {table} a ON a.student_id = s.student_id "
            "AND a.day = s.day AND a.day >= %s AND a.day <= %s "
            "WHERE a.student_id IS NULL OR a.scheduled_hours <> s.scheduled "
            "OR a.absent_hours <> s.absent OR a.reason <> s.reason"
        )
        cursor.execute(
            f"SELECT s.student_id, count(a.student_id), count(*) {differ} "
            "GROUP BY s.student_id ORDER BY s.student_id",
            [first, last],
        )
        per_student = cursor.fetchall()
        changed = sum(n for _s, _r, n in per_student)
        result.replaced = sum(r for _s, r, _n in per_student)
        result.created = changed - result.replaced
        result.unchanged = staged - changed
        # Under the institution's absence lock nobody else writes these students' days: the
        # changed days are updated and the new ones inserted as they are, which is cheaper than
        # an upsert's attempt per row. A day someone added anyway fails the unique key.
        if result.replaced:
            cursor.execute(
                f"UPDATE {table} AS a SET scheduled_hours = s.scheduled, "  # noqa: S608
                f"absent_hours = s.absent, reason = s.reason FROM {_STAGE} s "
                "WHERE a.student_id = s.student_id AND a.day = s.day "
                "AND a.day >= %s AND a.day <= %s AND (a.scheduled_hours <> s.scheduled "
                "OR a.absent_hours <> s.absent OR a.reason <> s.reason)",
                [first, last],
            )
        if result.created:
            cursor.execute(
                f"INSERT INTO {table} (student_id, day, scheduled_hours, absent_hours, reason) "  # noqa: S608
                f"SELECT s.student_id, s.day, s.scheduled, s.absent, s.reason FROM {_STAGE} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} a WHERE a.student_id = s.student_id "
                "AND a.day = s.day AND a.day >= %s AND a.day <= %s) "
                "ORDER BY s.student_id, s.day",
                [first, last],
            )
        cursor.execute(f"DROP TABLE {_STAGE}")
    if per_student:
        access_log_record(
            actor=actor,
            activity=Activity.ABSENCE,
            # Only the ids are read: no query for the students themselves.
            students=[Student(pk=pk) for pk, _r, _n in per_student],
            action=Action.CHANGE,
            parts=[Part.ABSENCE],
            role="import",
            path=path,
        )
    if saved:
        saved(result)
    transaction.on_commit(refresh_planner_statistics)


class _RowsNeedChecks(Exception):
    """A row the database alone cannot judge: the row checks name it (nothing changed)."""


@dataclass(frozen=True)
class _FileLayout:
    delimiter: str
    encoding: str  # PostgreSQL's name
    width: int  # columns in the header line, the empty ones on the right included
    named: int  # columns in the header line up to the last named one
    columns: dict[str, str]  # REQUIRED name -> text column of _FILE


def _file_layout(data: bytes) -> _FileLayout | None:
    """How COPY reads this CSV file; None when only the row checks can tell (a file that is
    no text, a header without the columns)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        data.decode("utf-8")
        encoding, python_encoding = "UTF8", "utf-8"
    except UnicodeDecodeError:
        encoding, python_encoding = "WIN1252", "cp1252"
    try:
        end = data.find(b"\n")
        first = data[: end if end >= 0 else len(data)].decode(python_encoding).rstrip("\r")
    except UnicodeDecodeError:
        return None
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    cells = next(csv.reader([first], delimiter=delimiter), [])
    header = _header(cells)
    if any(name not in header for name in REQUIRED):
        return None
    return _FileLayout(
        delimiter,
        encoding,
        len(cells),
        len(header),
        {name: f"c{header.index(name) + 1}" for name in REQUIRED},
    )


def _copy_file(data: bytes, layout: _FileLayout, progress: Progress | None) -> int:
    """COPY the file as it is into _FILE; returns its data rows. A row COPY cannot read (a
    column more or less) raises DataError."""
    data = data.removeprefix(codecs.BOM_UTF8)
    total = max(data.count(b"\n") - (1 if data.endswith(b"\n") else 0), 0)
    columns = ", ".join(f"c{i} text" for i in range(1, layout.width + 1))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_FILE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_FILE} ({columns})")
        if progress:
            progress("check", 0, total)
        # No progress while COPY runs: a callback that writes (the job's row) would need this
        # connection, which COPY holds.
        try:
            with cursor.copy(
                f"COPY {_FILE} FROM STDIN WITH (FORMAT csv, HEADER true, "
                f"DELIMITER '{layout.delimiter}', ENCODING '{layout.encoding}')"
            ) as copy:
                for start in range(0, len(data), COPY_CHUNK):
                    copy.write(data[start : start + COPY_CHUNK])
        except psycopg.DataError as error:  # COPY is psycopg's own: Django does not wrap it
            raise _RowsNeedChecks from error
        copied = int(cursor.rowcount)
        # Row counts for the planner: else it joins the students row by row.
        cursor.execute(f"ANALYZE {_FILE}")
        return copied


def _stage_file(institution: Organisation, layout: _FileLayout) -> int:
    """Check and convert the copied rows into _STAGE in one statement: a row that breaks a
    rule of `check_day` (or names a day twice) is left out; returns how many went in."""
    col = layout.columns
    blank_rest = (
        " AND ".join(
            f"coalesce(btrim(c{i}), '') = ''" for i in range(layout.named + 1, layout.width + 1)
        )
        or "true"
    )
    students = Student._meta
    reasons = " ".join("WHEN %s THEN %s" for _ in REASONS)
    # Each conversion first tries the cell as an export writes it (cheap), and trims and
    # lowers it only when that fails; the day's two shapes are the ones `_day` reads. A cell
    # that still doesn't fit leaves its row out, and the row checks name it.
    sql = f"""
        INSERT INTO {_STAGE} (student_id, day, scheduled, absent, reason)
        SELECT student_id, day, scheduled, absent, reason FROM (
            SELECT st.id AS student_id,
                CASE WHEN f.day LIKE '____-__-__' THEN f.day::date
                     WHEN f.day LIKE '__-__-____' THEN to_date(f.day, 'DD-MM-YYYY')
                END AS day,
                replace(f.scheduled, ',', '.')::numeric AS scheduled,
                replace(f.absent, ',', '.')::numeric AS absent,
                CASE f.reason {reasons}
                    ELSE CASE lower(btrim(f.reason)) {reasons} END
                END AS reason,
                CASE WHEN f.authorised IN ('ja', 'nee') THEN f.authorised
                     ELSE lower(btrim(f.authorised))
                END AS authorised,
                f.blank_rest
            FROM (
                SELECT btrim({col["studentnummer"]}) AS number, btrim({col["datum"]}) AS day,
                    {col["geroosterde_uren"]} AS scheduled, {col["afwezige_uren"]} AS absent,
                    {col["reden"]} AS reason, {col["geoorloofd"]} AS authorised,
                    {blank_rest} AS blank_rest
                FROM {_FILE}
            ) f
            LEFT JOIN {connection.ops.quote_name(students.db_table)} st
                ON st.institution_id = %s AND st.student_number = f.number
            OFFSET 0  -- each cell converted once, not again in the WHERE below
        ) t
        WHERE student_id IS NOT NULL AND day IS NOT NULL AND reason IS NOT NULL
            AND scheduled >= 0 AND scheduled <= %s AND absent >= 0 AND absent <= scheduled
            AND authorised IN ('ja', 'nee') AND (authorised = 'nee') = (reason = %s)
            AND blank_rest
    """  # noqa: S608 - names and the file's column numbers, no text of the file
    reason_codes: list[str | int | Decimal] = [
        v for word, code in REASONS.items() for v in (word, str(code))
    ]
    params = reason_codes * 2  # the cell as written, then trimmed and lowered
    params += [institution.pk, MAX_HOURS_A_DAY, str(AbsenceReasonCode.UNAUTHORISED)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _import_by_copy(
    *,
    actor: User,
    institution: Organisation,
    data: bytes,
    result: AbsenceImportResult,
    progress: Progress | None,
    saved: "Saved | None" = None,
) -> bool:
    """A large CSV file on PostgreSQL: COPY it, check and convert every row in SQL, write.
    False when some row needs the row checks to be named (then nothing changed)."""
    layout = _file_layout(data)
    if layout is None:
        return False
    try:
        # Outside a transaction the progress of a background job shows while COPY runs.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            copied = _copy_file(data, layout, progress)
        if not copied:
            return False
        with transaction.atomic():
            _lock_institution_absence(institution)
            _stage_create()
            if _stage_file(institution, layout) != copied:
                raise _RowsNeedChecks
            try:
                with transaction.atomic():
                    _stage_key()
            except IntegrityError as error:  # a day twice: the row checks name both lines
                raise _RowsNeedChecks from error
            if progress:
                progress("check", copied, copied)
                progress("save", 0, copied)
            _stage_apply(actor=actor, result=result, path="absence/import", saved=saved)
        if progress:
            progress("save", copied, copied)
        return True
    except (_RowsNeedChecks, DataError):
        logger.info("absence_import_row_checks", extra={"bytes": len(data)})
        return False
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_FILE}")


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
    saved: "Saved | None" = None,
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
            saved=saved,
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
    if job.status == ImportStatus.SIGNALS:
        # Saved by an earlier run whose worker died afterwards: its counts are on the job.
        _signals_after_import(job)
        AbsenceImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.DONE, finished_at=timezone.now()
        )
        return
    unsaved = AbsenceImportJob.objects.filter(pk=job_id).exclude(status=ImportStatus.SIGNALS)

    def progress(phase: str, done: int, total: int) -> None:
        unsaved.update(status=phase, done=done, total=total)

    def saved(found: "AbsenceImportResult | AbsenceBatchResult") -> None:
        """With the rows, in their transaction: the counts, and the file dropped. A worker
        killed after the commit leaves a job that says what was saved, and a run again only
        recomputes the signals (the rows are never read twice)."""
        if isinstance(found, AbsenceBatchResult):
            found = _batch_as_import_result(found)
        rows = found.created + found.replaced + found.unchanged
        AbsenceImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.SIGNALS,
            done=rows,
            total=rows,
            created=found.created,
            replaced=found.replaced,
            unchanged=found.unchanged,
            data=b"",
        )

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
                    saved=saved,
                )
            )
        else:
            result = absence_import(
                actor=job.uploaded_by,
                institution=job.institution,
                data=data,
                progress=progress,
                saved=saved,
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
        _signals_after_import(job)
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


def _signals_after_import(job: AbsenceImportJob) -> None:
    """New absence: bring the reports and the early warning up to date at once. If that
    fails the absence is still saved, and the morning run catches up."""
    try:
        daily_signals_compute(institution=job.institution, today=timezone.localdate())
    except Exception:
        logger.exception("Signals after absence import %s failed", job.pk)


def _batch_as_import_result(batch: AbsenceBatchResult) -> AbsenceImportResult:
    return AbsenceImportResult(
        created=batch.created,
        replaced=batch.replaced,
        unchanged=batch.unchanged,
        errors=[str(problem) for problem in batch.problems],
    )
