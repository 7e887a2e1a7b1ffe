"""The monitor's indicators, each defined once here and documented in docs/indicators.md.

Every function takes the students in scope (a queryset: a region, a municipality's residents,
an institution, a level…) and a period, and counts from the work itself. They return plain
numbers; showing them to aggregate roles goes through `suppression.protect`.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import Q, QuerySet

from schakelpunt.core.dates import years_before
from schakelpunt.referrals.models import Outcome, Referral, ReferralStatus
from schakelpunt.signals.models import AbsenceReport, Concern
from schakelpunt.students.models import Student
from schakelpunt.support.models import Tier, Trajectory
from schakelpunt.transitions.models import AftercareContact

from .periods import Period

EARLY_LEAVER_AGE = 23
MANY_DOMAINS = 3


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


def enrolled(students: QuerySet[Student], period: Period) -> int:
    """Students enrolled on at least one day of the period."""
    return (
        students.filter(enrolled_on__lte=period.end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=period.start))
        .count()
    )


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


def reach(students: QuerySet[Student], period: Period) -> Ratio:
    """Share of enrolled students with a support trajectory open during the period."""
    with_support = _trajectories_in(students, period).values("student").distinct().count()
    return Ratio(with_support, enrolled(students, period))


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
