"""The monitor's indicators, each defined once here and documented in docs/indicators.md.

Every function takes the students in scope (a queryset: a region, a municipality's residents,
an institution, a level…) and a period, and counts from the work itself. They return plain
numbers; showing them to aggregate roles goes through `suppression.protect`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median

from django.db.models import Q, QuerySet
from django.utils import timezone

from schakelpunt.accounts.models import Pathway
from schakelpunt.core.dates import years_before
from schakelpunt.referrals.models import Outcome, Referral, ReferralStatus
from schakelpunt.signals.daily import schedule_for
from schakelpunt.signals.models import AbsenceRecord, AbsenceReport, Concern, SchoolHoliday
from schakelpunt.signals.statutory import REASON_OF, AbsenceDay, SchoolCalendar
from schakelpunt.students.models import Student
from schakelpunt.support.models import Tier, Trajectory
from schakelpunt.transitions.models import AftercareContact

from .periods import Period

EARLY_LEAVER_AGE = 23
MANY_DOMAINS = 3
# Chronic absence: absent (any reason) for at least a tenth of the scheduled hours, the same
# line as the early warning's default, so that the monitor compares schools on one definition.
CHRONIC_SHARE = Decimal("0.10")


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        """As a fraction; None when there is nothing to divide by."""
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> str:
        rate = self.rate
        return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def enrolled_students(students: QuerySet[Student], period: Period) -> QuerySet[Student]:
    """Those enrolled on at least one day of the period."""
    return students.filter(enrolled_on__lte=period.end).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=period.start)
    )


def enrolled(students: QuerySet[Student], period: Period) -> int:
    return enrolled_students(students, period).count()


def early_leavers(students: QuerySet[Student], period: Period) -> int:
    """Left during the period without startkwalificatie, before their 23rd birthday (VSV)."""
    leavers = students.filter(
        left_on__gte=period.start, left_on__lte=period.end, has_basic_qualification=False
    ).values_list("left_on", "date_of_birth")
    return len(
        [born for left, born in leavers if left and born > years_before(left, EARLY_LEAVER_AGE)]
    )


def early_leaver_rate(students: QuerySet[Student], period: Period) -> Ratio:
    return Ratio(early_leavers(students, period), enrolled(students, period))


def statutory_reports(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Statutory absence reports whose period ended in this period, per kind."""
    kinds = AbsenceReport.objects.filter(
        student__in=students, end_date__gte=period.start, end_date__lte=period.end
    ).values_list("kind", flat=True)
    return dict(Counter(kinds))


def _trajectories_in(students: QuerySet[Student], period: Period) -> QuerySet[Trajectory]:
    """Trajectories open on at least one day of the period."""
    return Trajectory.objects.filter(student__in=students, opened_at__date__lte=period.end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__date__gte=period.start)
    )


def supported(students: QuerySet[Student], period: Period) -> int:
    """Students with a support trajectory open on at least one day of the period."""
    return _trajectories_in(students, period).values("student").distinct().count()


def reach(students: QuerySet[Student], period: Period) -> Ratio:
    """Share of enrolled students with a support trajectory open during the period."""
    return Ratio(supported(students, period), enrolled(students, period))


