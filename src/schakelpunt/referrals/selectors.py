"""Reads of referrals: overdue first contacts, the worklists of school and provider."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from schakelpunt.access.policy import (
    provider_organisation_ids,
    referrals_for_user,
    referrals_with_visible_advice,
    students_for_user,
)
from schakelpunt.accounts.models import User
from schakelpunt.directory.responsibility import Responsibility, responsibility_for
from schakelpunt.students.models import Student

from .models import CLOSED_STATUSES, AdulthoodTransition, Consent, Referral, ReferralStatus


def overdue_days(referral: Referral, today: date) -> int:
    """Days past the agreed first contact; 0 when not overdue (or contact was made)."""
    if referral.status != ReferralStatus.ACCEPTED or referral.first_contact_due is None:
        return 0
    return max(0, (today - referral.first_contact_due).days)


def overdue_q(today: date) -> Q:
    return Q(status=ReferralStatus.ACCEPTED, first_contact_due__lt=today)


def referrals_overdue(today: date) -> QuerySet[Referral]:
    return Referral.objects.filter(overdue_q(today))


@dataclass(frozen=True)
class Worklist:
    overdue: list[Referral]
    waiting: list[Referral]  # the provider still has to decide
    running: list[Referral]


# The worklist's groups in the order they are worked: overdue first contacts, referrals the
# provider still has to decide on, the rest.
OVERDUE, WAITING, RUNNING = 0, 1, 2
WAITING_STATUSES = [ReferralStatus.SENT, ReferralStatus.RECEIVED]


def worklist_rows(user: User, today: date, *, provider: bool) -> QuerySet[Referral]:
    """The open referrals of the provider's or the school's worklist, most urgent first: each
    with its `group` (OVERDUE, WAITING, RUNNING), by first contact due within a group."""
    mine = Q(to_organisation_id__in=provider_organisation_ids(user))
    return (
        referrals_for_user(user)
        .filter(mine if provider else ~mine)
        .exclude(status__in=CLOSED_STATUSES)
        .annotate(
            group=Case(
                When(overdue_q(today), then=Value(OVERDUE)),
                When(status__in=WAITING_STATUSES, then=Value(WAITING)),
                default=Value(RUNNING),
                output_field=IntegerField(),
            )
        )
        .select_related("student", "to_organisation", "service")
        .order_by("group", "first_contact_due", "sent_at", "pk")
    )


def worklist_counts(user: User, today: date, *, provider: bool) -> dict[str, int]:
    """How many open referrals the worklist has in each group, counted in one query."""
    counts = worklist_rows(user, today, provider=provider).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        waiting=Count("pk", filter=Q(status__in=WAITING_STATUSES)),
    )
    counts["running"] = counts["total"] - counts["overdue"] - counts["waiting"]
    return counts


def worklist_of(user: User, rows: Iterable[Referral]) -> Worklist:
    """Rows of `worklist_rows` (all, or one page) split into their groups, each marked
    `named` where the access policy lets the user open the student's file."""
    rows = list(rows)
    visible = set(
        students_for_user(user)
        .filter(pk__in={r.student_id for r in rows})
        .values_list("pk", flat=True)
    )
    for row in rows:
        row.named = row.student_id in visible  # type: ignore[attr-defined]
    groups: dict[int, list[Referral]] = {OVERDUE: [], WAITING: [], RUNNING: []}
    for row in rows:
        groups[row.group].append(row)  # type: ignore[attr-defined]
    return Worklist(groups[OVERDUE], groups[WAITING], groups[RUNNING])


@dataclass(frozen=True)
class WorklistSummary:
    """The start page's view of a worklist: how many in each group, and the first overdue."""

    overdue: list[Referral]  # the first few, with `named` as in the worklist
    overdue_count: int
    waiting_count: int
    running_count: int


