"""Writes of the support plan: every save is a new, readable version; no silent overwrite."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.accounts.models import User

from .models import (
    LifeDomain,
    PlanAction,
    PlanGoal,
    PlanVersion,
    SupportPlan,
    Trajectory,
    TrajectoryEventKind,
    TrajectoryState,
)
from .services import ConcurrentEditError, _record, _require_support_change


@dataclass(frozen=True)
class GoalInput:
    life_domain: str
    text: str


@dataclass(frozen=True)
class ActionInput:
    description: str
    due_on: date
    owner: User | None = None
    owner_name: str = ""
    done: bool = False
    # The action's id when it already exists, so that it keeps its history and links.
    id: int | None = None


def plan_snapshot(plan: SupportPlan) -> dict[str, Any]:
    """The plan as a plain document, as stored in each version."""
    return {
        "wishes": plan.wishes,
        "agreements": plan.agreements,
        "review_on": plan.review_on.isoformat() if plan.review_on else None,
        "goals": [
            {"life_domain": g.life_domain, "text": g.text} for g in plan.goals.order_by("position")
        ],
        "actions": [
            {
                "id": a.pk,
                "description": a.description,
                "owner": a.owner_display,
                "due_on": a.due_on.isoformat(),
                "done_on": a.done_on.isoformat() if a.done_on else None,
            }
            for a in plan.actions.select_related("owner").order_by("position")
        ],
    }


def _parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def version_content(content: dict[str, Any]) -> dict[str, Any]:
    """A stored version for reading: its days as dates again (stored as ISO text), so a page
    shows them the Dutch way."""
    return {
        **content,
        "review_on": _parse_day(content.get("review_on")),
        "actions": [
            {**a, "due_on": _parse_day(a.get("due_on")), "done_on": _parse_day(a.get("done_on"))}
            for a in content.get("actions", [])
        ],
    }


def _validate(goals: list[GoalInput], actions: list[ActionInput]) -> None:
    errors = []
    for number, goal in enumerate(goals, start=1):
        if goal.life_domain not in LifeDomain.values:
            errors.append(_("Doel %(n)s: kies een leefgebied.") % {"n": number})
        if not goal.text.strip():
            errors.append(_("Doel %(n)s: beschrijf het doel.") % {"n": number})
    for number, action in enumerate(actions, start=1):
        if not action.description.strip():
            errors.append(_("Actie %(n)s: beschrijf de actie.") % {"n": number})
        if action.owner is None and not action.owner_name.strip():
            errors.append(_("Actie %(n)s: wie doet het?") % {"n": number})
    if errors:
        raise ValidationError(errors)


def plan_save(
    *,
    actor: User,
    trajectory_id: int,
    expected_version: int,
    goals: list[GoalInput],
    actions: list[ActionInput],
    wishes: str = "",
    agreements: str = "",
    review_on: date | None = None,
) -> SupportPlan:
    """Save the whole plan as its next version. A save based on an older version is refused."""
    _validate(goals, actions)
    today = timezone.localdate()
    with transaction.atomic():
        trajectory = (
            Trajectory.objects.select_for_update().select_related("student").get(pk=trajectory_id)
        )
        roles = _require_support_change(actor, trajectory.student)
        if trajectory.state == TrajectoryState.CLOSED:
            raise ValidationError(_("Het traject is afgesloten; het plan kan niet meer wijzigen."))
        plan, _created = SupportPlan.objects.select_for_update().get_or_create(
            trajectory=trajectory
        )
        if plan.version != expected_version:
            raise ConcurrentEditError(
                _(
                    "Iemand anders heeft het plan intussen opgeslagen (versie %(n)s). Uw "
                    "wijzigingen zijn niet opgeslagen."
                )
                % {"n": plan.version},
                code="concurrent_edit",
            )
        plan.wishes = wishes.strip()
        plan.agreements = agreements.strip()
        plan.review_on = review_on
        plan.version += 1
        plan.updated_at = timezone.now()
        plan.updated_by = actor
        plan.save()

        plan.goals.all().delete()
        PlanGoal.objects.bulk_create(
            PlanGoal(plan=plan, life_domain=g.life_domain, text=g.text.strip(), position=i)
            for i, g in enumerate(goals)
        )
        existing = {a.pk: a for a in plan.actions.all()}
        kept = set()
        for position, item in enumerate(actions):
            action = existing.get(item.id) if item.id else None
            if action is None:
                action = PlanAction(plan=plan)
            action.description = item.description.strip()
            action.owner = item.owner
            action.owner_name = "" if item.owner else item.owner_name.strip()
            action.due_on = item.due_on
            if item.done and action.done_on is None:
                action.done_on = today
            elif not item.done:
                action.done_on = None
            action.position = position
            action.save()
            kept.add(action.pk)
        plan.actions.exclude(pk__in=kept).delete()

        PlanVersion.objects.create(
            plan=plan, number=plan.version, content=plan_snapshot(plan), saved_by=actor
        )
        _record(
            trajectory,
            actor=actor,
            roles=roles,
            kind=TrajectoryEventKind.PLAN,
            new=f"v{plan.version}",
        )
    return plan


def _new_version(plan: SupportPlan, *, actor: User, roles: str, reason: str = "") -> None:
    """After a change to one action: the plan's next version, readable like any other."""
    plan.version += 1
    plan.updated_at = timezone.now()
    plan.updated_by = actor
    plan.save(update_fields=["version", "updated_at", "updated_by"])
    PlanVersion.objects.create(
        plan=plan, number=plan.version, content=plan_snapshot(plan), saved_by=actor
    )
    _record(
        plan.trajectory,
        actor=actor,
        roles=roles,
        kind=TrajectoryEventKind.PLAN,
        new=f"v{plan.version}",
        reason=reason,
    )


