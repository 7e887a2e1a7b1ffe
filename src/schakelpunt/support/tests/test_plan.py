"""The plan: versions stay readable, nothing is overwritten silently."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from schakelpunt.support.models import PlanVersion, SupportPlan, TrajectoryState
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import ConcurrentEditError

from .factories import TrajectoryFactory


def active(world):  # type: ignore[no-untyped-def]
    return TrajectoryFactory(
        student=world.students["t1"],
        state=TrajectoryState.ACTIVE,
        coordinator=world.users["care_l1"],
    )


def save(world, trajectory, version, *, who="care_l1", **changes):  # type: ignore[no-untyped-def]
    soon = timezone.localdate() + timedelta(days=14)
    data = {
        "goals": [GoalInput("education", "Ik wil mijn stage afmaken.")],
        "actions": [
            ActionInput("Gesprek met stagebegeleider plannen", soon, owner=world.users["coach"]),
            ActionInput("Rooster bijhouden", soon, owner_name="de student"),
        ],
        "wishes": "Liever gesprekken op dinsdag.",
        "review_on": soon,
    } | changes
    return plan_save(
        actor=world.users[who], trajectory_id=trajectory.pk, expected_version=version, **data
    )


def test_each_save_is_a_new_version_and_earlier_versions_stay_readable(world):
    trajectory = active(world)
    first = save(world, trajectory, 0)
    assert first.version == 1
    second = save(
        world,
        trajectory,
        1,
        goals=[
            GoalInput("education", "Ik wil mijn stage afmaken."),
            GoalInput("finances", "Ik wil mijn schulden op een rij."),
        ],
    )
    assert second.version == 2
    versions = {v.number: v.content for v in PlanVersion.objects.filter(plan=second)}
    assert len(versions[1]["goals"]) == 1
    assert [g["text"] for g in versions[2]["goals"]] == [
        "Ik wil mijn stage afmaken.",
        "Ik wil mijn schulden op een rij.",
    ]
    assert versions[1]["actions"][1]["owner"] == "de student"


def test_an_action_keeps_its_identity_and_done_date(world):
    trajectory = active(world)
    plan = save(world, trajectory, 0)
    action = plan.actions.get(description="Rooster bijhouden")
    soon = timezone.localdate() + timedelta(days=14)
    plan = save(
        world,
        trajectory,
        1,
        actions=[
            ActionInput("Rooster bijhouden", soon, owner_name="de student", done=True, id=action.pk)
        ],
    )
    kept = plan.actions.get()
    assert kept.pk == action.pk
    assert kept.done_on == timezone.localdate()


def test_a_save_on_an_older_version_is_refused_and_changes_nothing(world):
    trajectory = active(world)
    save(world, trajectory, 0)
    save(world, trajectory, 1, wishes="Eerste bewerker")
    with pytest.raises(ConcurrentEditError, match="Iemand anders heeft het plan"):
        save(world, trajectory, 1, who="coach", wishes="Tweede bewerker")
    plan = SupportPlan.objects.get(trajectory=trajectory)
    assert (plan.version, plan.wishes) == (2, "Eerste bewerker")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"goals": [GoalInput("", "tekst")]}, "Doel 1: kies een leefgebied."),
        ({"goals": [GoalInput("home", "  ")]}, "Doel 1: beschrijf het doel."),
        ({"actions": [ActionInput("Bellen", timezone.localdate())]}, "Actie 1: wie doet het?"),
    ],
)
def test_incomplete_plan_is_refused_with_a_dutch_message(world, changes, message):
    trajectory = active(world)
    with pytest.raises(ValidationError, match=message):
        save(world, trajectory, 0, **changes)
    assert not SupportPlan.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL connections")
def test_two_people_saving_at_once_on_postgresql(refdata):
    """Two connections read version 1 and save together: one wins, the other is refused."""
    from tests.world import build_world

    world = build_world()
    trajectory = active(world)
    save(world, trajectory, 0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def editor(who: str) -> None:
        try:
            barrier.wait(timeout=10)
            save(world, trajectory, 1, who=who, wishes=f"door {who}")
            outcomes.append("saved")
        except ConcurrentEditError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=editor, args=(w,)) for w in ("care_l1", "coach")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    plan = SupportPlan.objects.get(trajectory=trajectory)
    assert plan.version == 2
    assert plan.wishes in {"door care_l1", "door coach"}
    assert PlanVersion.objects.filter(plan=plan).count() == 2
