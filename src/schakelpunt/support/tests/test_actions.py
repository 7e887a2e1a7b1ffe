"""One action added to a plan (from a meeting), the owner's work list, ticking it off."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.support.models import PlanAction, SupportPlan
from schakelpunt.support.plans import plan_action_add, plan_action_mark_done
from schakelpunt.support.services import trajectory_open


def test_an_added_action_is_a_new_plan_version_and_in_the_owners_list(world: World) -> None:
    anna = world.students["t1"]
    care = world.users["care_l1"]
    trajectory_open(actor=care, student=anna)
    due = timezone.localdate() - timedelta(days=1)
    action = plan_action_add(
        actor=care,
        student_id=anna.pk,
        description="Stagebegeleider bellen",
        due_on=due,
        owner=world.users["coach"],
    )
    plan = SupportPlan.objects.get(pk=action.plan_id)
    assert plan.version == 1
    assert (
        plan.versions.get(number=1).content["actions"][0]["description"] == "Stagebegeleider bellen"
    )
    coach = client_for(world.users["coach"])
    html = coach.get(reverse("core:my_actions")).content.decode()
    assert "Stagebegeleider bellen" in html and "te laat" in html and "Anna" in html
    coach.post(reverse("core:action_done", args=[action.pk]))
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert SupportPlan.objects.get(pk=plan.pk).version == 2
    assert "Stagebegeleider bellen" not in coach.get(reverse("core:my_actions")).content.decode()


def test_an_external_owner_sees_the_action_but_not_a_name_without_access(world: World) -> None:
    anna = world.students["t1"]  # no referral to provider 2
    care = world.users["care_l1"]
    trajectory_open(actor=care, student=anna)
    action = plan_action_add(
        actor=care,
        student_id=anna.pk,
        description="Intake plannen",
        due_on=timezone.localdate() + timedelta(days=7),
        owner=world.users["worker_p2"],
    )
    worker = client_for(world.users["worker_p2"])
    html = worker.get(reverse("core:my_actions")).content.decode()
    assert "Intake plannen" in html and "Anna" not in html
    worker.post(reverse("core:action_done", args=[action.pk]))  # the owner may tick it off
    assert PlanAction.objects.get(pk=action.pk).done_on is not None
    with pytest.raises(PermissionDenied):
        plan_action_mark_done(actor=world.users["worker_p1"], action_id=action.pk, done=False)


def test_adding_needs_a_running_trajectory_and_the_right_to_change_support(world: World) -> None:
    anna = world.students["t1"]
    due = timezone.localdate()
    with pytest.raises(ValidationError, match="geen lopend traject"):
        plan_action_add(
            actor=world.users["care_l1"],
            student_id=anna.pk,
            description="x",
            due_on=due,
            owner_name="de student",
        )
    trajectory_open(actor=world.users["care_l1"], student=anna)
    with pytest.raises(PermissionDenied):
        plan_action_add(
            actor=world.users["worker_p1"],
            student_id=anna.pk,
            description="x",
            due_on=due,
            owner_name="de student",
        )
    with pytest.raises(ValidationError, match="wie doet het"):
        plan_action_add(
            actor=world.users["care_l1"], student_id=anna.pk, description="x", due_on=due
        )
