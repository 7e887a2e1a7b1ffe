"""Reads about support: the open trajectory, who may coordinate, the timeline."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import (
    CARE_TEAM_ROLES,
    about_students,
    concern_visible_to_student,
)
from schakelpunt.accounts.models import Membership, User
from schakelpunt.accounts.roles import Role
from schakelpunt.students.models import Student
from schakelpunt.students.selectors import StudentFilter, filter_by_student

from .models import (
    ContactNote,
    HelpRequest,
    LifeDomain,
    PlanAction,
    PlanGoal,
    StudentContribution,
    SupportPlan,
    SupportTeamMember,
    Tier,
    Trajectory,
    TrajectoryEvent,
    TrajectoryEventKind,
    TrajectoryState,
)


def open_trajectory_for(student: Student) -> Trajectory | None:
    return (
        Trajectory.objects.filter(student=student)
        .exclude(state=TrajectoryState.CLOSED)
        .select_related("coordinator")
        .first()
    )


def students_with_open_trajectory(student_ids: set[int]) -> set[int]:
    """Of these students, those with a trajectory running: one query."""
    if not student_ids:
        return set()
    return set(
        Trajectory.objects.filter(student_id__in=student_ids)
        .exclude(state=TrajectoryState.CLOSED)
        .values_list("student_id", flat=True)
    )


def coordinator_candidates(student: Student) -> list[User]:
    """People who work with the student, as the access rules for school staff say."""
    memberships = (
        Membership.objects.active()
        .filter(organisation_id=student.institution_id)
        .filter(
            Q(role=Role.COACH, programme_team_id=student.programme.team_id)
            | Q(role__in=CARE_TEAM_ROLES, location__isnull=True)
            | Q(role__in=CARE_TEAM_ROLES, location_id=student.location_id)
        )
    )
    ids = set(memberships.values_list("user_id", flat=True))
    ids |= set(student.support_team.filter(ended_on__isnull=True).values_list("user_id", flat=True))
    # A list to choose from; trajectory_set_coordinator decides through the access policy.
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("first_name", "last_name"))


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    title: str
    detail: str
    by: str
    # Breaks ties between entries of the same moment: the later record is the newer.
    pk: int = 0


def _day(value: object, recorded: datetime | None = None) -> datetime:
    """The moment of an entry: a day alone (a conversation, a tier change that took effect
    then) is the moment it was recorded when that was on the day itself, else its noon."""
    if isinstance(value, datetime):
        return value
    if recorded is not None and timezone.localdate(recorded) == value:
        return recorded
    return timezone.make_aware(datetime.combine(value, time(12)))  # type: ignore[arg-type]


def timeline_for(
    student: Student,
    parts: frozenset[Part],
    *,
    own: bool = False,
    since: date | None = None,
    concerns: bool = True,
) -> list[TimelineItem]:
    """Everything about the student the viewer may see, newest first. `since`: only what
    happened from that day (a provider: from its referral on); `concerns`: with the school's
    concerns (not for a provider); `own`: the student's own view, without what was held
    back from them."""
    items: list[TimelineItem] = []
    if Part.SUPPORT in parts:
        contacts = student.contacts.select_related("author").filter(
            happened_on__lte=timezone.localdate()
        )
        if own:
            contacts = contacts.filter(shared_with_student=True)
        for note in contacts:
            detail = ", ".join(p for p in (note.participants, note.summary) if p)
            items.append(
                TimelineItem(
                    _day(note.happened_on, note.created_at),
                    str(note.get_kind_display()),
                    detail,
                    str(note.author),
                    note.pk,
                )
            )
        for words in student.contributions.all():
            items.append(
                TimelineItem(
                    words.created_at, _("Inbreng van de student"), words.text, "", words.pk
                )
            )
        for concern in student.concerns.select_related("raised_by") if concerns else ():
            if own and not concern_visible_to_student(concern):
                continue
            early = concern.raised_by is None
            text = concern.text
            if concern.closed_reason:
                text += " " + _("Afgesloten: %(reason)s") % {"reason": concern.closed_reason}
            items.append(
                TimelineItem(
                    concern.created_at,
                    _("Signaal uit de vroegsignalering") if early else _("Zorgmelding"),
                    text,
                    "" if early else str(concern.raised_by),
                    concern.pk,
                )
            )
        for question in student.help_requests.all():
            items.append(
                TimelineItem(question.created_at, _("Hulpvraag"), question.text, "", question.pk)
            )
        labels = {**dict(TrajectoryState.choices), **dict(Tier.choices)}
        for event in (
            TrajectoryEvent.objects.filter(trajectory__student=student)
            .select_related("actor")
            .order_by("-at", "-pk")[:200]
        ):
            old = labels.get(event.old_value, event.old_value)
            new = labels.get(event.new_value, event.new_value)
            if event.kind in (TrajectoryEventKind.TIER, TrajectoryEventKind.STATE):
                detail = f"{old} → {new}"
            else:
                detail = str(new)
            if event.reason:
                detail = f"{detail} — {event.reason}" if detail else event.reason
            items.append(
                TimelineItem(
                    _day(event.effective_on, event.at)
                    if event.kind == TrajectoryEventKind.TIER
                    else event.at,
                    str(event.get_kind_display()),
                    detail,
                    str(event.actor),
                    event.pk,
                )
            )
        for member in student.support_team.select_related("user"):
            items.append(
                TimelineItem(
                    _day(member.added_on),
                    _("Teamlid erbij"),
                    f"{member.user} ({member.role_description})",
                    "",
                    member.pk,
                )
            )
            if member.ended_on:
                items.append(
                    TimelineItem(
                        _day(member.ended_on), _("Teamlid gestopt"), str(member.user), "", member.pk
                    )
                )
    if Part.ABSENCE in parts:
        for report in student.absence_reports.all():
            items.append(
                TimelineItem(
                    _day(report.threshold_on),
                    _("Verzuimmelding"),
                    f"{report.get_kind_display()}, {report.unauthorised_hours} uur",
                    "",
                    report.pk,
                )
            )
    if Part.REFERRALS in parts:
        for referral in student.referrals.select_related("to_organisation"):
            items.append(
                TimelineItem(
                    referral.created_at,
                    _("Verwijzing"),
                    f"{referral.to_organisation} — {referral.get_status_display()}",
                    "",
                    referral.pk,
                )
            )
    if since is not None:
        items = [item for item in items if timezone.localdate(item.at) >= since]
    items.sort(key=lambda item: (item.at, item.pk), reverse=True)
    return items


def with_support_overview(students: QuerySet[Student], today: date) -> QuerySet[Any]:
    """Annotate each student with their open trajectory: stage, tier, coordinator, review date,
    life domains (as text) and whether an action is overdue. One query, no N+1."""
    open_one = Trajectory.objects.filter(student=OuterRef("pk")).exclude(
        state=TrajectoryState.CLOSED
    )
    overdue = PlanAction.objects.filter(
        plan__trajectory__student=OuterRef("pk"),
        done_on__isnull=True,
        due_on__lt=today,
    ).exclude(plan__trajectory__state=TrajectoryState.CLOSED)
    return students.annotate(
        trajectory_state=Subquery(open_one.values("state")[:1]),
        trajectory_tier=Subquery(open_one.values("tier")[:1]),
        trajectory_coordinator_id=Subquery(open_one.values("coordinator_id")[:1]),
        trajectory_domains=Cast(Subquery(open_one.values("life_domains")[:1]), TextField()),
        review_on=Subquery(open_one.values("plan__review_on")[:1]),
        has_overdue=Exists(overdue),
    ).annotate(
        # Sort stages and tiers in their own order, not alphabetically.
        trajectory_state_order=Case(
            *[When(trajectory_state=s, then=Value(i)) for i, s in enumerate(TrajectoryState)],
            default=Value(99),
            output_field=IntegerField(),
        ),
        trajectory_tier_order=Case(
            *[When(trajectory_tier=t, then=Value(i)) for i, t in enumerate(Tier)],
            default=Value(99),
            output_field=IntegerField(),
        ),
    )


@dataclass(frozen=True)
class CaseloadFilter:
    students: StudentFilter = field(default_factory=StudentFilter)
    mine: bool = False
    state: str = ""
    tier: str = ""
    domain: str = ""
    overdue: bool = False
    review_soon: bool = False


# Review dates within this many days count as "due soon".
REVIEW_SOON_DAYS = 14


def filter_caseload(
    students: QuerySet[Any], f: CaseloadFilter, *, user: User, today: date
) -> QuerySet[Any]:
    """Apply the work-view filters to students already annotated by with_support_overview."""
    students = filter_by_student(students, f.students)
    if f.mine:
        students = students.filter(trajectory_coordinator_id=user.pk)
    if f.state in TrajectoryState.values:
        students = students.filter(trajectory_state=f.state)
    elif f.state == "any":
        students = students.filter(trajectory_state__isnull=False)
    if f.tier in Tier.values:
        students = students.filter(trajectory_tier=f.tier)
    if f.domain in LifeDomain.values:
        students = students.filter(trajectory_domains__contains=f'"{f.domain}"')
    if f.overdue:
        students = students.filter(has_overdue=True)
    if f.review_soon:
        students = students.filter(
            review_on__isnull=False, review_on__lte=today + timedelta(days=REVIEW_SOON_DAYS)
        )
    return students


def caseload_counts(students: QuerySet[Student], *, user: User, today: date) -> dict[str, int]:
    """The numbers on the start page, as the caseload's filters count them: one query over
    the open trajectories of these students (a student has one at most), not four over
    every student."""
    overdue = PlanAction.objects.filter(
        plan__trajectory=OuterRef("pk"), done_on__isnull=True, due_on__lt=today
    )
    review_by = today + timedelta(days=REVIEW_SOON_DAYS)
    counts: dict[str, int] = (
        Trajectory.objects.exclude(state=TrajectoryState.CLOSED)
        .filter(about_students(students))
        .aggregate(
            open=Count("pk"),
            mine=Count("pk", filter=Q(coordinator_id=user.pk)),
            overdue=Count("pk", filter=Q(Exists(overdue))),
            review_soon=Count("pk", filter=Q(plan__review_on__lte=review_by)),
        )
    )
    return counts


@dataclass(frozen=True)
class TeamContact:
    name: str
    role: str
    email: str


def my_team(student: Student) -> list[TeamContact]:
    """Who helps the student and how to reach them: coordinator, team, coach."""
    contacts: list[TeamContact] = []
    seen: set[int] = set()
    trajectory = open_trajectory_for(student)
    if trajectory is not None and trajectory.coordinator is not None:
        c = trajectory.coordinator
        contacts.append(TeamContact(str(c), _("Je regisseur: je vaste aanspreekpunt"), c.email))
        seen.add(c.pk)
    for member in student.support_team.filter(ended_on__isnull=True).select_related("user"):
        if member.user_id not in seen:
            contacts.append(
                TeamContact(str(member.user), member.role_description, member.user.email)
            )
            seen.add(member.user_id)
    coaches = (
        Membership.objects.active()
        .filter(role=Role.COACH, programme_team_id=student.programme.team_id)
        .select_related("user")
    )
    for m in coaches:
        if m.user_id not in seen:
            contacts.append(
                TeamContact(str(m.user), _("Je studieloopbaanbegeleider"), m.user.email)
            )
            seen.add(m.user_id)
    return contacts


def team_candidates(student: Student, staff: list[User] | None = None) -> list[User]:
    """Who may join the team: school staff who work with the student, and care workers of
    organisations the student is referred to (they see only what the student consented to)."""
    from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES

    referred_to = student.referrals.filter(status__in=REFERRAL_ACTIVE_STATUSES).values(
        "to_organisation_id"
    )
    external = Membership.objects.active().filter(
        role=Role.EXTERNAL_CARE_WORKER, organisation_id__in=referred_to
    )
    current = student.support_team.filter(ended_on__isnull=True).values("user_id")
    staff = coordinator_candidates(student) if staff is None else staff
    ids = {u.pk for u in staff} | set(external.values_list("user_id", flat=True))
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .exclude(pk__in=current)
        .order_by("first_name", "last_name")
    )


@dataclass(frozen=True)
class OwnAction:
    action: PlanAction
    student: Student
    named: bool  # may the owner open the student's file (and so see the name)?
    overdue: bool


def open_actions_of_owner(user: User) -> QuerySet[PlanAction]:
    """The open actions this person owns in running plans, the earliest due first."""
    from schakelpunt.access.policy import actions_owned_by

    return (
        actions_owned_by(user)
        .filter(done_on__isnull=True)
        .exclude(plan__trajectory__state=TrajectoryState.CLOSED)
        .select_related("plan__trajectory__student")
        .order_by("due_on", "pk")
    )


def own_actions(user: User, actions: Iterable[PlanAction], today: date) -> list[OwnAction]:
    """Actions of `open_actions_of_owner` (all, or one page), each with its student named
    only where the access policy lets the user open the file."""
    from schakelpunt.access.policy import students_for_user

    actions = list(actions)
    students = {a.plan.trajectory.student_id for a in actions}
    visible = set(students_for_user(user).filter(pk__in=students).values_list("pk", flat=True))
    return [
        OwnAction(
            a,
            a.plan.trajectory.student,
            a.plan.trajectory.student_id in visible,
            a.is_overdue(today),
        )
        for a in actions
    ]


def actions_for_owner(user: User, today: date) -> list[OwnAction]:
    """The open actions this person owns in running plans, the earliest due first."""
    return own_actions(user, open_actions_of_owner(user), today)


@dataclass(frozen=True)
class SupportSection:
    """The support part of a student file: the team, the open trajectory with its plan, and
    the conversation (contacts, the student's own words, help requests)."""

    team: list[SupportTeamMember]
    trajectory: Trajectory | None
    plan: SupportPlan | None
    goals: list[PlanGoal]
    actions: list[PlanAction]
    open_actions: int
    late_actions: int
    last_contact: ContactNote | None
    appointments: list[ContactNote]
    contributions: list[StudentContribution]
    help_requests: list[HelpRequest]
    waiting_help_requests: int


def file_section_support(
    *, student: Student, own: bool, since: date | None, today: date
) -> SupportSection:
    """What the support part of the file shows; the caller has the access policy's grant of
    that part. `own`: the student's own file (only contacts shared with them); `since`: only
    from that day (a provider sees its referral's period)."""
    team = list(student.support_team.filter(ended_on__isnull=True).select_related("user"))
    trajectory = open_trajectory_for(student)
    plan = None
    goals: list[PlanGoal] = []
    actions: list[PlanAction] = []
    if trajectory is not None:
        plan = SupportPlan.objects.filter(trajectory=trajectory).first()
        if plan is not None:
            goals = list(plan.goals.all())
            actions = list(plan.actions.select_related("owner"))
    contacts = student.contacts.select_related("author")
    contributions = student.contributions.all()
    help_requests = student.help_requests.select_related("picked_up_by")
    if own:
        contacts = contacts.filter(shared_with_student=True)
    if since is not None:
        contacts = contacts.filter(happened_on__gte=since)
        contributions = contributions.filter(created_at__date__gte=since)
        help_requests = help_requests.filter(created_at__date__gte=since)
    requests = list(help_requests[:20])
    return SupportSection(
        team=team,
        trajectory=trajectory,
        plan=plan,
        goals=goals,
        actions=actions,
        open_actions=sum(1 for a in actions if a.done_on is None),
        late_actions=sum(1 for a in actions if a.done_on is None and a.due_on < today),
        last_contact=contacts.filter(happened_on__lte=today)
        .order_by("-happened_on", "-pk")
        .first(),
        appointments=list(contacts.filter(happened_on__gt=today).order_by("happened_on")[:10]),
        contributions=list(contributions[:20]),
        help_requests=requests,
        waiting_help_requests=sum(1 for h in requests if h.picked_up_by_id is None),
    )


def trajectory_to_rate(student: Student, *, now: datetime, window_days: int) -> Trajectory | None:
    """The help that ended lately, still to be rated by the student (1–10)."""
    return (
        Trajectory.objects.filter(
            student=student,
            state=TrajectoryState.CLOSED,
            student_rating__isnull=True,
            closed_at__gte=now - timedelta(days=window_days),
        )
        .order_by("-closed_at")
        .first()
    )
