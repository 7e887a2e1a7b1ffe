"""The daily computation: statutory reports and early-warning factors for every student.

Runs each morning per institution as a `MorningRun` split into shards (contiguous ranges of
student ids) that the task queue's workers compute and write, each on its own (signals/tasks.py);
`schakelpunt signals compute` and the recomputation after an import run the same shards inline.
Safe to run again for the same day: reports are unique, the early warning is replaced, and a
student has at most one open early-warning signal in the triage queue, kept up to date.

The work per student is done by the plain rule functions (`statutory.reports_due`,
`early_warning.attendance_factors` and `profile_factors`). See docs/signals.md and decision
0034.
"""

import gc
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from schakelpunt.accounts.models import Organisation, Pathway
from schakelpunt.core.bulk import insert_rows, json_text, update_rows
from schakelpunt.privacy.models import Objection, RequestStatus
from schakelpunt.privacy.register import Activity
from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES, Referral
from schakelpunt.students.models import Student
from schakelpunt.support.models import Trajectory, TrajectoryState

from .config import calendar_for, region_options_of, signal_settings_for, thresholds_of
from .early_warning import (
    ALL_WEEKDAYS,
    ATTENDANCE_CODES,
    Factor,
    Profile,
    Schedule,
    Thresholds,
    attendance_factors,
    context_factors,
    personal_factors,
)
from .models import (
    AbsenceReasonCode,
    AbsenceRecord,
    AbsenceReport,
    Concern,
    ConcernSource,
    ConcernStatus,
    EarlyWarning,
    MorningRun,
    MorningRunShard,
    MorningRunStatus,
    SignalSettings,
)
from .statutory import (
    REASON_OF,
    AbsenceDay,
    RegionOptions,
    SchoolCalendar,
    StudentFacts,
    may_be_due,
    reports_due,
)

# Factors that put a student in the triage queue. The others (background, level, the first
# weeks, open concerns) are context: shown with the signal, never a signal on their own.
QUEUE_CODES = frozenset(
    {
        "rising_absence",
        "consecutive_days",
        "chronic_absence",
        "weekday_pattern",
        "turns_18",
        "turns_23",
    }
)
# A signal left without follow-up marks the student too; it is already in the queue.
FLAG_CODES = QUEUE_CODES | {"no_follow_up"}
# After a signal was closed, the same factors do not raise a new one for this long.
QUIET_DAYS_AFTER_CLOSING = 28
# The statutory rules look back at most this far (a window of 4 school weeks plus long
# absences).
LOOK_BACK_DAYS = 200
# A startkwalificatie without a recorded day was obtained before enrolment.
QUALIFIED_LONG_AGO = date(1900, 1, 1)
# Students per shard: one task on the queue, a few seconds of work; enough shards for every
# worker on every machine at a large institution, few enough that each shard's fixed reads
# (calendar, settings, concerns) and its write transaction stay small next to its rules
# (decision 0034).
SHARD_SIZE = 10_000
# The ranges of ids cover everything from the first to the largest possible id.
FIRST_ID, LAST_ID = 0, 2**63 - 1
# A shard not done this long after it was handed out was lost (its worker died): hand it out
# again, at most this many times in all before the run counts as failed.
SHARD_LEASE = timedelta(minutes=5)
SHARD_ATTEMPTS = 5

# What the rules know of a student, in this order.
STUDENT_FIELDS = (
    "pk",
    "date_of_birth",
    "has_basic_qualification",
    "basic_qualification_on",
    "enrolled_on",
    "left_on",
    "prior_education",
    "programme__level",
    "programme__pathway",
)
# A report as computed: student, kind, start, threshold day, end date (None while a long
# absence lasts), unauthorised hours, rules version.
ReportRow = tuple[int, str, date, date, date | None, Decimal, str]
# An early warning as computed: student, flagged, factors.
WarningRow = tuple[int, bool, list[dict[str, str]]]


@dataclass
class DailyRun:
    students: int = 0
    flagged: int = 0
    new_signals: int = 0
    reports: int = 0


