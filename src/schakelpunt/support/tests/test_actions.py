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


def test_my_actions_show_and_log_one_page_earliest_due_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schakelpunt.access.models import AccessLogEntry
    from schakelpunt.students.tests.factories import StudentFactory
    from schakelpunt.support import action_views

    monkeypatch.setattr(action_views, "PAGE_SIZE", 2, raising=False)
    world.students["t1b"] = StudentFactory(programme=world.students["t1"].programme)
    care = world.users["care_l1"]
    actions = {}
    for key, days in (("t1", 5), ("t1b", -3), ("t2", -1)):
        trajectory_open(actor=care, student=world.students[key])
        actions[key] = plan_action_add(
            actor=care,
            student_id=world.students[key].pk,
            description=f"Bellen over {key}",
            due_on=timezone.localdate() + timedelta(days=days),
            owner=world.users["coach"],
        )
    order = [world.students[k].pk for k in ("t1b", "t2", "t1")]
    coach = client_for(world.users["coach"])

    def page(number: int) -> tuple[list[int], set[int]]:
        before = AccessLogEntry.objects.count()
        response = coach.get(reverse("core:my_actions"), {"pagina": number})
        html = response.content.decode()
        assert "3 open acties" in html
        assert f'name="next" value="/acties/?pagina={number}"' in html
        logged = AccessLogEntry.objects.order_by("pk")[before:].values_list("student_id", flat=True)
        return [item.student.pk for item in response.context["actions"]], set(logged)

    assert page(1) == (order[:2], set(order[:2]))
    assert page(2) == (order[2:], set(order[2:]))

    # Ticking one off on page 2 comes back to page 2.
    response = coach.post(
        reverse("core:action_done", args=[actions["t1"].pk]),
        {"next": f"{reverse('core:my_actions')}?pagina=2"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?pagina=2")
    assert PlanAction.objects.get(pk=actions["t1"].pk).done_on is not None
    # A `next` that a browser reads as another site is not followed.
    response = coach.post(
        reverse("core:action_done", args=[actions["t2"].pk]), {"next": "/\\evil.example/"}
    )
    assert response["Location"] == reverse("core:my_actions")
