"""How good is our signalling? A look back with today's thresholds, in counts only.

For every student enrolled in a past period, the early warning is replayed every school week
with the institution's current thresholds. Then: of those who left without diploma
(startkwalificatie) in the period, how many were flagged before they left and how early
(recall, lead time); of those flagged, how many left (precision). Follow-through: the share of
signals and concerns acted on within the institution's follow-up days.

A student whose objection to the early warning was upheld (AVG art. 21) is left out: the early
warning is off for them, in the look-back as in the daily run.
"""

import bisect
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from statistics import median

from django.db.models import Q
from django.utils import timezone

from schakelpunt.accounts.models import Organisation
from schakelpunt.core.aggregates import SUPPRESSION_THRESHOLD, suppress
from schakelpunt.students.models import Student

from .config import calendar_for, signal_settings_for, thresholds_of
from .daily import (
    QUEUE_CODES,
    STUDENT_FIELDS,
    basic_qualification_on,
    early_warning_objected,
    records_by_student,
    schedule_for,
)
from .early_warning import Profile, attendance_factors, profile_factors
from .models import Concern, SignalQualityRun
from .statutory import StudentFacts


@dataclass
class Tally:
    students: int = 0
    flagged: int = 0
    leavers: int = 0
    flagged_leavers: int = 0
    lead_days: list[int] | None = None

    def add(self, *, flagged: bool, left: bool, lead: int | None) -> None:
        self.students += 1
        self.flagged += flagged
        self.leavers += left
        if left and flagged and lead is not None:
            self.flagged_leavers += 1
            self.lead_days = [*(self.lead_days or []), lead]

    def summary(self) -> dict[str, float | int | None]:
        return {
            "students": self.students,
            "flagged": self.flagged,
            "leavers": self.leavers,
            "flagged_leavers": self.flagged_leavers,
            "median_lead_days": median(self.lead_days) if self.lead_days else None,
        }


def quality_compute(
    *, institution: Organisation, start: date, end: date, sample_every_weeks: int = 1
) -> SignalQualityRun:
    settings = signal_settings_for(institution)
    thresholds = thresholds_of(settings)
    calendar = calendar_for(institution)
    samples = [
        d
        for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
        if d.weekday() == 4 and calendar.is_school_week(calendar.week_start(d))
    ][::sample_every_weeks]
    students = list(
        Student.objects.filter(institution=institution, enrolled_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .exclude(pk__in=early_warning_objected(institution.pk))
        .values_list(*STUDENT_FIELDS, "location__name")
    )
    records = records_by_student(institution, start, end)
    overall = Tally()
    by_level: dict[str, Tally] = defaultdict(Tally)
    by_location: dict[str, Tally] = defaultdict(Tally)
    for (
        pk,
        born,
        qualified,
        qualified_on,
        enrolled_on,
        left_on,
        prior,
        level,
        pathway,
        location,
    ) in students:
        facts = StudentFacts(born, basic_qualification_on(qualified, qualified_on), left_on)
        own = records.get(pk, [])
        days = [r.day for r in own]
        first_flag = None
        for sample in samples:
            if sample < enrolled_on or (left_on is not None and sample >= left_on):
                continue
            upto = own[: bisect.bisect_right(days, sample)]
            factors = []
            if upto:
                factors = attendance_factors(
                    upto,
                    schedule_for(max(start, enrolled_on), pathway, upto),
                    calendar,
                    today=sample,
                    thresholds=thresholds,
                )
            factors += profile_factors(
                Profile(facts, level, prior, enrolled_on, False),
                today=sample,
                thresholds=thresholds,
            )
            if any(f.code in QUEUE_CODES for f in factors):
                first_flag = sample
                break
        # Without startkwalificatie on the day they left (one obtained later does not count).
        left = left_on is not None and start <= left_on <= end and not facts.qualified_on(left_on)
        lead = (left_on - first_flag).days if left and first_flag and left_on else None
        for tally in (overall, by_level[str(level)], by_location[location]):
            tally.add(flagged=first_flag is not None, left=left, lead=lead)
    return SignalQualityRun.objects.create(
        institution=institution,
        period_start=start,
        period_end=end,
        thresholds={k: str(v) for k, v in asdict(thresholds).items()},
        groups={
            "overall": overall.summary(),
            "level": {k: t.summary() for k, t in sorted(by_level.items())},
            "location": {k: t.summary() for k, t in sorted(by_location.items())},
        },
    )


@dataclass(frozen=True)
class QualityRow:
    label: str
    students: str
    flagged: str
    leavers: str
    recall: str  # share of leavers flagged before they left
    precision: str  # share of flagged students who left
    lead: str  # median days between the first flag and leaving


def _pct(part: int, whole: int) -> str:
    if whole < SUPPRESSION_THRESHOLD or 0 < part < SUPPRESSION_THRESHOLD:
        return "—"
    return f"{round(100 * part / whole)}%"


def _shown(count: int) -> str:
    value = suppress(count)
    return f"<{SUPPRESSION_THRESHOLD}" if value is None else str(value)


def quality_row(label: str, g: dict[str, float | int | None]) -> QualityRow:
    """One line of the table; small numbers are never shown, nor percentages built on them."""
    students, flagged = int(g["students"] or 0), int(g["flagged"] or 0)
    leavers, hits = int(g["leavers"] or 0), int(g["flagged_leavers"] or 0)
    lead = g["median_lead_days"]
    return QualityRow(
        label=label,
        students=_shown(students),
        flagged=_shown(flagged),
        leavers=_shown(leavers),
        recall=_pct(hits, leavers),
        precision=_pct(hits, flagged),
        lead=f"{round(float(lead))}" if lead is not None and hits >= SUPPRESSION_THRESHOLD else "—",
    )


@dataclass(frozen=True)
class FollowThrough:
    signals: int
    in_time: int
    days: int

    @property
    def share(self) -> str:
        return _pct(self.in_time, self.signals)


def follow_through(*, institution: Organisation, start: date, end: date) -> FollowThrough:
    """Signals and concerns raised in the period that someone acted on within the follow-up
    days (school days)."""
    days = signal_settings_for(institution).follow_up_school_days
    calendar = calendar_for(institution)
    total = in_time = 0
    for created_at, acted_at in Concern.objects.filter(
        student__institution=institution, created_at__date__gte=start, created_at__date__lte=end
    ).values_list("created_at", "first_action_at"):
        total += 1
        if acted_at is not None:
            raised = timezone.localtime(created_at).date()
            acted = timezone.localtime(acted_at).date()
            in_time += calendar.school_days_after(raised, acted) <= days
    return FollowThrough(total, in_time, days)
