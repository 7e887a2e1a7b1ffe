"""A legal hold on a student keeps their rows in the access log and in the decision log when
the log's five years have passed: the purge stops before the first row about them. Others'
older rows still go; once the hold is lifted a later purge takes the held rows too."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from schakelpunt.access.models import AccessDecision, AccessLogEntry
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.retention import access_log_purge, years_before
from schakelpunt.access.services import access_log_record
from schakelpunt.privacy.models import LegalHold
from schakelpunt.privacy.register import Activity

NOW = timezone.now()


def years_ago(years: int, days: int = 0) -> datetime:
    return years_before(NOW, years) - timedelta(days=days)


def read(world, student, at: datetime) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(at, tick=False):
        access_log_record(
            actor=world.users["coach"],
            students=[student],
            action=Action.VIEW,
            parts=[Part.IDENTITY],
            role="coach",
            activity=Activity.SUPPORT,
        )


def refused(world, student, at: datetime) -> None:  # type: ignore[no-untyped-def]
    AccessDecision(
        at=at,
        user=world.users["coach"],
        user_display="Coach",
        role="coach",
        student_id=student.pk,
        action=Action.VIEW,
        part=Part.IDENTITY,
    ).save()


@pytest.mark.django_db
def test_a_legal_hold_keeps_the_students_log_rows_until_it_is_lifted(world):  # type: ignore[no-untyped-def]
    held, other = world.students["t1"], world.students["t2"]
    read(world, other, years_ago(7))
    refused(world, other, years_ago(7))
    read(world, held, years_ago(6, 10))
    refused(world, held, years_ago(6, 5))
    read(world, other, years_ago(6))
    LegalHold.objects.create(student=held, reason="rechtszaak", set_by=world.users["privacy"])

    result = access_log_purge(before=NOW)

    # The held student's six-year-old rows stay, in both logs.
    assert AccessLogEntry.objects.filter(student_id=held.pk).count() == 1
    assert AccessDecision.objects.filter(student_id=held.pk).count() == 1
    # The other student's rows from before it went; the one after it waits (only a prefix).
    assert AccessLogEntry.objects.filter(student_id=other.pk).count() == 1
    assert AccessDecision.objects.filter(student_id=other.pk).count() == 0
    assert (result.entries, result.decisions) == (1, 1)
    assert result.held_by_hold == 3

    LegalHold.objects.filter(student=held).delete()
    later = access_log_purge(before=NOW)
    assert (later.entries, later.decisions, later.held_by_hold) == (2, 1, 0)
    assert not AccessLogEntry.objects.filter(student_id__in=[held.pk, other.pk]).exists()
    assert not AccessDecision.objects.exists()