def records_by_student(
    institution: Organisation, start: date, end: date
) -> dict[int, list[AbsenceDay]]:
    """The institution's absence records from start to end, per student, in date order."""
    records: dict[int, list[AbsenceDay]] = defaultdict(list)
    for student_id, day, scheduled, absent, reason in (
        AbsenceRecord.objects.filter(student__institution=institution, day__gte=start, day__lte=end)
        .order_by("student_id", "day")
        .values_list("student_id", "day", "scheduled_hours", "absent_hours", "reason")
    ):
        records[student_id].append(AbsenceDay(day, scheduled, absent, REASON_OF[reason]))
    return records


def basic_qualification_on(has_one: bool, obtained_on: date | None) -> date | None:
    """The day from which a student has a startkwalificatie, for the rules: the recorded day;
    without one, obtained before enrolment (every day counts as qualified); None: none."""
    if not has_one and obtained_on is None:
        return None
    return obtained_on or QUALIFIED_LONG_AGO


def school_year_start(day: date) -> date:
    return date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def schedule_for(start: date, pathway: str, records: list[AbsenceDay]) -> Schedule:
    """Usual hours: the median recorded day; BBL students only on the weekdays they attend."""
    hours = sorted([r[1] for r in records])
    middle = len(hours) // 2
    if not hours:
        usual = Decimal(0)
    elif len(hours) % 2 or hours[middle - 1] == hours[middle]:
        usual = hours[middle]
    else:
        usual = (hours[middle - 1] + hours[middle]) / 2
    if pathway == Pathway.BBL and records:
        return Schedule(start, usual, frozenset(r.day.weekday() for r in records))
    return Schedule(start, usual, ALL_WEEKDAYS)


@dataclass
class Morning:
    """Everything the rules need for one institution and day, read from the database once."""

    today: date
    calendar: SchoolCalendar
    thresholds: Thresholds
    options: RegionOptions
    follow_up_days: int
    reports: bool  # compute the statutory reports
    warnings: bool  # compute the early warnings
    institution_id: int = 0
    # The students the run covers, in order: the parent splits them into shares.
    student_ids: list[int] = field(default_factory=list)
    in_support: set[int] = field(default_factory=set)
    # Students whose objection to the early warning was upheld: nothing computed for them.
    objected: set[int] = field(default_factory=set)
    open_concerns: Counter[int] = field(default_factory=Counter)
    unfollowed: Counter[int] = field(default_factory=Counter)

    @property
    def year_start(self) -> date:
        return school_year_start(self.today)

    @property
    def reports_since(self) -> date:
        return self.today - timedelta(days=LOOK_BACK_DAYS)


def of_shard(institution_id: int, first_pk: int, last_pk: int) -> dict[str, Any]:
    """The filter for rows of one shard's students: the id range on both sides of the join
    with the students, so the database reads this range of them, not every student of the
    school (which it did, through a hash join, for each of a hundred shards)."""
    return {
        "student_id__gte": first_pk,
        "student_id__lte": last_pk,
        "student_id__in": Student.objects.filter(
            institution_id=institution_id, pk__gte=first_pk, pk__lte=last_pk
        ).values("pk"),
    }


