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

from schakelpunt.access.policy import END_USER_ROLES, ParentPart, ParentView
from schakelpunt.accounts.models import Membership
from schakelpunt.accounts.roles import Role
from schakelpunt.meetings.models import Meeting, MeetingStatus, ParticipantKind
from schakelpunt.support.models import PlanGoal, SupportPlan
from schakelpunt.support.selectors import open_trajectory_for

from .models import Guardian, Student


@dataclass(frozen=True)
class TeamPerson:
    name: str
    role: str
    email: str


@dataclass(frozen=True)
class ParentAction:
    """An agreed action as a parent reads it: the owner only when they are of the school."""

    description: str
    owner_display: str
    due_on: date
    done_on: date | None


@dataclass(frozen=True)
class Appointment:
    """A planned conversation or meeting: when, what kind, where (no names, no subject)."""

    at: date | datetime
    kind: str
    place: str = ""


def _school_people(student: Student, user_ids: set[int], *, staff_only: bool) -> set[int]:
    """Those of `user_ids` with an active membership at the student's own institution (with
    `staff_only`: in a staff role). Anyone else works for an organisation outside school,
    and naming them would tell a parent of a referral (never shown to parents)."""
    if not user_ids:
        return set()
    memberships = Membership.objects.active().filter(
        user_id__in=user_ids, organisation_id=student.institution_id
    )
    if staff_only:
        memberships = memberships.exclude(role__in=END_USER_ROLES)
    return set(memberships.values_list("user_id", flat=True))


def parent_plan(student: Student) -> tuple[list[PlanGoal], list[ParentAction]]:
    """The goals and agreed actions of the running plan (not the wishes, not earlier plans).
    An action owned by someone outside school names neither that person nor their
    organisation."""
    trajectory = open_trajectory_for(student)
    plan = SupportPlan.objects.filter(trajectory=trajectory).first() if trajectory else None
    if plan is None:
        return [], []
    actions = list(plan.actions.select_related("owner"))
    owners = {a.owner_id for a in actions if a.owner_id is not None}
    school = _school_people(student, owners, staff_only=False)
    if student.user_id is not None:
        school.add(student.user_id)
    outside = _("iemand van buiten school")
    return list(plan.goals.all()), [
        ParentAction(
            description=a.description,
            owner_display=(
                a.owner_name
                if a.owner_id is None
                else (str(a.owner) if a.owner_id in school else outside)
            ),
            due_on=a.due_on,
            done_on=a.done_on,
        )
        for a in actions
    ]


def parent_team(student: Student) -> list[TeamPerson]:
    """Who of the school helps the child and how to reach them. Only people with an active
    staff membership at the student's own institution: a care worker of an organisation the
    child is referred to is never named to a parent."""
    candidates: list[tuple[int, str, str, str]] = []  # user id, name, role, e-mail
    trajectory = open_trajectory_for(student)
    if trajectory is not None and trajectory.coordinator is not None:
        c = trajectory.coordinator
        candidates.append((c.pk, str(c), _("Regisseur: het vaste aanspreekpunt"), c.email))
    for member in student.support_team.filter(ended_on__isnull=True).select_related("user"):
        candidates.append(
            (member.user_id, str(member.user), member.role_description, member.user.email)
        )
    coaches = (
        Membership.objects.active()
        .filter(role=Role.COACH, programme_team_id=student.programme.team_id)
        .select_related("user")
        .order_by("pk")
    )
    for m in coaches:
        candidates.append(
            (m.user_id, str(m.user), _("Studieloopbaanbegeleider (coach)"), m.user.email)
        )
    school = _school_people(student, {c[0] for c in candidates}, staff_only=True)
    people: list[TeamPerson] = []
    seen: set[int] = set()
    for user_id, name, role, email in candidates:
        if user_id in school and user_id not in seen:
            people.append(TeamPerson(name, role, email))
            seen.add(user_id)
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
