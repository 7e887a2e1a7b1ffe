"""Filters of the signal work lists: triage, the statutory reports and the RMC list.

Each takes a queryset the access policy has already scoped (`triage_queue`, the reports of
students the user may see, `rmc_leavers`) and only narrows it.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from schakelpunt.privacy.models import Objection, RequestStatus
from schakelpunt.privacy.register import Activity
from schakelpunt.students.models import Student
from schakelpunt.students.selectors import StudentFilter, filter_by_student
from schakelpunt.support.models import LifeDomain

from .early_warning import visible_factors
from .models import (
    AbsenceReport,
    AbsenceReportKind,
    Concern,
    ConcernSource,
    ConcernStatus,
    EarlyWarning,
    FollowUpStatus,
    LeaverFollowUp,
    Urgency,
)


class ItemAge:
    """How long a signal has been waiting, as the triage filter offers it."""

    TODAY = "vandaag"
    WEEK = "week"
    MONTH = "maand"
    # Older than this many days.
    OLDER_THAN = {WEEK: 7, MONTH: 28}


@dataclass(frozen=True)
class TriageFilter:
    students: StudentFilter = field(default_factory=StudentFilter)
    urgency: str = ""
    source: str = ""
    life_domain: str = ""
    age: str = ""


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_triage(
    concerns: QuerySet[Concern], f: TriageFilter, *, today: date
) -> QuerySet[Concern]:
    concerns = filter_by_student(concerns, f.students, through="student__")
    if f.urgency in Urgency.values:
        concerns = concerns.filter(urgency=f.urgency)
    if f.source in ConcernSource.values:
        concerns = concerns.filter(source=f.source)
    if f.life_domain in LifeDomain.values:
        # A JSON list; as text it holds '"home"' (the same on SQLite and PostgreSQL).
        concerns = concerns.annotate(domains_text=Cast("life_domains", TextField())).filter(
            domains_text__contains=f'"{f.life_domain}"'
        )
    if f.age == ItemAge.TODAY:
        concerns = concerns.filter(created_at__gte=_start_of(today))
    elif f.age in ItemAge.OLDER_THAN:
        since = today - timedelta(days=ItemAge.OLDER_THAN[f.age])
        concerns = concerns.filter(created_at__lt=_start_of(since + timedelta(days=1)))
    return concerns


class ReportState:
    OPEN = "open"
    REPORTED = "gemeld"
    ALL = "alle"


@dataclass(frozen=True)
class ReportFilter:
    students: StudentFilter = field(default_factory=StudentFilter)
    state: str = ReportState.OPEN
    kind: str = ""
    follow_up: str = ""


def filter_reports(reports: QuerySet[AbsenceReport], f: ReportFilter) -> QuerySet[AbsenceReport]:
    reports = filter_by_student(reports, f.students, through="student__")
    if f.state == ReportState.OPEN:
        reports = reports.filter(reported_on__isnull=True)
    elif f.state == ReportState.REPORTED:
        reports = reports.filter(reported_on__isnull=False)
    if f.kind in AbsenceReportKind.values:
        reports = reports.filter(kind=f.kind)
    if f.follow_up in FollowUpStatus.values:
        reports = reports.filter(follow_up_status=f.follow_up)
    return reports


@dataclass(frozen=True)
class LeaverFilter:
    students: StudentFilter = field(default_factory=StudentFilter)
    follow_up: str = ""


def filter_leavers(leavers: QuerySet[Student], f: LeaverFilter) -> QuerySet[Student]:
    """Students on the RMC list; the follow-up status is that of their latest leaving."""
    leavers = filter_by_student(leavers, f.students)
    if f.follow_up in FollowUpStatus.values:
        recorded = LeaverFollowUp.objects.filter(
            student=OuterRef("pk"), left_on=OuterRef("left_on")
        )
        if f.follow_up == FollowUpStatus.NEW:
            # Nobody recorded anything yet, or someone set it back to "new".
            leavers = leavers.filter(
                ~Exists(recorded) | Exists(recorded.filter(follow_up_status=FollowUpStatus.NEW))
            )
        else:
            leavers = leavers.filter(Exists(recorded.filter(follow_up_status=f.follow_up)))
    return leavers


def report_kind_label(kind: str) -> str:
    """The Dutch name of a report kind, for people and for the CSV."""
    return str(AbsenceReportKind(kind).label) if kind in AbsenceReportKind.values else kind


@dataclass(frozen=True)
class SignalsSection:
    """The signals part of a student file: absence reports, the early warning, open concerns."""

    absence_reports: list[AbsenceReport]
    early_warning: EarlyWarning | None
    warning_factors: list[dict[str, str]]
    # Concerns (raised by a professional or the student) not yet closed; None when the user
    # does not see concerns.
    open_concerns: int | None
    # The early warning's own signals not yet closed (also Concern rows, source
    # EARLY_WARNING): counted apart, they are no zorgmelding.
    open_warning_signals: int = 0


def file_section_signals(
    *,
    student: Student,
    absence: bool,
    sees_support: bool,
    sees_concerns: bool,
    since: date | None,
) -> SignalsSection:
    """What the file shows of the student's signals; the caller asked the access policy for
    `absence` (the absence part), `sees_support` (the support part: the early warning's
    non-attendance factors) and `sees_concerns`. `since`: only from that day (a provider)."""
    reports: list[AbsenceReport] = []
    warning = None
    factors: list[dict[str, str]] = []
    if absence:
        found = student.absence_reports.all()
        if since is not None:  # the reports of absence that lasted until that day or later
            found = found.filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        reports = list(found[:20])
        # Rows of a student whose objection was upheld are removed at the decision; the
        # check keeps one made in between from showing (in the same query).
        warning = (
            EarlyWarning.objects.filter(student=student)
            .exclude(
                student_id__in=Objection.objects.filter(
                    student_id=student.pk,
                    activity=Activity.EARLY_WARNING,
                    status=RequestStatus.GRANTED,
                ).values("student_id")
            )
            .first()
        )
        if warning is not None:
            factors = visible_factors(warning.factors, sees_support=sees_support)
    open_concerns = None
    open_warning_signals = 0
    if sees_concerns:
        by_source = Counter(
            Concern.objects.filter(student=student)
            .exclude(status=ConcernStatus.CLOSED)
            .values_list("source", flat=True)
        )
        open_warning_signals = by_source.pop(ConcernSource.EARLY_WARNING, 0)
        open_concerns = sum(by_source.values())
    return SignalsSection(
        absence_reports=reports,
        early_warning=warning,
        warning_factors=factors,
        open_concerns=open_concerns,
        open_warning_signals=open_warning_signals,
    )