def morning_load(
    institution: Organisation,
    today: date,
    *,
    reports: bool = True,
    warnings: bool = True,
    first_pk: int = FIRST_ID,
    last_pk: int = LAST_ID,
    with_ids: bool = True,
) -> Morning:
    """What the rules need for the institution's students with ids from first to last
    (`with_ids`: also their ids, which a shard reads with the rest of the students)."""
    settings = signal_settings_for(institution)
    morning = Morning(
        today=today,
        calendar=calendar_for(institution),
        thresholds=thresholds_of(settings),
        options=region_options_of(settings),
        follow_up_days=settings.follow_up_school_days,
        reports=reports,
        warnings=warnings,
    )
    morning.institution_id = institution.pk
    in_range = of_shard(institution.pk, first_pk, last_pk)
    if with_ids:
        students = _students(morning).filter(pk__gte=first_pk, pk__lte=last_pk)
        sql, params = students.values_list("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            morning.student_ids = [pk for (pk,) in cursor.fetchall()]
    if not warnings:
        return morning
    morning.objected = early_warning_objected(institution.pk, first_pk, last_pk)
    morning.in_support = set(
        Trajectory.objects.filter(**in_range)
        .exclude(state=TrajectoryState.CLOSED)
        .values_list("student_id", flat=True)
    ) | set(
        Referral.objects.filter(status__in=REFERRAL_ACTIVE_STATUSES, **in_range).values_list(
            "student_id", flat=True
        )
    )
    waited: dict[date, int] = {}  # school days since a day: many concerns share one
    for student_id, source, raised, acted in (
        Concern.objects.filter(**in_range)
        .exclude(status=ConcernStatus.CLOSED)
        .values_list("student_id", "source", TruncDate("created_at"), "first_action_at")
    ):
        if source != ConcernSource.EARLY_WARNING:
            morning.open_concerns[student_id] += 1
        if acted is None:
            if raised not in waited:
                waited[raised] = morning.calendar.school_days_after(raised, today)
            if waited[raised] >= morning.follow_up_days:
                morning.unfollowed[student_id] += 1
    return morning


def _records_sql(vendor: str, *, only_institution: bool) -> str:
    """Per student in a range, the absence records from one day to another as text, and from
    a later day on (the reports' period) the tenths of hours and the whole days absent without
    valid reason, for `may_be_due`. `only_institution`: the range also holds students of other
    institutions, leave them out (without that check the database reads the range straight
    from the index)."""
    record, student = AbsenceRecord._meta, Student._meta
    columns = {f.name: f.column for f in record.concrete_fields}
    day, scheduled, absent, reason = (
        columns[name] for name in ("day", "scheduled_hours", "absent_hours", "reason")
    )
    if vendor == "postgresql":  # concat_ws: a quarter less work than || for the same text
        joined = f"string_agg(concat_ws(E'\\t', {day}, {scheduled}, {absent}, {reason}), E'\\n')"
    else:
        line = f"{day} || char(9) || {scheduled} || char(9) || {absent} || char(9) || {reason}"
        joined = f"group_concat({line}, char(10))"
    unauthorised = f"{reason} = %s AND {day} >= %s"
    tenths = f"CAST(round({absent} * 10) AS integer)"
    counts = (
        # Only hours the 16-hours rule counts (a negative one must not hide the others).
        f"sum(CASE WHEN {unauthorised} AND {absent} > 0 THEN {tenths} ELSE 0 END), "
        f"sum(CASE WHEN {unauthorised} AND {scheduled} > 0 AND {absent} >= {scheduled} "
        "THEN 1 ELSE 0 END)"
    )
    student_id = columns["student"]
    institution = (
        f"{student_id} IN (SELECT id FROM {student.db_table} WHERE institution_id = %s)"  # noqa: S608
        if only_institution
        else "%s IS NOT NULL"
    )
    return (
        f"SELECT {student_id}, {joined}, {counts} FROM {record.db_table} "  # noqa: S608 - names from models
        f"WHERE {institution} AND {student_id} BETWEEN %s AND %s AND {day} BETWEEN %s AND %s "
        f"GROUP BY {student_id}"
    )


def _records_read(
    morning: Morning, first_pk: int, last_pk: int, db: BaseDatabaseWrapper
) -> dict[int, tuple[str, int, int]]:
    """Per student with records: the records as text lines, and the two counts of
    `may_be_due` over the reports' period."""
    since = min(
        morning.reports_since if morning.reports else morning.today,
        morning.year_start if morning.warnings else morning.today,
    )
    students = Student._meta.db_table
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {students} WHERE id BETWEEN %s AND %s "  # noqa: S608 - model's table
            "AND institution_id <> %s LIMIT 1",
            [first_pk, last_pk, morning.institution_id],
        )
        others = cursor.fetchone() is not None
        cursor.execute(
            _records_sql(db.vendor, only_institution=others),
            [
                *(AbsenceReasonCode.UNAUTHORISED.value, morning.reports_since) * 2,
                morning.institution_id,
                first_pk,
                last_pk,
                since,
                morning.today,
            ],
        )
        return {pk: (text, tenths, whole) for pk, text, tenths, whole in cursor.fetchall()}