def worklist_summary(user: User, today: date, *, provider: bool, shown: int = 5) -> WorklistSummary:
    """The provider's or the school's worklist counted in the database (one query), and its
    first overdue referrals: not every open referral of the school loaded to count it."""
    counts = worklist_counts(user, today, provider=provider)
    rows = worklist_rows(user, today, provider=provider).filter(overdue_q(today))[:shown]
    first = worklist_of(user, rows).overdue
    return WorklistSummary(first, counts["overdue"], counts["waiting"], counts["running"])


def provider_worklist(user: User, today: date) -> Worklist:
    """Referrals to the user's organisation that are still open."""
    return worklist_of(user, worklist_rows(user, today, provider=True))


def school_worklist(user: User, today: date) -> Worklist:
    """Open referrals of the students whose referrals the user handles at school."""
    return worklist_of(user, worklist_rows(user, today, provider=False))


@dataclass(frozen=True)
class Handover:
    """What the receiving worker reads on acceptance: only the parts the student agreed to."""

    parts: frozenset[str]
    goals: list[tuple[str, str]]  # (life domain, goal)
    life_domains: list[str]
    coordinator: str
    coordinator_email: str
    absence_reports: list[str]
    advice: list[Any]


def handover_for(referral: Referral, parts: frozenset[str]) -> Handover:
    from schakelpunt.support.models import SupportPlan
    from schakelpunt.support.selectors import open_trajectory_for

    goals: list[tuple[str, str]] = []
    domains: list[str] = []
    coordinator = coordinator_email = ""
    reports: list[str] = []
    if "support" in parts:
        trajectory = referral.trajectory or open_trajectory_for(referral.student)
        if trajectory is not None:
            domains = trajectory.life_domain_labels
            if trajectory.coordinator is not None:
                coordinator = str(trajectory.coordinator)
                coordinator_email = trajectory.coordinator.email
            plan = SupportPlan.objects.filter(trajectory=trajectory).first()
            if plan is not None:
                goals = [(g.get_life_domain_display(), g.text) for g in plan.goals.all()]
    if "absence" in parts:
        reports = [
            f"{r.get_kind_display()} ({r.start_date:%d-%m-%Y} – "
            f"{f'{r.end_date:%d-%m-%Y}' if r.end_date else _('loopt nog')})"
            for r in referral.student.absence_reports.all()[:5]
        ]
    return Handover(
        parts=parts,
        goals=goals,
        life_domains=domains,
        coordinator=coordinator,
        coordinator_email=coordinator_email,
        absence_reports=reports,
        advice=list(referral.advice.select_related("given_by")),
    )


def advice_for_student(student_id: int, user: User) -> QuerySet[Any]:
    """The handelingsadvies for the student that this user may read, newest first: shown in
    the plan. Per the referral's own access: a provider reads only the advice on referrals
    to its own organisation, never another provider's."""
    from .models import Advice

    return (
        Advice.objects.filter(
            referral__student_id=student_id,
            referral__in=referrals_with_visible_advice(user),
        )
        .select_related("referral__to_organisation", "given_by")
        .order_by("-given_at")
    )


@dataclass(frozen=True)
class ReferralsSection:
    """The referrals part of a student file: referrals, consents to share, and for whoever
    may refer: who is responsible for the help and the turning-18 checklist."""

    referrals: list[Referral]
    consents: list[Consent]
    running: int  # referrals not closed
    responsibility: Responsibility | None
    transition: AdulthoodTransition | None


def file_section_referrals(*, student: Student, may_refer: bool, today: date) -> ReferralsSection:
    """What the file shows of the student's referrals; the caller has the access policy's
    grant of the referrals part (`may_refer`: the grant to change it)."""
    referrals = list(student.referrals.select_related("to_organisation"))
    return ReferralsSection(
        referrals=referrals,
        consents=list(student.consents.select_related("organisation")),
        running=sum(1 for r in referrals if r.status not in CLOSED_STATUSES),
        responsibility=responsibility_for(student, today) if may_refer else None,
        transition=(
            student.adulthood_transitions.order_by("-turns_18_on").first() if may_refer else None
        ),
    )
