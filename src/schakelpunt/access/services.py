"""Writes of the access module: the access log, appended to its hash chain."""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from schakelpunt.accounts.models import User
from schakelpunt.core.bulk import insert_rows
from schakelpunt.privacy.register import ACTIVITIES, Activity, LegalBasis
from schakelpunt.students.models import Student

from .chain import CURRENT_VERSION, GENESIS, entry_digest, entry_values
from .display import user_display
from .models import AccessLogChainHead, AccessLogEntry
from .parts import Action, EntryKind, Part
from .policy import CONSENT_REASON, StudentAccess, acting_for, roles_of

_HEAD = 1


def _locked_head() -> AccessLogChainHead:
    """The chain's end, locked until the transaction ends: one writer appends at a time
    (on SQLite the write transaction already serialises writers)."""
    head = AccessLogChainHead.objects.select_for_update().filter(pk=_HEAD).first()
    if head is not None:
        return head
    # Gone only when the whole database was emptied: continue after the last entry.
    last = (
        AccessLogEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    )
    length, last_hash = last if last is not None else (0, GENESIS)
    AccessLogChainHead.objects.bulk_create(
        [AccessLogChainHead(pk=_HEAD, length=length, last_hash=last_hash)],
        ignore_conflicts=True,
    )
    return AccessLogChainHead.objects.select_for_update().get(pk=_HEAD)


# The columns `_append` writes, in this order; the id comes from the database.
_COLUMNS = (
    "sequence",
    "entry_hash",
    "event_id",
    "at",
    "user",
    "user_display",
    "role",
    "student_id",
    "action",
    "part",
    "path",
    "kind",
    "activity",
    "legal_basis",
    "on_behalf_of",
    "emergency",
    "hash_version",
)

# The reasons of policy._rules' grants that stand for one activity on their own.
_ACTIVITY_OF_REASON = {
    "own_file": Activity.OWN_FILE,
    CONSENT_REASON: Activity.CARE,
    "statutory_task": Activity.RMC,
    "absence_officer": Activity.ABSENCE,
}


def file_activity(access: StudentAccess) -> Activity:
    """Why a page of one student's file is read, by the grant it is read on: the student's
    own file, a provider's help after a referral, leerplicht/RMC's statutory task, the
    school's attendance coordinator; everyone else at school gives support."""
    reasons = {grant.reason for grant in access.grants}
    if len(reasons) == 1:
        return _ACTIVITY_OF_REASON.get(next(iter(reasons)), Activity.SUPPORT)
    return Activity.SUPPORT


def legal_basis_of(activity: Activity, *, emergency: bool = False) -> LegalBasis:
    """The ground a read rests on: the activity's, or vital interest for emergency access."""
    if emergency:
        return LegalBasis.VITAL_INTEREST
    return ACTIVITIES[activity].legal_basis


def _append(entries: list[AccessLogEntry]) -> None:
    """Chain the entries to the log's end and insert them: lock the end, hash each entry,
    insert all (COPY on PostgreSQL, batched INSERTs elsewhere), move the end."""
    if not entries:
        return
    # No savepoint: a read that cannot be logged fails the whole request with it.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        length, previous = head.length, head.last_hash
        db = connections[DEFAULT_DB_ALIAS]
        event_id, at = (
            AccessLogEntry._meta.get_field("event_id"),
            AccessLogEntry._meta.get_field("at"),
        )
        events: dict[uuid.UUID, Any] = {}  # one event id for many entries: prepared once
        rows = []
        for entry in entries:
            entry.hash_version = CURRENT_VERSION
            length += 1
            entry.sequence = length
            entry.entry_hash = entry_digest(previous, entry_values(entry))
            previous = entry.entry_hash
            if entry.event_id not in events:
                events[entry.event_id] = event_id.get_db_prep_save(entry.event_id, db)
            rows.append(
                (
                    entry.sequence,
                    entry.entry_hash,
                    events[entry.event_id],
                    # The value hashed above, as the ORM would store it.
                    at.get_db_prep_save(entry.at, db),
                    entry.user_id,
                    entry.user_display,
                    entry.role,
                    entry.student_id,
                    entry.action,
                    entry.part,
                    entry.path,
                    entry.kind,
                    entry.activity,
                    entry.legal_basis,
                    entry.on_behalf_of,
                    entry.emergency,
                    entry.hash_version,
                )
            )
        insert_rows(AccessLogEntry, _COLUMNS, rows)
        AccessLogChainHead.objects.filter(pk=_HEAD).update(length=length, last_hash=previous)


def _record(
    *,
    actor: User,
    shown: Iterable[tuple[Student | int, Iterable[Part]]],
    action: Action,
    role: str,
    path: str,
    kind: EntryKind,
    activity: Activity,
    emergency: bool,
) -> uuid.UUID:
    event_id = uuid.uuid4()
    basis = legal_basis_of(activity, emergency=emergency)
    # The organisations of the roles the read was made in; a log role that names no membership
    # (an import, a triage step) acts for every organisation of the actor.
    behalf = (acting_for(actor, role.split(",") if role else None) or acting_for(actor))[:300]
    _append(
        [
            AccessLogEntry(
                event_id=event_id,
                user=actor,
                user_display=user_display(actor, about),
                role=role,
                student_id=about if isinstance(about, int) else about.pk,
                action=action,
                part=part,
                path=path[:300],
                kind=kind,
                activity=activity,
                legal_basis=basis,
                on_behalf_of=behalf,
                emergency=emergency,
            )
            for about, parts in shown
            for part in sorted(set(parts))
        ]
    )
    return event_id


def access_log_record(
    *,
    actor: User,
    students: Iterable[Student],
    action: Action,
    parts: Iterable[Part],
    role: str,
    activity: Activity,
    path: str = "",
    emergency: bool = False,
) -> uuid.UUID:
    """Append one row per student and part; rows of one call share an event id. `activity`
    (required: every caller says why it reads) is the processing activity of the register
    (privacy/register.py); `emergency` marks a read that rests on an emergency share instead
    of consent (`StudentAccess.rests_on_emergency`): its legal basis is then vital interest."""
    part_list = sorted(set(parts))
    return _record(
        actor=actor,
        shown=[(student, part_list) for student in students],
        action=action,
        role=role,
        path=path,
        kind=EntryKind.DETAIL,
        activity=activity,
        emergency=emergency,
    )


def access_log_list(
    *,
    actor: User,
    students: Iterable[Student | int],
    parts: Iterable[Part],
    path: str,
    activity: Activity,
    more_parts: Mapping[int, Iterable[Part]] | None = None,
) -> uuid.UUID | None:
    """One event for a list or worklist page: a row per student shown and part, marked as
    a list, so the privacy officer can rebuild the page while the student's own "who
    looked at my file" keeps showing only file and detail reads. `more_parts` adds parts
    shown of some students only. Nothing is written when the page showed no student."""
    common = set(parts)
    shown: dict[int, set[Part]] = {}
    loaded: dict[int, Student] = {}  # they name their own account without a query
    for student in students:
        if not isinstance(student, int):
            loaded[student.pk] = student
        shown.setdefault(student if isinstance(student, int) else student.pk, set()).update(common)
    for student_id, extra in (more_parts or {}).items():
        shown.setdefault(student_id, set()).update(extra)
    if not any(shown.values()):
        return None
    return _record(
        actor=actor,
        shown=[(loaded.get(sid, sid), parts) for sid, parts in sorted(shown.items())],
        action=Action.VIEW,
        role=",".join(sorted(roles_of(actor))),
        path=path,
        kind=EntryKind.LIST,
        activity=activity,
        emergency=False,
    )
