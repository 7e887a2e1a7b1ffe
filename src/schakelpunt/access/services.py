"""Writes of the access module: the access log."""

import uuid
from collections.abc import Iterable

from schakelpunt.accounts.models import User
from schakelpunt.students.models import Student

from .models import AccessLogEntry
from .parts import Action, Part


def _user_display(user: User) -> str:
    return f"{user.get_full_name() or user.email} <{user.email}>"


def access_log_record(
    *,
    actor: User,
    students: Iterable[Student],
    action: Action,
    parts: Iterable[Part],
    role: str,
    path: str = "",
) -> uuid.UUID:
    """Append one row per student and part; rows of one call share an event id."""
    event_id = uuid.uuid4()
    display = _user_display(actor)
    part_list = sorted(set(parts))
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                event_id=event_id,
                user=actor,
                user_display=display,
                role=role,
                student_id=student.pk,
                action=action,
                part=part,
                path=path[:300],
            )
            for student in students
            for part in part_list
        ],
        batch_size=500,
    )
    return event_id
