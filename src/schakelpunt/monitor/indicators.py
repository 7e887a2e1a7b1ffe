"""The monitor's indicators, each defined once here and documented in docs/indicators.md.

Every function takes the students in scope (a queryset: a region, a municipality's residents,
an institution, a level…) and a period, and counts from the work itself. They return plain
numbers; showing them to aggregate roles goes through `suppression` (the cell-key method),
which needs to know WHO is counted: the `*_records` functions give each count's contributors
(record kind, record id → student id), and the plain functions are their sizes.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from schakelpunt.accounts.models import Pathway
from schakelpunt.core.dates import years_before
from schakelpunt.referrals.models import Outcome, Referral, ReferralStatus
from schakelpunt.signals.calendar import school_calendars
from schakelpunt.signals.daily import schedule_for
from schakelpunt.signals.models import AbsenceRecord, AbsenceReport, Concern
from schakelpunt.signals.statutory import REASON_OF, AbsenceDay
from schakelpunt.students.models import Student
from schakelpunt.support.models import Tier, Trajectory
from schakelpunt.transitions.models import AftercareContact

from .periods import Period
from .suppression import Records

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


def enrolled_records(students: QuerySet[Student], period: Period) -> Records:
    return Records.of_students(enrolled_students(students, period).values_list("pk", flat=True))


def early_leaver_records(students: QuerySet[Student], period: Period) -> Records:
    """Left during the period without startkwalificatie, before their 23rd birthday (VSV)."""
    # A startkwalificatie obtained after leaving does not count: they left without one.
    leavers = (
        students.filter(left_on__gte=period.start, left_on__lte=period.end)
        .filter(Q(has_basic_qualification=False) | Q(basic_qualification_on__gt=F("left_on")))
        .values_list("pk", "left_on", "date_of_birth")
    )
    return Records.of_students(
        pk for pk, left, born in leavers if left and born > years_before(left, EARLY_LEAVER_AGE)
    )


def early_leavers(students: QuerySet[Student], period: Period) -> int:
    """Left during the period without startkwalificatie, before their 23rd birthday (VSV)."""
    return len(early_leaver_records(students, period))


def early_leaver_rate(students: QuerySet[Student], period: Period) -> Ratio:
    return Ratio(early_leavers(students, period), enrolled(students, period))


def statutory_report_records(students: QuerySet[Student], period: Period) -> dict[str, Records]:
    """Statutory absence reports that became due (reached their threshold) in this period, per
    kind; a long absence's end date may still be open."""
    rows = AbsenceReport.objects.filter(
        student__in=students, threshold_on__gte=period.start, threshold_on__lte=period.end
    ).values_list("kind", "pk", "student_id")
    return Records.grouped("report", rows)


