"""The trajectory's rules, each as a user of the services meets them."""

import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.support.models import (
    STATES_WITH_COORDINATOR,
    Tier,
    Trajectory,
    TrajectoryEventKind,
    TrajectoryState,
)
from schakelpunt.support.services import (
    ConcurrentEditError,
    is_escalation,
    trajectory_change_tier,
    trajectory_move,
    trajectory_open,
    trajectory_set_coordinator,
)
from schakelpunt.support.workflow import ALLOWED_TRANSITIONS

from .factories import TrajectoryFactory

STATES = list(TrajectoryState.values)


def in_state(world, state):  # type: ignore[no-untyped-def]
    coordinator = world.users["care_l1"] if state in STATES_WITH_COORDINATOR else None
    return TrajectoryFactory(
        student=world.students["t1"],
        state=state,
        coordinator=coordinator,
        close_reason="goal_reached" if state == TrajectoryState.CLOSED else "",
    )


@pytest.mark.parametrize(("old", "new"), list(itertools.product(STATES, STATES)))
def test_every_state_change_is_allowed_or_refused_as_the_table_says(world, old, new):
    trajectory = in_state(world, old)
    if new in STATES_WITH_COORDINATOR and trajectory.coordinator is None:
        trajectory.coordinator = world.users["care_l1"]
        trajectory.save()
    allowed = (old, new) in ALLOWED_TRANSITIONS
    move = {
        "actor": world.users["care_l1"],
        "trajectory_id": trajectory.pk,
        "to_state": new,
        "expected_version": trajectory.version,
        "close_reason": "goal_reached" if new == TrajectoryState.CLOSED else "",
    }
    if allowed:
        trajectory_move(**move)
        trajectory.refresh_from_db()
        assert trajectory.state == new
        event = trajectory.events.get(kind=TrajectoryEventKind.STATE)
        assert (event.old_value, event.new_value) == (old, new)
    else:
        with pytest.raises(ValidationError, match="kan niet naar"):
            trajectory_move(**move)
        trajectory.refresh_from_db()
        assert trajectory.state == old
        assert not trajectory.events.exists()


def test_clarifying_needs_a_coordinator_first(world):
    trajectory = trajectory_open(actor=world.users["coach"], student=world.students["t1"])
    with pytest.raises(ValidationError, match="Kies eerst een regisseur"):
        trajectory_move(
            actor=world.users["coach"],
            trajectory_id=trajectory.pk,
            to_state=TrajectoryState.CLARIFYING,
            expected_version=trajectory.version,
        )
    trajectory = trajectory_set_coordinator(
        actor=world.users["coach"],
        trajectory_id=trajectory.pk,
        coordinator=world.users["care_l1"],
        expected_version=trajectory.version,
    )
    trajectory = trajectory_move(
        actor=world.users["coach"],
        trajectory_id=trajectory.pk,
        to_state=TrajectoryState.CLARIFYING,
        expected_version=trajectory.version,
    )
    assert trajectory.coordinator == world.users["care_l1"]


def test_coordinator_must_work_with_the_student(world):
    trajectory = trajectory_open(actor=world.users["coach"], student=world.students["t1"])
    for outsider in ("advisor_l2", "worker_p1", "municipal"):
        with pytest.raises(ValidationError, match="kan geen regisseur zijn"):
            trajectory_set_coordinator(
                actor=world.users["coach"],
                trajectory_id=trajectory.pk,
                coordinator=world.users[outsider],
                expected_version=trajectory.version,
            )


def test_closing_needs_a_reason(world):
    trajectory = in_state(world, TrajectoryState.CLOSING)
    with pytest.raises(ValidationError, match="Kies waarom"):
        trajectory_move(
            actor=world.users["care_l1"],
            trajectory_id=trajectory.pk,
            to_state=TrajectoryState.CLOSED,
            expected_version=trajectory.version,
        )
    closed = trajectory_move(
        actor=world.users["care_l1"],
        trajectory_id=trajectory.pk,
        to_state=TrajectoryState.CLOSED,
        expected_version=trajectory.version,
        close_reason="left_school",
    )
    assert closed.close_reason == "left_school"
    assert closed.closed_at is not None