def _students(morning: Morning) -> QuerySet[Student]:
    students = Student.objects.filter(institution_id=morning.institution_id).order_by("pk")
    if not morning.reports:  # only the students the early warning looks at
        students = students.filter(enrolled_on__lte=morning.today).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=morning.today)
        )
    return students


def _students_read(
    morning: Morning, first_pk: int, last_pk: int, db: BaseDatabaseWrapper
) -> list[tuple[Any, ...]]:
    """pk, date of birth, has startkwalificatie, startkwalificatie on, enrolled on, left on,
    prior education, level and pathway of the students with pks from first to last, as plain
    values."""
    query = (
        _students(morning)
        .filter(pk__gte=first_pk, pk__lte=last_pk)
        .values_list(*STUDENT_FIELDS)
        .query
    )
    sql, params = query.sql_with_params()  # compiling needs no connection of its own
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if db.vendor != "sqlite":
        return rows
    days: dict[Any, date] = {}  # SQLite returns text: each distinct date converted once

    def day(value: Any) -> Any:
        if value is None or isinstance(value, date):
            return value
        if value not in days:
            days[value] = date.fromisoformat(value)
        return days[value]

    return [
        (pk, day(born), bool(qualified), day(on), day(enrolled), day(left), prior, level, pathway)
        for pk, born, qualified, on, enrolled, left, prior, level, pathway in rows
    ]


class _Records(dict[str, AbsenceDay]):
    """Text lines from the database to the rules' records. Many students share a record (the
    same day, hours and reason): each distinct one is parsed once, on its first look-up, and
    shared; they are tuples, so sharing is safe."""

    def __init__(self) -> None:
        super().__init__()
        self.days: dict[str, date] = {}
        self.hours: dict[str, Decimal] = {}

    def __missing__(self, text: str) -> AbsenceDay:
        day, scheduled, absent, reason = text.split("\t")
        if day not in self.days:
            self.days[day] = date.fromisoformat(day)
        for value in (scheduled, absent):
            if value not in self.hours:
                self.hours[value] = Decimal(value)
        record = AbsenceDay(
            self.days[day], self.hours[scheduled], self.hours[absent], REASON_OF[reason]
        )
        self[text] = record
        return record


@dataclass
class Outcome:
    """What the rules found: reports due, early warnings worth keeping (more than context),
    and how many enrolled students were looked at."""

    reports: list[ReportRow] = field(default_factory=list)
    warnings: list[WarningRow] = field(default_factory=list)
    enrolled: int = 0


def morning_compute(morning: Morning) -> Outcome:
    """The rules for every student, in this process."""
    if not morning.student_ids:
        return Outcome()
    return _share_compute(morning, morning.student_ids[0], morning.student_ids[-1], connection)


def _share_compute(
    morning: Morning, first_pk: int, last_pk: int, db: BaseDatabaseWrapper
) -> Outcome:
    students = _students_read(morning, first_pk, last_pk, db)
    records = _records_read(morning, first_pk, last_pk, db)
    # Millions of short-lived tuples and no reference cycles: the cycle collector would
    # only scan the loaded rows again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _morning_rules(morning, students, records)
    finally:
        if collecting:
            gc.enable()