def support_by_tier(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Trajectories open during the period by their (latest) tier: basis, breedte, diepte."""
    tiers = Counter(_trajectories_in(students, period).values_list("tier", flat=True))
    return {tier: tiers.get(tier, 0) for tier in Tier.values}


def closed_by_reason(students: QuerySet[Student], period: Period) -> dict[str, int]:
    reasons = Trajectory.objects.filter(
        student__in=students, closed_at__date__gte=period.start, closed_at__date__lte=period.end
    ).values_list("close_reason", flat=True)
    return dict(Counter(reasons))


def referred_share(students: QuerySet[Student], period: Period) -> Ratio:
    """Of the students with support during the period, the share referred to specialist care
    (a referral sent during the period)."""
    supported = set(_trajectories_in(students, period).values_list("student", flat=True))
    referred = set(
        Referral.objects.filter(
            student__in=students,
            sent_at__date__gte=period.start,
            sent_at__date__lte=period.end,
        ).values_list("student", flat=True)
    )
    return Ratio(len(referred & supported), len(supported))


def referral_outcomes(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Referrals that ended during the period: successful, or not with the reason; and those
    declined or withdrawn during the period (by the date of that step)."""
    result: Counter[str] = Counter()
    ended = Referral.objects.filter(
        student__in=students, ended_on__gte=period.start, ended_on__lte=period.end
    ).values_list("outcome", "end_reason")
    for outcome, reason in ended:
        result[outcome if outcome == Outcome.SUCCESSFUL else f"{outcome}:{reason}"] += 1
    for status in (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN):
        found = Referral.objects.filter(
            student__in=students,
            status=status,
            events__to_status=status,
            events__at__date__gte=period.start,
            events__at__date__lte=period.end,
        ).count()
        if found:
            result[str(status)] = found
    return dict(result)


@dataclass(frozen=True)
class Waiting:
    count: int
    median_days: float | None
    within_agreement: Ratio


def first_contact(students: QuerySet[Student], period: Period) -> Waiting:
    """Referrals with a first contact during the period: median calendar days from
    acceptance, and the share within the days agreed with the service."""
    rows = list(
        Referral.objects.filter(
            student__in=students,
            first_contact_on__gte=period.start,
            first_contact_on__lte=period.end,
            accepted_on__isnull=False,
        ).values_list("accepted_on", "first_contact_on", "first_contact_days")
    )
    waits = [
        ((contact - accepted).days, agreed or 8)
        for accepted, contact, agreed in rows
        if accepted and contact
    ]
    days = [wait for wait, _agreed in waits]
    within = len([wait for wait, agreed in waits if wait <= agreed])
    return Waiting(len(rows), median(days) if days else None, Ratio(within, len(rows)))


def signal_to_action(students: QuerySet[Student], period: Period) -> tuple[int, float | None]:
    """Concerns raised during the period that were taken up: count and median days until
    the first action."""
    rows = Concern.objects.filter(
        student__in=students,
        created_at__date__gte=period.start,
        created_at__date__lte=period.end,
        first_action_at__isnull=False,
    ).values_list("created_at", "first_action_at")
    days = [(acted - raised).total_seconds() / 86400 for raised, acted in rows if acted]
    return len(days), (round(median(days), 1) if days else None)


def life_domains(students: QuerySet[Student], period: Period) -> tuple[dict[str, int], Ratio]:
    """Trajectories open during the period per life domain (a trajectory may count on
    several), and the share with problems on three or more domains."""
    domain_lists = list(_trajectories_in(students, period).values_list("life_domains", flat=True))
    counts: Counter[str] = Counter(d for domains in domain_lists for d in domains)
    many = sum(1 for domains in domain_lists if len(domains) >= MANY_DOMAINS)
    return dict(counts), Ratio(many, len(domain_lists))


def aftercare_outcomes(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Aftercare contacts made during the period, by outcome."""
    outcomes = AftercareContact.objects.filter(
        departure__student__in=students, done_on__gte=period.start, done_on__lte=period.end
    ).values_list("outcome", flat=True)
    return dict(Counter(outcomes))


def on_day(day: date) -> Period:
    """A one-day period (for counts "on a date")."""
    return Period(day.isoformat(), day, day)


def satisfaction(students: QuerySet[Student], period: Period) -> tuple[int, float | None]:
    """Ratings (1–10) students gave during the period to help that closed: how many, and the
    average."""
    ratings = list(
        Trajectory.objects.filter(
            student__in=students,
            student_rated_at__date__gte=period.start,
            student_rated_at__date__lte=period.end,
        ).values_list("student_rating", flat=True)
    )
    given = [r for r in ratings if r is not None]
    return len(given), (round(sum(given) / len(given), 1) if given else None)


@dataclass(frozen=True)
class Attendance:
    """Absence over a period, in hours, and the students it was counted for."""

    students: int  # enrolled students with scheduled hours in the period
    scheduled_hours: Decimal
    unauthorised_hours: Decimal
    chronic: int  # of those students, absent at least CHRONIC_SHARE of their hours

    @property
    def unauthorised_rate(self) -> float | None:
        return (
            float(self.unauthorised_hours / self.scheduled_hours) if self.scheduled_hours else None
        )

    @property
    def chronic_share(self) -> Ratio:
        return Ratio(self.chronic, self.students)


def _usual_hours(records: list[AbsenceDay]) -> Decimal:
    return schedule_for(date.min, Pathway.BOL, records).hours


def attendance(
    students: QuerySet[Student], period: Period, *, today: date | None = None
) -> Attendance:
    """Unauthorised absence rate (unauthorised hours ÷ scheduled hours) and the share of
    students chronically absent, up to today.

    The student information system may export only the days with absence: every school day
    of a student's time in the period without a record counts as attended for their usual
    hours (the median of their recorded days; for a student without any record the median of
    their institution's). BBL students are expected only on the weekdays they were recorded.
    """
    end = min(period.end, today or timezone.localdate())
    enrolled_rows = list(
        enrolled_students(students, Period(period.code, period.start, end)).values_list(
            "pk", "institution_id", "enrolled_on", "left_on", "programme__pathway"
        )
    )
    records: dict[int, list[AbsenceDay]] = defaultdict(list)
    for sid, day, scheduled, absent, reason in (
        AbsenceRecord.objects.filter(student__in=students, day__gte=period.start, day__lte=end)
        .order_by("day")
        .values_list("student_id", "day", "scheduled_hours", "absent_hours", "reason")
    ):
        records[sid].append(AbsenceDay(day, scheduled, absent, REASON_OF[reason]))
    institutions = {row[1] for row in enrolled_rows}
    calendars = {i: SchoolCalendar(holidays=()) for i in institutions}
    holidays: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for inst, first, last in SchoolHoliday.objects.filter(
        institution_id__in=institutions
    ).values_list("institution_id", "start", "end"):
        holidays[inst].append((first, last))
    for inst, spans in holidays.items():
        calendars[inst] = SchoolCalendar(holidays=tuple(spans))
    per_institution: dict[int, list[AbsenceDay]] = defaultdict(list)
    for sid, inst, *_rest in enrolled_rows:
        per_institution[inst] += records.get(sid, [])
    institution_usual = {i: _usual_hours(days) for i, days in per_institution.items()}

    counted = chronic = 0
    scheduled_total = unauthorised_total = Decimal(0)
    for sid, inst, enrolled_on, left_on, pathway in enrolled_rows:
        first = max(period.start, enrolled_on)
        last = min(end, left_on) if left_on else end
        own = [r for r in records.get(sid, []) if first <= r.day <= last]
        if own:
            schedule = schedule_for(first, pathway, own)
            usual, weekdays = schedule.hours, schedule.weekdays
        else:
            usual, weekdays = institution_usual.get(inst, Decimal(0)), frozenset(range(5))
        expected = calendars[inst].scheduled_days(first, last, weekdays)
        recorded = {r.day for r in own}
        scheduled = sum((r.scheduled_hours for r in own), Decimal(0)) + usual * len(
            [d for d in expected if d not in recorded]
        )
        if scheduled <= 0:
            continue
        absent = sum((r.absent_hours for r in own), Decimal(0))
        counted += 1
        scheduled_total += scheduled
        unauthorised_total += sum((r.unauthorised_hours for r in own), Decimal(0))
        if absent >= CHRONIC_SHARE * scheduled:
            chronic += 1
    return Attendance(counted, scheduled_total, unauthorised_total, chronic)