def test_one_open_trajectory_per_student(world):
    student = world.students["t1"]
    first = trajectory_open(actor=world.users["coach"], student=student)
    with pytest.raises(ValidationError, match="al een lopend traject"):
        trajectory_open(actor=world.users["care_l1"], student=student)
    trajectory_move(
        actor=world.users["coach"],
        trajectory_id=first.pk,
        to_state=TrajectoryState.CLOSED,
        expected_version=first.version,
        close_reason="not_needed",
    )
    second = trajectory_open(actor=world.users["care_l1"], student=student)
    assert second.pk != first.pk
    assert Trajectory.objects.filter(student=student).count() == 2


def test_tier_history_keeps_every_escalation_with_reason_and_date(world):
    trajectory = in_state(world, TrajectoryState.ACTIVE)
    care = world.users["care_l1"]
    last_week = timezone.localdate() - timedelta(days=7)
    steps = [
        (Tier.BREEDTE, "Zorgen over thuissituatie; SMW erbij", last_week),
        (Tier.DIEPTE, "Verwezen naar GGZ", None),
        (Tier.BREEDTE, "GGZ-behandeling loopt, begeleiding op school blijft", None),
    ]
    for tier, reason, day in steps:
        trajectory = trajectory_change_tier(
            actor=care,
            trajectory_id=trajectory.pk,
            tier=tier,
            reason=reason,
            expected_version=trajectory.version,
            effective_on=day,
        )
    events = list(trajectory.events.filter(kind=TrajectoryEventKind.TIER))
    assert [(e.old_value, e.new_value) for e in events] == [
        ("basis", "breedte"),
        ("breedte", "diepte"),
        ("diepte", "breedte"),
    ]
    assert events[0].effective_on == last_week
    assert events[1].reason == "Verwezen naar GGZ"
    assert [is_escalation(e.old_value, e.new_value) for e in events] == [True, True, False]


@pytest.mark.parametrize(
    ("tier", "reason", "message"),
    [
        (Tier.BASIS, "al basis", "heeft deze zwaarte al"),
        (Tier.BREEDTE, "  ", "Geef een reden"),
        ("zwaar", "reden", "Onbekende zwaarte"),
    ],
)
def test_tier_change_refused_with_a_clear_message(world, tier, reason, message):
    trajectory = in_state(world, TrajectoryState.ACTIVE)
    with pytest.raises(ValidationError, match=message):
        trajectory_change_tier(
            actor=world.users["care_l1"],
            trajectory_id=trajectory.pk,
            tier=tier,
            reason=reason,
            expected_version=trajectory.version,
        )
    trajectory.refresh_from_db()
    assert trajectory.tier == Tier.BASIS


def test_a_stale_version_is_refused_and_changes_nothing(world):
    trajectory = in_state(world, TrajectoryState.ACTIVE)
    stale = trajectory.version
    trajectory_change_tier(
        actor=world.users["care_l1"],
        trajectory_id=trajectory.pk,
        tier=Tier.BREEDTE,
        reason="eerste",
        expected_version=stale,
    )
    with pytest.raises(ConcurrentEditError, match="Iemand anders heeft dit traject"):
        trajectory_change_tier(
            actor=world.users["coach"],
            trajectory_id=trajectory.pk,
            tier=Tier.DIEPTE,
            reason="tweede",
            expected_version=stale,
        )
    trajectory.refresh_from_db()
    assert trajectory.tier == Tier.BREEDTE


@pytest.mark.parametrize(
    "who", ["worker_p1", "rmc", "coach2", "municipal", "student", "advisor_l2"]
)
def test_only_people_who_support_the_student_may_change_the_trajectory(world, who):
    # coach2 is in Anna's support team: allowed. The rest are not.
    student = world.students["t1"]
    if who == "coach2":
        assert trajectory_open(actor=world.users[who], student=student).state == "signalled"
        return
    with pytest.raises(PermissionDenied):
        trajectory_open(actor=world.users[who], student=student)
    assert not Trajectory.objects.exists()


def test_every_change_is_in_the_access_log(world):
    trajectory = trajectory_open(actor=world.users["coach"], student=world.students["t1"])
    entry = AccessLogEntry.objects.get(action="change")
    assert (entry.student_id, entry.part, entry.role) == (trajectory.student_id, "support", "coach")


def test_the_database_refuses_an_active_trajectory_without_coordinator(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrajectoryFactory(student=world.students["t1"], state=TrajectoryState.ACTIVE)


def test_the_database_refuses_two_open_trajectories(world):
    TrajectoryFactory(student=world.students["t1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        TrajectoryFactory(student=world.students["t1"])