def statutory_reports(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Statutory absence reports that became due in this period, per kind."""
    return {kind: len(r) for kind, r in statutory_report_records(students, period).items()}


def _trajectories_in(students: QuerySet[Student], period: Period) -> QuerySet[Trajectory]:
    """Trajectories open on at least one day of the period."""
    return Trajectory.objects.filter(student__in=students, opened_at__date__lte=period.end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__date__gte=period.start)
    )


def supported(students: QuerySet[Student], period: Period) -> int:
    """Students with a support trajectory open on at least one day of the period."""
    return _trajectories_in(students, period).values("student").distinct().count()


def supported_records(students: QuerySet[Student], period: Period) -> Records:
    """Students with a support trajectory open on at least one day of the period."""
    return Records.of_students(
        _trajectories_in(students, period).values_list("student_id", flat=True)
    )


def reach(students: QuerySet[Student], period: Period) -> Ratio:
    """Share of enrolled students with a support trajectory open during the period."""
    return Ratio(supported(students, period), enrolled(students, period))


def support_by_tier(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Trajectories open during the period by their (latest) tier: basis, breedte, diepte."""
    tiers = tier_records(students, period)
    return {tier: len(tiers.get(tier, Records.empty("trajectory"))) for tier in Tier.values}


def tier_records(students: QuerySet[Student], period: Period) -> dict[str, Records]:
    rows = _trajectories_in(students, period).values_list("tier", "pk", "student_id")
    return Records.grouped("trajectory", rows)


def closed_records(students: QuerySet[Student], period: Period) -> dict[str, Records]:
    rows = Trajectory.objects.filter(
        student__in=students, closed_at__date__gte=period.start, closed_at__date__lte=period.end
    ).values_list("close_reason", "pk", "student_id")
    return Records.grouped("trajectory", rows)


def closed_by_reason(students: QuerySet[Student], period: Period) -> dict[str, int]:
    return {reason: len(r) for reason, r in closed_records(students, period).items()}


def referred_share(students: QuerySet[Student], period: Period) -> Ratio:
    """Of the students with support during the period, the share referred to specialist care
    (a referral sent during the period)."""
    referred, supported_ = referred_records(students, period)
    return Ratio(len(referred), len(supported_))


def referred_records(students: QuerySet[Student], period: Period) -> tuple[Records, Records]:
    """The students referred to specialist care during the period, of those supported."""
    supported_ = supported_records(students, period)
    referred = set(
        Referral.objects.filter(
            student__in=students,
            sent_at__date__gte=period.start,
            sent_at__date__lte=period.end,
        ).values_list("student", flat=True)
    )
    return Records.of_students(referred & set(supported_.rows)), supported_


def referral_outcomes(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Referrals that ended during the period: successful, or not with the reason; and those
    declined or withdrawn during the period (by the date of that step)."""
    return {key: len(r) for key, r in referral_outcome_records(students, period).items()}


def referral_outcome_records(students: QuerySet[Student], period: Period) -> dict[str, Records]:
    rows: list[tuple[str, int, int]] = []
    ended = Referral.objects.filter(
        student__in=students, ended_on__gte=period.start, ended_on__lte=period.end
    ).values_list("outcome", "end_reason", "pk", "student_id")
    for outcome, reason, pk, student in ended:
        key = outcome if outcome == Outcome.SUCCESSFUL else f"{outcome}:{reason}"
        rows.append((key, pk, student))
    for status in (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN):
        found = Referral.objects.filter(
            student__in=students,
            status=status,
            events__to_status=status,
            events__at__date__gte=period.start,
            events__at__date__lte=period.end,
        ).values_list("pk", "student_id")
        rows += [(str(status), pk, student) for pk, student in found]
    return Records.grouped("referral", rows)


@dataclass(frozen=True)
class Waiting:
    count: int
    median_days: float | None
    within_agreement: Ratio
    records: Records | None = None  # the referrals counted
    within_records: Records | None = None  # of those, the ones within the agreed days


def first_contact(students: QuerySet[Student], period: Period) -> Waiting:
    """Referrals with a first contact during the period: median calendar days from
    acceptance, and the share within the days agreed with the service."""
    rows = list(
        Referral.objects.filter(
            student__in=students,
            first_contact_on__gte=period.start,
            first_contact_on__lte=period.end,
            accepted_on__isnull=False,
        ).values_list("pk", "student_id", "accepted_on", "first_contact_on", "first_contact_days")
    )
    waits = [
        (pk, student, (contact - accepted).days, agreed or 8)
        for pk, student, accepted, contact, agreed in rows
        if accepted and contact
    ]
    days = [wait for _pk, _s, wait, _agreed in waits]
    within = [(pk, student) for pk, student, wait, agreed in waits if wait <= agreed]
    return Waiting(
        len(rows),
        median(days) if days else None,
        Ratio(len(within), len(rows)),
        Records("referral", {pk: student for pk, student, *_rest in rows}),
        Records("referral", dict(within)),
    )


def signal_to_action(students: QuerySet[Student], period: Period) -> tuple[int, float | None]:
    """Concerns raised during the period that were taken up: count and median days until
    the first action."""
    records, days = signal_to_action_records(students, period)
    return len(records), days


def signal_to_action_records(
    students: QuerySet[Student], period: Period
) -> tuple[Records, float | None]:
    rows = Concern.objects.filter(
        student__in=students,
        created_at__date__gte=period.start,
        created_at__date__lte=period.end,
        first_action_at__isnull=False,
    ).values_list("pk", "student_id", "created_at", "first_action_at")
    taken = [(pk, student, raised, acted) for pk, student, raised, acted in rows if acted]
    days = [(acted - raised).total_seconds() / 86400 for _pk, _s, raised, acted in taken]
    records = Records("concern", {pk: student for pk, student, _r, _a in taken})
    return records, (round(median(days), 1) if days else None)


def life_domains(students: QuerySet[Student], period: Period) -> tuple[dict[str, int], Ratio]:
    """Trajectories open during the period per life domain (a trajectory may count on
    several), and the share with problems on three or more domains."""
    domains, many, all_ = life_domain_records(students, period)
    return {d: len(r) for d, r in domains.items()}, Ratio(len(many), len(all_))


def life_domain_records(
    students: QuerySet[Student], period: Period
) -> tuple[dict[str, Records], Records, Records]:
    """Per domain the trajectories on it; those with three or more domains; all of them."""
    rows = list(_trajectories_in(students, period).values_list("pk", "student_id", "life_domains"))
    per_domain = Records.grouped(
        "trajectory", [(d, pk, student) for pk, student, domains in rows for d in domains]
    )
    many = Records(
        "trajectory",
        {pk: student for pk, student, domains in rows if len(domains) >= MANY_DOMAINS},
    )
    return per_domain, many, Records("trajectory", {pk: student for pk, student, _d in rows})


def aftercare_outcomes(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Aftercare contacts made during the period, by outcome."""
    return {o: len(r) for o, r in aftercare_records(students, period).items()}


def aftercare_records(students: QuerySet[Student], period: Period) -> dict[str, Records]:
    rows = AftercareContact.objects.filter(
        departure__student__in=students, done_on__gte=period.start, done_on__lte=period.end
    ).values_list("outcome", "pk", "departure__student_id")
    return Records.grouped("aftercare", rows)


def on_day(day: date) -> Period:
    """A one-day period (for counts "on a date")."""
    return Period(day.isoformat(), day, day)


def satisfaction(students: QuerySet[Student], period: Period) -> tuple[int, float | None]:
    """Ratings (1–10) students gave during the period to help that closed: how many, and the
    average."""
    records, average = satisfaction_records(students, period)
    return len(records), average


def satisfaction_records(
    students: QuerySet[Student], period: Period
) -> tuple[Records, float | None]:
    ratings = list(
        Trajectory.objects.filter(
            student__in=students,
            student_rated_at__date__gte=period.start,
            student_rated_at__date__lte=period.end,
            student_rating__isnull=False,
        ).values_list("pk", "student_id", "student_rating")
    )
    given = [r for _pk, _s, r in ratings if r is not None]
    records = Records("trajectory", {pk: student for pk, student, _r in ratings})
    return records, (round(sum(given) / len(given), 1) if given else None)


@dataclass(frozen=True)
class Attendance:
    """Absence over a period, in hours, and the students it was counted for."""

    students: int  # enrolled students with school days (or recorded days) in the period
    scheduled_hours: Decimal
    unauthorised_hours: Decimal
    chronic: int  # of those students, absent at least CHRONIC_SHARE of their hours
    student_records: Records | None = None
    chronic_records: Records | None = None

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
    # Each institution's real calendar: its region's holidays and its own days off.
    calendars = school_calendars(institutions)
    per_institution: dict[int, list[AbsenceDay]] = defaultdict(list)
    for sid, inst, *_rest in enrolled_rows:
        per_institution[inst] += records.get(sid, [])
    institution_usual = {i: _usual_hours(days) for i, days in per_institution.items()}

    counted: list[int] = []
    chronic: list[int] = []
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
        if not own and not expected:
            continue
        # Counted by their own days only (not by the usual hours of the students in scope),
        # so that a student counts the same in every population (decision 0020).
        absent = sum((r.absent_hours for r in own), Decimal(0))
        counted.append(sid)
        scheduled_total += scheduled
        unauthorised_total += sum((r.unauthorised_hours for r in own), Decimal(0))
        if scheduled > 0 and absent >= CHRONIC_SHARE * scheduled:
            chronic.append(sid)
    return Attendance(
        len(counted),
        scheduled_total,
        unauthorised_total,
        len(chronic),
        Records.of_students(counted),
        Records.of_students(chronic),
    )
