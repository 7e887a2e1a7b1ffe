"""The daily computation: statutory reports and early-warning factors for every student.

Runs each morning per institution (huey) and from `schakelpunt signals compute`. Safe to run
again for the same day: reports are unique, the early warning is replaced, and a student has at
most one open early-warning signal in the triage queue, kept up to date.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from schakelpunt.accounts.models import Organisation, Pathway
from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES, Referral
from schakelpunt.students.models import Student
from schakelpunt.support.models import Trajectory, TrajectoryState

from .config import region_options_of, signal_settings_for, thresholds_of
from .early_warning import (
    ATTENDANCE_CODES,
    Factor,
    Profile,
    Schedule,
    attendance_factors,
    profile_factors,
)
from .models import AbsenceRecord, Concern, ConcernSource, ConcernStatus, EarlyWarning
from .services import calendar_for, statutory_reports_record
from .statutory import REASON_OF, AbsenceDay, StudentFacts

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
# Background only: shown next to other factors, never stored on their own.
CONTEXT_CODES = frozenset({"transition_background", "low_level", "first_weeks"})
# A signal left without follow-up marks the student too; it is already in the queue.
FLAG_CODES = QUEUE_CODES | {"no_follow_up"}
# After a signal was closed, the same factors do not raise a new one for this long.
QUIET_DAYS_AFTER_CLOSING = 28


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


def school_year_start(day: date) -> date:
    return date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def schedule_for(start: date, pathway: str, records: list[AbsenceDay]) -> Schedule:
    """Usual hours: the median recorded day; BBL students only on the weekdays they attend."""
    hours = Decimal(median(r.scheduled_hours for r in records)) if records else Decimal(0)
    if pathway == Pathway.BBL and records:
        weekdays = frozenset(r.day.weekday() for r in records)
    else:
        weekdays = frozenset(range(5))
    return Schedule(start, hours, weekdays)


def early_warnings_compute(*, institution: Organisation, today: date) -> DailyRun:
    settings = signal_settings_for(institution)
    thresholds = thresholds_of(settings)
    calendar = calendar_for(institution)
    year_start = school_year_start(today)
    run = DailyRun()
    students = list(
        Student.objects.filter(institution=institution, enrolled_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .values_list(
            "pk",
            "date_of_birth",
            "has_basic_qualification",
            "enrolled_on",
            "prior_education",
            "programme__level",
            "programme__pathway",
        )
    )
    records = records_by_student(institution, year_start, today)
    in_support = set(
        Trajectory.objects.filter(student__institution=institution)
        .exclude(state=TrajectoryState.CLOSED)
        .values_list("student_id", flat=True)
    ) | set(
        Referral.objects.filter(
            student__institution=institution, status__in=REFERRAL_ACTIVE_STATUSES
        ).values_list("student_id", flat=True)
    )
    open_concerns: Counter[int] = Counter()
    unfollowed: Counter[int] = Counter()
    for student_id, source, created_at, first_action_at in (
        Concern.objects.filter(student__institution=institution)
        .exclude(status=ConcernStatus.CLOSED)
        .values_list("student_id", "source", "created_at", "first_action_at")
    ):
        if source != ConcernSource.EARLY_WARNING:
            open_concerns[student_id] += 1
        raised = timezone.localtime(created_at).date()
        if (
            first_action_at is None
            and calendar.school_days_after(raised, today) >= settings.follow_up_school_days
        ):
            unfollowed[student_id] += 1

    warnings: list[EarlyWarning] = []
    for pk, born, qualified, enrolled_on, prior, level, pathway in students:
        facts = StudentFacts(born, basic_qualification_on=enrolled_on if qualified else None)
        factors: list[Factor] = []
        own = records.get(pk, [])
        if own:
            start = max(year_start, enrolled_on)
            factors += attendance_factors(
                own, schedule_for(start, pathway, own), calendar, today=today, thresholds=thresholds
            )
        factors += profile_factors(
            Profile(facts, level, prior, enrolled_on, pk in in_support, open_concerns[pk]),
            today=today,
            thresholds=thresholds,
        )
        if unfollowed[pk]:
            factors.append(
                Factor(
                    "no_follow_up",
                    f"{unfollowed[pk]} signaal/signalen al {settings.follow_up_school_days} "
                    "schooldagen of langer zonder opvolging.",
                )
            )
        if all(f.code in CONTEXT_CODES for f in factors):
            continue  # context alone is no reason to look: no row (most students, most days)
        flagged = any(f.code in FLAG_CODES for f in factors)
        run.flagged += flagged
        warnings.append(
            EarlyWarning(
                student_id=pk,
                computed_on=today,
                flagged=flagged,
                factors=[{"code": f.code, "explanation": f.explanation} for f in factors],
            )
        )
    run.students = len(students)
    with transaction.atomic():
        EarlyWarning.objects.filter(student__institution=institution).delete()
        EarlyWarning.objects.bulk_create(warnings, batch_size=2000)
        run.new_signals = _queue_signals(institution, warnings, today)
    return run


def _queue_signals(institution: Organisation, warnings: list[EarlyWarning], today: date) -> int:
    """Keep one open early-warning signal per flagged student in the triage queue."""
    queued = {w.student_id: w for w in warnings if any(f["code"] in QUEUE_CODES for f in w.factors)}
    open_signals = {
        c.student_id: c
        for c in Concern.objects.filter(
            student__institution=institution, source=ConcernSource.EARLY_WARNING
        ).exclude(status=ConcernStatus.CLOSED)
    }
    quiet_since = timezone.now() - timedelta(days=QUIET_DAYS_AFTER_CLOSING)
    recently_closed: dict[int, set[str]] = defaultdict(set)
    for student_id, factors in Concern.objects.filter(
        student__institution=institution,
        source=ConcernSource.EARLY_WARNING,
        status=ConcernStatus.CLOSED,
        closed_at__gte=quiet_since,
    ).values_list("student_id", "factors"):
        recently_closed[student_id] |= {f["code"] for f in factors}
    new: list[Concern] = []
    changed: list[Concern] = []
    for student_id, warning in queued.items():
        text = " ".join(f["explanation"] for f in warning.factors if f["code"] in QUEUE_CODES)
        about_absence = any(f["code"] in ATTENDANCE_CODES for f in warning.factors)
        existing = open_signals.get(student_id)
        if existing is not None:
            if existing.factors != warning.factors:
                existing.factors, existing.text = warning.factors, text
                existing.about_absence = about_absence
                changed.append(existing)
            continue
        codes = {f["code"] for f in warning.factors if f["code"] in QUEUE_CODES}
        if codes <= recently_closed.get(student_id, set()):
            continue  # closed with a reason recently, and nothing new fired since
        new.append(
            Concern(
                student_id=student_id,
                source=ConcernSource.EARLY_WARNING,
                text=text,
                factors=warning.factors,
                about_absence=about_absence,
                urgency="normal",
            )
        )
    Concern.objects.bulk_update(changed, ["factors", "text", "about_absence"], batch_size=1000)
    Concern.objects.bulk_create(new, batch_size=1000)
    return len(new)


def daily_signals_compute(*, institution: Organisation, today: date) -> DailyRun:
    """Everything the morning run does for one institution."""
    options = region_options_of(signal_settings_for(institution))
    reports = statutory_reports_record(institution=institution, on_date=today, options=options)
    run = early_warnings_compute(institution=institution, today=today)
    run.reports = reports
    return run