def _morning_rules(
    morning: Morning, students: list[tuple[Any, ...]], records: dict[int, tuple[str, int, int]]
) -> Outcome:
    today, calendar, thresholds = morning.today, morning.calendar, morning.thresholds
    year_start, since = morning.year_start, morning.reports_since
    outcome = Outcome()
    reports, warnings = outcome.reports, outcome.warnings
    parsed = _Records().__getitem__
    open_concerns, objected = morning.open_concerns, morning.objected
    in_support, unfollowed_of = morning.in_support, morning.unfollowed
    do_reports, do_warnings, options = morning.reports, morning.warnings, morning.options
    shortest = calendar.shortest_long_absence(since, today)
    for pk, born, qualified, qualified_on, enrolled_on, left_on, prior, level, pathway in students:
        text, unauthorised_tenths, whole_days = records.get(pk) or ("", 0, 0)
        own = list(map(parsed, text.split("\n"))) if text else []
        own.sort()
        facts = StudentFacts(born, basic_qualification_on(qualified, qualified_on), left_on)
        asked = may_be_due(unauthorised_tenths, whole_days, shortest_long_absence=shortest)
        if do_reports and asked:
            counted = own[bisect_left(own, (since,)) :]  # records are (day, …) tuples, sorted
            due = reports_due(facts, counted, calendar, until=today, options=options, asked=asked)
            if due:
                reports.extend(
                    (
                        pk,
                        r.kind.value,
                        r.start,
                        r.threshold_on,
                        r.end_date,
                        r.unauthorised_hours,
                        r.rules_version,
                    )
                    for r in due
                )
        if enrolled_on > today or (left_on and left_on <= today):
            continue
        outcome.enrolled += 1
        if not do_warnings or pk in objected:
            continue  # no early warning, or the student's objection to it was upheld
        factors: list[Factor] = []
        if own:
            this_year = own[bisect_left(own, (year_start,)) :]
            if this_year:
                schedule = schedule_for(max(year_start, enrolled_on), pathway, this_year)
                factors += attendance_factors(
                    this_year, schedule, calendar, today=today, thresholds=thresholds
                )
        profile = Profile(
            facts, level, prior, enrolled_on, pk in in_support, open_concerns.get(pk, 0)
        )
        personal = personal_factors(profile, today=today, thresholds=thresholds)
        if unfollowed := unfollowed_of.get(pk, 0):
            personal.append(
                Factor(
                    "no_follow_up",
                    f"{unfollowed} signaal/signalen al {morning.follow_up_days} "
                    "schooldagen of langer zonder opvolging.",
                )
            )
        if not factors and not personal:
            continue  # context alone is no reason to look: no row (most students, most days)
        factors += context_factors(profile, today=today, thresholds=thresholds) + personal
        warnings.append(
            (
                pk,
                any(f.code in FLAG_CODES for f in factors),
                [{"code": f.code, "explanation": f.explanation} for f in factors],
            )
        )
    return outcome


def _reports_write(
    institution: Organisation, found: list[ReportRow], first_pk: int, last_pk: int
) -> None:
    """Add the reports not recorded yet (a report, once made, stays as it was), and keep the
    end dates of recorded ones up to date: a long absence ends when the student returns or is
    deregistered. That is a fact about the absence, so a report already made to DUO gets it
    too."""
    known = {
        (student_id, kind, threshold_on): (pk, end_date)
        for pk, student_id, kind, threshold_on, end_date in AbsenceReport.objects.filter(
            **of_shard(institution.pk, first_pk, last_pk)
        ).values_list("pk", "student_id", "kind", "threshold_on", "end_date")
    }
    update_rows(
        AbsenceReport,
        ["end_date"],
        [
            (recorded[0], end)
            for pk, kind, _start, threshold_on, end, _hours, _version in found
            if (recorded := known.get((pk, kind, threshold_on))) and recorded[1] != end
        ],
    )
    calendar_version = (
        SignalSettings.objects.filter(institution=institution)
        .values_list("calendar_version", flat=True)
        .first()
        or 0
    )
    insert_rows(
        AbsenceReport,
        [
            "student",
            "kind",
            "start_date",
            "threshold_on",
            "end_date",
            "unauthorised_hours",
            "rules_version",
            "calendar_version",
        ],
        [
            (pk, kind, start, threshold_on, end, hours, version, calendar_version)
            for pk, kind, start, threshold_on, end, hours, version in found
            if (pk, kind, threshold_on) not in known
        ],
    )