def plan_action_add(
    *,
    actor: User,
    student_id: int,
    description: str,
    due_on: date,
    owner: User | None = None,
    owner_name: str = "",
    reason: str = "",
) -> PlanAction:
    """Add one action to the student's plan (e.g. from a case meeting) as a new version."""
    _validate([], [ActionInput(description, due_on, owner=owner, owner_name=owner_name)])
    with transaction.atomic():
        trajectory = (
            Trajectory.objects.select_for_update()
            .select_related("student")
            .filter(student_id=student_id)
            .exclude(state=TrajectoryState.CLOSED)
            .first()
        )
        if trajectory is None:
            raise ValidationError(
                _("Deze student heeft geen lopend traject; open eerst een traject.")
            )
        roles = _require_support_change(actor, trajectory.student)
        plan, _created = SupportPlan.objects.select_for_update().get_or_create(
            trajectory=trajectory
        )
        last = plan.actions.order_by("-position").first()
        action = PlanAction.objects.create(
            plan=plan,
            description=description.strip(),
            owner=owner,
            owner_name="" if owner else owner_name.strip(),
            due_on=due_on,
            position=(last.position + 1) if last else 0,
        )
        _new_version(plan, actor=actor, roles=roles, reason=reason)
    return action


def plan_action_mark_done(*, actor: User, action_id: int, done: bool = True) -> PlanAction:
    """The owner (or whoever may change the plan) ticks an action off, as a new version."""
    from schakelpunt.access.parts import Action, Part
    from schakelpunt.access.policy import student_access

    today = timezone.localdate()
    with transaction.atomic():
        action = (
            PlanAction.objects.select_for_update(of=("self",))
            .select_related("plan__trajectory__student")
            .filter(pk=action_id)
            .first()
        )
        if action is None:
            raise ValidationError(_("Deze actie bestaat niet (meer)."))
        plan = SupportPlan.objects.select_for_update().get(pk=action.plan_id)
        student = plan.trajectory.student
        access = student_access(actor, student)
        if action.owner_id != actor.pk and not access.allows(Action.CHANGE, Part.SUPPORT):
            raise PermissionDenied
        if plan.trajectory.state == TrajectoryState.CLOSED:
            raise ValidationError(_("Het traject is afgesloten; het plan kan niet meer wijzigen."))
        action.done_on = today if done else None
        action.save(update_fields=["done_on"])
        _new_version(plan, actor=actor, roles=access.roles or "action_owner")
    return action
