"""Reads of the access log, already scoped to who may read them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from schakelpunt.accounts.models import User
from schakelpunt.students.models import Student

from .chain import CHAINED_FIELDS, ChainCheck, walk_chain
from .models import AccessLogChainHead, AccessLogEntry
from .parts import EntryKind, Part
from .policy import describe_roles, privacy_officer_institutions


@dataclass(frozen=True)
class AccessVisit:
    """One visit to a file: who, when, in which role, which parts."""

    at: datetime
    user_display: str
    role: str
    action: str
    parts: tuple[str, ...]


_PART_ORDER = {part.value: index for index, part in enumerate(Part)}


def _group_visits(entries: QuerySet[AccessLogEntry], limit: int) -> list[AccessVisit]:
    """Rows written in one request become one visit, parts in the order of the file."""
    grouped: dict[object, list[AccessLogEntry]] = {}
    for entry in entries.order_by("-at", "event_id")[: limit * len(_PART_ORDER)]:
        if entry.event_id in grouped or len(grouped) < limit:
            grouped.setdefault(entry.event_id, []).append(entry)
    visits = []
    for rows in grouped.values():
        rows.sort(key=lambda e: _PART_ORDER.get(e.part, 99))
        first = rows[0]
        visits.append(
            AccessVisit(
                first.at,
                first.user_display,
                describe_roles(first.role),
                first.get_action_display(),
                tuple(e.get_part_display() for e in rows),
            )
        )
    return visits


def access_visits_for_student(
    *, student_id: int, exclude_user_id: int | None = None, limit: int = 200
) -> list[AccessVisit]:
    """Who looked at this student's file (callers check they may show it). Lists that
    named the student are left out: they are for the privacy officer's search."""
    entries = AccessLogEntry.objects.filter(student_id=student_id, kind=EntryKind.DETAIL)
    if exclude_user_id is not None:
        entries = entries.exclude(user_id=exclude_user_id)
    return _group_visits(entries, limit)


def access_log_search(
    *,
    user: User,
    student_id: int | None = None,
    user_query: str = "",
    date_from: date | None = None,
    date_until: date | None = None,
    event_id: UUID | None = None,
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
    if event_id is not None:
        entries = entries.filter(event_id=event_id)
    if user_query:
        entries = entries.filter(user_display__icontains=user_query)
    # Whole local days as a range on `at` (its index), not `at__date`, which the database
    # computes for every row of a log that only grows.
    zone = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_until:
        next_day = date_until + timedelta(days=1)
        entries = entries.filter(at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
    return entries.order_by("-at", "part")


def access_log_verify() -> ChainCheck:
    """Walk the whole log in the order it was written and check every link of the chain."""
    rows = AccessLogEntry.objects.order_by("id").values("id", "entry_hash", *CHAINED_FIELDS)
    head = AccessLogChainHead.objects.filter(pk=1).values_list("length", "last_hash").first()
    return walk_chain(rows.iterator(chunk_size=2000), head)
