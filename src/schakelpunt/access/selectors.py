"""Reads of the access log, already scoped to who may read them."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from schakelpunt.accounts.models import User
from schakelpunt.students.models import Student

from .models import AccessLogEntry
from .policy import privacy_officer_institutions


@dataclass(frozen=True)
class AccessVisit:
    """One visit to a file: who, when, in which role, which parts."""

    at: datetime
    user_display: str
    role: str
    action: str
    parts: tuple[str, ...]


def _group_visits(entries: QuerySet[AccessLogEntry], limit: int) -> list[AccessVisit]:
    visits: dict[object, AccessVisit] = {}
    for entry in entries.order_by("-at", "event_id", "part")[: limit * 8]:
        key = entry.event_id
        if key in visits:
            old = visits[key]
            visits[key] = AccessVisit(
                old.at,
                old.user_display,
                old.role,
                old.action,
                (*old.parts, entry.get_part_display()),
            )
        elif len(visits) < limit:
            visits[key] = AccessVisit(
                entry.at,
                entry.user_display,
                entry.role,
                entry.get_action_display(),
                (entry.get_part_display(),),
            )
    return list(visits.values())


def access_visits_for_student(*, student_id: int, limit: int = 200) -> list[AccessVisit]:
    """Who looked at this student's file (callers check they may show it)."""
    return _group_visits(AccessLogEntry.objects.filter(student_id=student_id), limit)


def access_log_search(
    *,
    user: User,
    student_id: int | None = None,
    user_query: str = "",
    date_from: date | None = None,
    date_until: date | None = None,
) -> QuerySet[AccessLogEntry]:
    """The privacy officer's search of the whole log; empty for everyone else."""
    institutions = privacy_officer_institutions(user)
    if not institutions:
        return AccessLogEntry.objects.none()
    entries = AccessLogEntry.objects.filter(
        student_id__in=Student.objects.filter(institution_id__in=institutions).values("pk")
    )
    if student_id is not None:
        entries = entries.filter(student_id=student_id)
    if user_query:
        entries = entries.filter(user_display__icontains=user_query)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_until:
        entries = entries.filter(at__date__lte=date_until)
    return entries.order_by("-at", "part")
