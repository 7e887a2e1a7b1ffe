"""What a parent or carer reads about their child, in plain Dutch (language level B1, "u").

The access policy decides which parts (`ParentPart`) a parent sees today; these selectors
read only those parts and nothing else of the file: never concerns, notes, absence,
referrals or the words the student wrote. The caller passes the parts the policy grants.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import ParentPart, ParentView
from schakelpunt.accounts.models import Membership
from schakelpunt.accounts.roles import Role
from schakelpunt.meetings.models import Meeting, MeetingStatus, ParticipantKind
from schakelpunt.support.models import PlanAction, PlanGoal, SupportPlan
from schakelpunt.support.selectors import open_trajectory_for

from .models import Guardian, Student


@dataclass(frozen=True)
class TeamPerson:
    name: str
    role: str
    email: str


@dataclass(frozen=True)
class Appointment:
    """A planned conversation or meeting: when, what kind, where (no names, no subject)."""

    at: date | datetime
    kind: str
    place: str = ""


def parent_plan(student: Student) -> tuple[list[PlanGoal], list[PlanAction]]:
    """The goals and agreed actions of the running plan (not the wishes, not earlier plans)."""
    trajectory = open_trajectory_for(student)
    plan = SupportPlan.objects.filter(trajectory=trajectory).first() if trajectory else None
    if plan is None:
        return [], []
    return list(plan.goals.all()), list(plan.actions.select_related("owner"))


def parent_team(student: Student) -> list[TeamPerson]:
    """Who helps the child and how to reach them, as the student sees it on their own page."""
    people: list[TeamPerson] = []
    seen: set[int] = set()
    trajectory = open_trajectory_for(student)
    if trajectory is not None and trajectory.coordinator is not None:
        c = trajectory.coordinator
        people.append(TeamPerson(str(c), _("Regisseur: het vaste aanspreekpunt"), c.email))
        seen.add(c.pk)
    for member in student.support_team.filter(ended_on__isnull=True).select_related("user"):
        if member.user_id not in seen:
            people.append(TeamPerson(str(member.user), member.role_description, member.user.email))
            seen.add(member.user_id)
    coaches = (
        Membership.objects.active()
        .filter(role=Role.COACH, programme_team_id=student.programme.team_id)
        .select_related("user")
        .order_by("pk")
    )
    for m in coaches:
        if m.user_id not in seen:
            people.append(
                TeamPerson(str(m.user), _("Studieloopbaanbegeleider (coach)"), m.user.email)
            )
            seen.add(m.user_id)
    return people


def parent_appointments(student: Student, guardian: Guardian) -> list[Appointment]:
    """Planned conversations the student may see, and planned meetings about the student to
    which the student or this parent is invited; only the day, the kind and the place."""
    today = timezone.localdate()
    items: list[Appointment] = []
    for note in student.contacts.filter(shared_with_student=True, happened_on__gt=today).order_by(
        "happened_on", "pk"
    )[:10]:
        items.append(Appointment(note.happened_on, str(note.get_kind_display())))
    student_invited = Q(participants__kind=ParticipantKind.STUDENT) & (
        Q(participants__user_id=student.user_id)
        if student.user_id
        else Q(participants__user__isnull=True, participants__email=student.email)
    )
    meetings = (
        Meeting.objects.filter(
            items__student=student,
            status=MeetingStatus.PLANNED,
            starts_at__gte=timezone.now(),
        )
        .filter(student_invited | Q(participants__guardian=guardian))
        .distinct()
        .order_by("starts_at")[:10]
    )
    for meeting in meetings:
        items.append(
            Appointment(timezone.localtime(meeting.starts_at), _("overleg"), meeting.place)
        )
    items.sort(key=lambda a: _sort_key(a.at))
    return items


def _sort_key(at: date | datetime) -> datetime:
    if isinstance(at, datetime):
        return at
    return datetime.combine(at, time.min, tzinfo=timezone.get_current_timezone())


def parent_page_context(view: ParentView) -> dict[str, object]:
    """The parts of one child's page the policy grants this parent today."""
    student = view.student
    context: dict[str, object] = {
        "child": student,
        "shows": {part: view.shows(part) for part in ParentPart.values},
        "part_labels": [ParentPart(p).label for p in ParentPart.values if view.shows(p)],
    }
    if view.shows(ParentPart.PLAN):
        goals, actions = parent_plan(student)
        context.update(goals=goals, actions=actions)
    if view.shows(ParentPart.APPOINTMENTS):
        context["appointments"] = parent_appointments(student, view.guardian)
    if view.shows(ParentPart.TEAM):
        context["team"] = parent_team(student)
    return context