def early_warning_objected(
    institution_id: int, first_pk: int = FIRST_ID, last_pk: int = LAST_ID
) -> set[int]:
    """The institution's students (ids from first to last) whose objection to the early warning
    was upheld (AVG art. 21, privacy/requests.py): the early warning is off for them."""
    return set(
        Objection.objects.filter(
            **of_shard(institution_id, first_pk, last_pk),
            activity=Activity.EARLY_WARNING,
            status=RequestStatus.GRANTED,
        ).values_list("student_id", flat=True)
    )


def _warnings_write(
    institution: Organisation,
    today: date,
    warnings: list[WarningRow],
    first_pk: int,
    last_pk: int,
) -> int:
    # Read again under the institution's lock: an objection upheld while the rules ran (its
    # decision takes the same lock) is respected too.
    objected = early_warning_objected(institution.pk, first_pk, last_pk)
    if objected:
        warnings = [w for w in warnings if w[0] not in objected]
    EarlyWarning.objects.filter(**of_shard(institution.pk, first_pk, last_pk)).delete()
    as_json = {pk: json_text(factors) for pk, _, factors in warnings}
    insert_rows(
        EarlyWarning,
        ["student", "computed_on", "flagged", "factors"],
        [(pk, today, flagged, as_json[pk]) for pk, flagged, _ in warnings],
    )
    return _queue_signals(institution, warnings, as_json, first_pk, last_pk)


def _queue_signals(
    institution: Organisation,
    warnings: list[WarningRow],
    as_json: dict[int, str],
    first_pk: int,
    last_pk: int,
) -> int:
    """Keep one open early-warning signal per flagged student in the triage queue."""
    signals = Concern.objects.filter(
        source=ConcernSource.EARLY_WARNING, **of_shard(institution.pk, first_pk, last_pk)
    )
    open_signals = {
        student_id: (pk, factors)
        for pk, student_id, factors in signals.exclude(status=ConcernStatus.CLOSED).values_list(
            "pk", "student", "factors"
        )
    }
    recently_closed: dict[int, set[str]] = defaultdict(set)
    for student_id, factors in signals.filter(
        status=ConcernStatus.CLOSED,
        closed_at__gte=timezone.now() - timedelta(days=QUIET_DAYS_AFTER_CLOSING),
    ).values_list("student", "factors"):
        recently_closed[student_id] |= {f["code"] for f in factors}
    new: list[tuple[Any, ...]] = []
    changed: list[tuple[Any, ...]] = []
    for student_id, _, factors in warnings:
        codes = {f["code"] for f in factors if f["code"] in QUEUE_CODES}
        if not codes:
            continue
        text = " ".join(f["explanation"] for f in factors if f["code"] in QUEUE_CODES)
        about_absence = any(f["code"] in ATTENDANCE_CODES for f in factors)
        if student_id in open_signals:
            pk, known = open_signals[student_id]
            if known != factors:
                changed.append((pk, as_json[student_id], text, about_absence))
            continue
        if codes <= recently_closed.get(student_id, set()):
            continue  # closed with a reason recently, and nothing new fired since
        new.append(
            (
                student_id,
                ConcernSource.EARLY_WARNING.value,
                text,
                as_json[student_id],
                about_absence,
                "normal",
            )
        )
    update_rows(Concern, ["factors", "text", "about_absence"], changed)
    return insert_rows(
        Concern, ["student", "source", "text", "factors", "about_absence", "urgency"], new
    )


def shard_bounds(student_ids: Sequence[int], size: int = SHARD_SIZE) -> list[tuple[int, int]]:
    """Split sorted student ids into ranges of at most `size` students. The ranges follow
    each other without a gap from FIRST_ID to LAST_ID, so every student is in exactly one,
    also one added after the split (in the last)."""
    starts = [FIRST_ID, *student_ids[size::size]]
    ends = [start - 1 for start in starts[1:]] + [LAST_ID]
    return list(zip(starts, ends, strict=True)) if student_ids else []


@dataclass
class ShardResult:
    enrolled: int
    flagged: int
    reports: int  # reports that reached their threshold today
    new_signals: int = 0


