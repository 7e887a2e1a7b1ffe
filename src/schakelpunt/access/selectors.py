"""Reads of the access log, already scoped to who may read them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from schakelpunt.accounts.models import User
from schakelpunt.students.models import Student

from .chain import CHAINED_FIELDS, ChainCheck, walk_chain
from .display import activity_plain, activity_words, basis_words, role_words
from .models import AccessDecision, AccessLogChainHead, AccessLogEntry
from .parts import EntryKind, Part
from .policy import privacy_officer_institutions


@dataclass(frozen=True)
class AccessVisit:
    """One visit to a file: who, when, in which role, which parts, and why: the purpose in
    plain Dutch ("" for visits from before the register) and whether it was emergency
    access (a share without consent)."""

    at: datetime
    user_display: str
    role: str
    action: str
    parts: tuple[str, ...]
    purpose: str = ""
    emergency: bool = False


_Row = TypeVar("_Row", AccessLogEntry, AccessDecision)

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
                role_words(first.role),
                first.get_action_display(),
                tuple(e.get_part_display() for e in rows),
                purpose=activity_plain(first.activity),
                emergency=any(e.emergency for e in rows),
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


def _overseen_student_ids(user: User) -> QuerySet[Student] | None:
    """The students whose log rows this privacy officer reads: their institution's."""
    institutions = privacy_officer_institutions(user)
    if not institutions:
        return None
    return Student.objects.filter(institution_id__in=institutions)


def _in_period(
    rows: QuerySet[_Row], date_from: date | None, date_until: date | None
) -> QuerySet[_Row]:
    """Whole local days as a range on `at` (its index), not `at__date`, which the database
    computes for every row of a log that only grows."""
    zone = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_until:
        next_day = date_until + timedelta(days=1)
        rows = rows.filter(at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
    return rows


def _about(
    rows: QuerySet[_Row], overseen: QuerySet[Student], student_number: str, student_id: int | None
) -> QuerySet[_Row]:
    if student_number:
        overseen = overseen.filter(student_number=student_number.strip())
    if student_id is not None:
        overseen = overseen.filter(pk=student_id)
    return rows.filter(student_id__in=overseen.values("pk"))


def access_log_search(
    *,
    user: User,
    student_number: str = "",
    student_id: int | None = None,
    user_query: str = "",
    organisation: str = "",
    activity: str = "",
    date_from: date | None = None,
    date_until: date | None = None,
    event_id: UUID | None = None,
) -> QuerySet[AccessLogEntry]:
    """The privacy officer's search of the log: rows about students of their institution, by
    student number, user (name or e-mail as written), organisation acted for, processing
    activity and period. Empty for everyone else."""
    overseen = _overseen_student_ids(user)
    if overseen is None:
        return AccessLogEntry.objects.none()
    entries = _about(AccessLogEntry.objects.all(), overseen, student_number, student_id)
    if event_id is not None:
        entries = entries.filter(event_id=event_id)
    if user_query:
        entries = entries.filter(user_display__icontains=user_query.strip())
    if organisation:
        entries = entries.filter(on_behalf_of__icontains=organisation.strip())
    if activity:
        entries = entries.filter(activity=activity)
    return _in_period(entries, date_from, date_until).order_by("-at", "part")


def refusal_search(
    *,
    user: User,
    student_number: str = "",
    user_query: str = "",
    organisation: str = "",
    date_from: date | None = None,
    date_until: date | None = None,
) -> QuerySet[AccessDecision]:
    """The privacy officer's search of the decision log: refused attempts on students of their
    institution (probing shows here), searched like the access log."""
    overseen = _overseen_student_ids(user)
    if overseen is None:
        return AccessDecision.objects.none()
    refusals = _about(AccessDecision.objects.all(), overseen, student_number, None)
    if user_query:
        refusals = refusals.filter(user_display__icontains=user_query.strip())
    if organisation:
        refusals = refusals.filter(on_behalf_of__icontains=organisation.strip())
    return _in_period(refusals, date_from, date_until).order_by("-at", "-pk")


@dataclass(frozen=True)
class NamedStudent:
    """How the privacy officer's pages name a student: name and student number."""

    name: str
    number: str


def students_named(user: User, student_ids: Iterable[int]) -> dict[int, NamedStudent]:
    """The names and numbers of these students, of the officer's own institution only (a row
    about a student since deleted has none)."""
    overseen = _overseen_student_ids(user)
    if overseen is None:
        return {}
    return {
        s.pk: NamedStudent(s.sort_name, s.student_number)
        for s in overseen.filter(pk__in=sorted(set(student_ids))).only(
            "pk", "first_name", "preferred_name", "name_prefix", "last_name", "student_number"
        )
    }


def access_log_verify() -> ChainCheck:
    """Walk the whole log in the order it was written and check every link of the chain."""
    rows = AccessLogEntry.objects.order_by("id").values("id", "entry_hash", *CHAINED_FIELDS)
    head = AccessLogChainHead.objects.filter(pk=1).values_list("length", "last_hash").first()
    return walk_chain(rows.iterator(chunk_size=2000), head)


@dataclass(frozen=True)
class LogRow:
    """One row of the privacy officer's log pages, in words: no ids or codes to read (the
    student's id and the event's serve only as link targets)."""

    at: datetime
    who: str
    role: str
    behalf: str
    student: NamedStudent | None
    student_id: int
    part: str
    action: str
    activity: str
    basis: str
    emergency: bool
    is_list: bool
    event_id: UUID | None


def log_rows(user: User, entries: Iterable[AccessLogEntry]) -> list[LogRow]:
    entries = list(entries)
    names = students_named(user, (e.student_id for e in entries))
    return [
        LogRow(
            at=e.at,
            who=e.user_display,
            role=role_words(e.role),
            behalf=e.on_behalf_of,
            student=names.get(e.student_id),
            student_id=e.student_id,
            part=e.get_part_display(),
            action=e.get_action_display(),
            activity=activity_words(e.activity),
            basis=basis_words(e.legal_basis),
            emergency=e.emergency,
            is_list=e.kind == EntryKind.LIST,
            event_id=e.event_id,
        )
        for e in entries
    ]


def refusal_rows(user: User, refusals: Iterable[AccessDecision]) -> list[LogRow]:
    refusals = list(refusals)
    names = students_named(user, (r.student_id for r in refusals))
    return [
        LogRow(
            at=r.at,
            who=r.user_display,
            role=role_words(r.role),
            behalf=r.on_behalf_of,
            student=names.get(r.student_id),
            student_id=r.student_id,
            part=r.get_part_display(),
            action=r.get_action_display(),
            activity="",
            basis="",
            emergency=False,
            is_list=False,
            event_id=None,
        )
        for r in refusals
    ]
