"""Reads of meetings: whose they are, and each participant's need-to-know sheet."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    may_read_agenda_item_minutes,
    student_access,
    students_for_user,
)
from schakelpunt.accounts.models import User
from schakelpunt.students.models import Student
from schakelpunt.support.models import PlanAction, SupportPlan
from schakelpunt.support.selectors import open_trajectory_for

from .models import AgendaItem, Decision, Meeting, MeetingStatus


def meetings_for_user(user: User) -> QuerySet[Meeting]:
    """Meetings the user takes part in, or runs as care team of a student on the agenda."""
    managed = students_for_user(user, part=Part.SUPPORT, action=Action.CHANGE)
    return (
        Meeting.objects.filter(Q(participants__user=user) | Q(items__student__in=managed))
        .distinct()
        .select_related("chair")
    )


@dataclass
class SheetItem:
    item: AgendaItem
    student: Student
    parts: frozenset[str]
    age: int
    goals: list[Any] = field(default_factory=list)
    open_actions: list[PlanAction] = field(default_factory=list)
    absence_reports: list[Any] = field(default_factory=list)
    referrals: list[Any] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    minutes_shown: bool = False  # the minutes about this student, once they may be read

    @property
    def shows_support(self) -> bool:
        return "support" in self.parts


@dataclass
class Sheet:
    items: list[SheetItem]
    hidden: int  # agenda items about students this participant may not see at all


def sheet_for(user: User, meeting: Meeting, *, manager: bool) -> Sheet:
    """What this participant may read about each student on the agenda — never more than
    the access policy gives them. Decisions show once the minutes are approved (or to the
    people who run the meeting)."""
    today = timezone.localdate()
    items: list[SheetItem] = []
    hidden = 0
    show_decisions = manager or meeting.status == MeetingStatus.APPROVED
    for item in meeting.items.select_related("student"):
        parts = frozenset(str(p) for p in student_access(user, item.student).parts(Action.VIEW))
        if Part.IDENTITY not in parts:
            hidden += 1
            continue
        sheet = SheetItem(item, item.student, parts, item.student.age_on(today))
        if Part.SUPPORT in parts:
            trajectory = open_trajectory_for(item.student)
            plan = SupportPlan.objects.filter(trajectory=trajectory).first() if trajectory else None
            if plan is not None:
                sheet.goals = list(plan.goals.all())
                sheet.open_actions = list(
                    plan.actions.filter(done_on__isnull=True).select_related("owner")
                )
            if show_decisions:
                sheet.decisions = list(item.decisions.select_related("action__owner", "created_by"))
                sheet.minutes_shown = may_read_agenda_item_minutes(user, item.student)
        if Part.ABSENCE in parts:
            sheet.absence_reports = list(item.student.absence_reports.all()[:5])
        if Part.REFERRALS in parts:
            sheet.referrals = list(item.student.referrals.select_related("to_organisation")[:5])
        items.append(sheet)
    return Sheet(items, hidden)