def _shard_compute(
    institution: Organisation,
    today: date,
    first_pk: int,
    last_pk: int,
    *,
    reports: bool = True,
    warnings: bool = True,
) -> Outcome:
    """Read and compute one shard (no writes): for the task queue, outside a transaction."""
    morning = morning_load(
        institution,
        today,
        reports=reports,
        warnings=warnings,
        first_pk=first_pk,
        last_pk=last_pk,
        with_ids=False,
    )
    return _share_compute(morning, first_pk, last_pk, connection)


def _shard_write(
    institution: Organisation,
    today: date,
    outcome: Outcome,
    first_pk: int,
    last_pk: int,
    *,
    reports: bool = True,
    warnings: bool = True,
) -> ShardResult:
    """Write one shard's results; the caller holds a transaction. Only this shard's students
    are touched, so the shards of a run may be written in any order."""
    # One write at a time per institution: a second run waits and then finds this one's
    # reports already recorded; an objection decided meanwhile takes the same lock.
    Organisation.objects.select_for_update().filter(pk=institution.pk).exists()
    result = ShardResult(
        enrolled=outcome.enrolled,
        flagged=sum(1 for _, is_flagged, _ in outcome.warnings if is_flagged),
        reports=sum(1 for r in outcome.reports if r[3] == today),
    )
    if reports:
        _reports_write(institution, outcome.reports, first_pk, last_pk)
    if warnings:
        result.new_signals = _warnings_write(
            institution, today, outcome.warnings, first_pk, last_pk
        )
    return result


def daily_signals_compute(
    *,
    institution: Organisation,
    today: date,
    reports: bool = True,
    warnings: bool = True,
    shard_size: int = SHARD_SIZE,
) -> DailyRun:
    """Everything the morning run does for one institution, in this process, shard after
    shard: the statutory reports due up to `today` and the early warnings with their triage
    signals. (The morning run itself spreads the shards over the task queue.)"""
    ids = morning_load(institution, today, reports=reports, warnings=False).student_ids
    run = DailyRun()
    for first_pk, last_pk in shard_bounds(ids, shard_size):
        flags = {"reports": reports, "warnings": warnings}
        outcome = _shard_compute(institution, today, first_pk, last_pk, **flags)
        with transaction.atomic():
            done = _shard_write(institution, today, outcome, first_pk, last_pk, **flags)
        run.students += done.enrolled
        run.flagged += done.flagged
        run.reports += done.reports
        run.new_signals += done.new_signals
    return run


def morning_run_start(
    *, institution: Organisation, today: date, shard_size: int | None = None
) -> tuple[MorningRun, list[int]]:
    """Record the institution's morning run and its shards; returns the run and the shards to
    hand to the queue. Started again for the same institution and day while that run is still
    going, it returns that run and its unfinished shards (handing one out twice is safe)."""
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=institution.pk).exists()
        running = MorningRun.objects.filter(
            institution=institution, day=today, status=MorningRunStatus.RUNNING
        ).first()
        if running is not None:
            parts = running.parts.filter(done_at__isnull=True)
            parts.update(handed_out_at=timezone.now())
            return running, list(parts.values_list("pk", flat=True))
        ids = morning_load(institution, today, warnings=False).student_ids
        configured: int = getattr(django_settings, "MORNING_RUN_SHARD_SIZE", SHARD_SIZE)
        size = shard_size or configured
        bounds = shard_bounds(ids, size)
        run = MorningRun.objects.create(
            institution=institution,
            day=today,
            cohort_size=len(ids),
            shards=len(bounds),
            status=MorningRunStatus.RUNNING if bounds else MorningRunStatus.DONE,
            finished_at=None if bounds else timezone.now(),
        )
        made = MorningRunShard.objects.bulk_create(
            MorningRunShard(run=run, number=n, first_id=first, last_id=last)
            for n, (first, last) in enumerate(bounds)
        )
    return run, [shard.pk for shard in made]


