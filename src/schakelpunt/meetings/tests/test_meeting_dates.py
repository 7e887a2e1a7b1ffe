"""A meeting is held once it has begun: decisions, 'held' and approved minutes wait for it.

Found on 2 December: a meeting planned for 10 December became "Gehouden, verslag in concept"
when a decision was saved, and its minutes could be approved before it took place.
"""

import importlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.meetings.models import Decision, MeetingKind, MeetingStatus
from schakelpunt.meetings.services import (
    MeetingInput,
    decision_add,
    item_add,
    meeting_plan,
    minutes_approve,
    minutes_save,
    student_view_record,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PLANNING_DAY = datetime(2026, 12, 2, 10, 0, tzinfo=AMSTERDAM)
MEETING_START = datetime(2026, 12, 10, 14, 0, tzinfo=AMSTERDAM)


def _plan(world: World):  # type: ignore[no-untyped-def]
    chair = world.users["care_l1"]
    return meeting_plan(
        actor=chair,
        details=MeetingInput(
            kind=MeetingKind.CARE_TEAM,
            title="Zorgteam",
            starts_at=MEETING_START,
            duration_minutes=60,
            place="Lokaal 1",
            chair=chair,
        ),
        student=world.students["t1"],
        question="Wat helpt Anna?",
    )


def test_a_meeting_next_week_is_prepared_but_not_held_nor_approved(world: World) -> None:
    care = world.users["care_l1"]
    with time_machine.travel(PLANNING_DAY, tick=False):
        meeting = _plan(world)
        item = meeting.items.get()
        # Preparing the agenda is fine.
        student_view_record(actor=care, item_id=item.pk, text="Ik wil zelf praten.")
        item_add(
            actor=care, meeting_id=meeting.pk, student=world.students["t2"], question="En Bram?"
        )
        with pytest.raises(ValidationError) as refused:
            decision_add(actor=care, item_id=item.pk, text="Gesprek met moeder")
        assert "donderdag 10 december 2026, 14:00" in refused.value.messages[0]
        meeting.refresh_from_db()
        minutes_save(
            actor=care, meeting_id=meeting.pk, notes="Concept", expected_version=meeting.version
        )
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.PLANNED  # a draft is not a held meeting
        with pytest.raises(ValidationError):
            minutes_approve(actor=care, meeting_id=meeting.pk)

        # Through the screen: one clear message, no decision, the meeting still planned.
        client = client_for(care)
        url = reverse("meetings:detail", args=[meeting.pk])
        page = client.get(url).content.decode()
        assert 'value="decision"' not in page
        assert "Verslag vaststellen en delen" not in page
        response = client.post(
            reverse("meetings:post", args=[meeting.pk]),
            {"do": "decision", "item": item.pk, "text": "Gesprek met moeder"},
            follow=True,
        )
        assert "Besluiten legt u vast in of na het overleg" in response.content.decode()
        assert not Decision.objects.exists()
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.PLANNED
        assert "Gehouden" not in client.get(reverse("meetings:list")).content.decode()


def test_once_it_has_begun_decisions_make_it_held_and_the_chair_approves(world: World) -> None:
    care = world.users["care_l1"]
    with time_machine.travel(PLANNING_DAY, tick=False):
        meeting = _plan(world)
    with time_machine.travel(MEETING_START + timedelta(minutes=20), tick=False):
        decision_add(actor=care, item_id=meeting.items.get().pk, text="Gesprek met moeder")
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD
        minutes_approve(actor=care, meeting_id=meeting.pk)
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.APPROVED


def test_minutes_of_a_meeting_marked_held_too_early_wait_for_the_meeting(world: World) -> None:
    """Meetings the old code marked held before their date: approval still waits."""
    care = world.users["care_l1"]
    with time_machine.travel(PLANNING_DAY, tick=False):
        meeting = _plan(world)
        type(meeting).objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
        with pytest.raises(ValidationError) as refused:
            minutes_approve(actor=care, meeting_id=meeting.pk)
        assert "nadat het overleg is gehouden" in refused.value.messages[0]
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD and meeting.approved_at is None


def test_a_meeting_marked_held_before_it_began_is_planned_again(world: World) -> None:
    migration = importlib.import_module(
        "schakelpunt.meetings.migrations.0003_meetings_held_before_they_began_are_planned"
    )
    with time_machine.travel(PLANNING_DAY, tick=False):
        meeting = _plan(world)
        type(meeting).objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
        migration.plan_again(apps, None)
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.PLANNED