def morning_shard_run(*, shard_id: int) -> MorningRun | None:
    """Compute and write one shard of a morning run. Returns the run when this shard was its
    last (the caller refreshes what depends on the whole run), else None. Run again (a retry,
    or handed out twice) after the shard was written, it does nothing."""
    with transaction.atomic():
        shard = (
            MorningRunShard.objects.select_for_update()
            .select_related("run")
            .filter(pk=shard_id)
            .first()
        )
        if shard is None:  # its run was deleted (with its institution) while on the queue
            return None
        if shard.done_at is not None or shard.run.status != MorningRunStatus.RUNNING:
            return None
        shard.handed_out_at = timezone.now()
        shard.attempts += 1
        shard.save(update_fields=["handed_out_at", "attempts"])
    run = shard.run
    institution = Organisation.objects.get(pk=run.institution_id)
    outcome = _shard_compute(institution, run.day, shard.first_id, shard.last_id)
    with transaction.atomic():
        done = _shard_write(institution, run.day, outcome, shard.first_id, shard.last_id)
        # Under the shard's lock: of two copies of a shard, only the first one written counts.
        # (The second one wrote the same results again: reports are unique, warnings replaced.)
        if MorningRunShard.objects.select_for_update().get(pk=shard_id).done_at is not None:
            return None
        now = timezone.now()
        MorningRunShard.objects.filter(pk=shard_id).update(
            done_at=now,
            enrolled_count=done.enrolled,
            flagged=done.flagged,
            new_reports=done.reports,
            new_signals=done.new_signals,
        )
        # The update locks the run's row until commit: shards finishing at once count in turn.
        MorningRun.objects.filter(pk=run.pk).update(
            shards_done=F("shards_done") + 1, flagged=F("flagged") + done.flagged
        )
        run = MorningRun.objects.get(pk=run.pk)
        if run.shards_done < run.shards:
            return None
        run.status, run.finished_at = MorningRunStatus.DONE, now
        run.save(update_fields=["status", "finished_at"])
    return run


def morning_runs_resume(
    *, now: datetime | None = None, lease: timedelta = SHARD_LEASE
) -> tuple[list[int], list[MorningRun]]:
    """What a lost worker left: the shards of running runs not done `lease` after they were
    handed out (to hand out again; a run whose shard was tried SHARD_ATTEMPTS times fails),
    and the finished runs whose monitor figures were not refreshed."""
    now = now or timezone.now()
    stale = MorningRunShard.objects.filter(
        run__status=MorningRunStatus.RUNNING,
        done_at__isnull=True,
        handed_out_at__lt=now - lease,
    )
    given_up = set(stale.filter(attempts__gte=SHARD_ATTEMPTS).values_list("run_id", flat=True))
    MorningRun.objects.filter(pk__in=given_up).update(
        status=MorningRunStatus.FAILED, finished_at=now
    )
    again = list(stale.exclude(run_id__in=given_up).values_list("pk", flat=True))
    MorningRunShard.objects.filter(pk__in=again).update(handed_out_at=now)
    unrefreshed = list(
        MorningRun.objects.filter(
            status=MorningRunStatus.DONE,
            figures_refreshed_at__isnull=True,
            finished_at__lt=now - lease,  # the task that finished it is not still at it
            shards__gt=0,
        )
    )
    return again, unrefreshed


def early_warnings_compute(*, institution: Organisation, today: date) -> DailyRun:
    return daily_signals_compute(institution=institution, today=today, reports=False)


def statutory_reports_record(*, institution: Organisation, on_date: date) -> int:
    """Record every report due up to `on_date`; running it again adds nothing new. Returns
    how many reports reached their threshold on `on_date`."""
    return daily_signals_compute(institution=institution, today=on_date, warnings=False).reports


def statutory_reports_compute(*, institution: Organisation, on_date: date) -> list[AbsenceReport]:
    """Record the reports due up to `on_date` and list all of them (for the CLI and checks)."""
    statutory_reports_record(institution=institution, on_date=on_date)
    return list(
        AbsenceReport.objects.filter(student__institution=institution, threshold_on__lte=on_date)
        .select_related("student")
        .order_by("threshold_on", "student__student_number", "kind")
    )
