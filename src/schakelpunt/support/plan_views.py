"""The plan: read it (any version), edit it, never overwrite someone else's save."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import provider_period_start, student_get_for_user
from schakelpunt.access.services import access_log_record, file_activity
from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import Activity
from schakelpunt.referrals.selectors import advice_for_student

from .forms import ActionFormSet, GoalFormSet, PlanForm
from .models import LifeDomain, PlanVersion, SupportPlan
from .pdf import render_plan_pdf
from .plans import ActionInput, GoalInput, plan_save, version_content
from .selectors import coordinator_candidates, my_team, open_trajectory_for
from .services import ConcurrentEditError


def _initial(
    plan: SupportPlan | None,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    if plan is None:
        return {"version": 0}, [], []
    head = {
        "version": plan.version,
        "wishes": plan.wishes,
        "agreements": plan.agreements,
        "review_on": plan.review_on,
    }
    goals = [{"life_domain": g.life_domain, "text": g.text} for g in plan.goals.all()]
    actions = [
        {
            "id": a.pk,
            "description": a.description,
            "owner": a.owner_id,
            "owner_name": a.owner_name,
            "due_on": a.due_on,
            "done": a.done_on is not None,
        }
        for a in plan.actions.all()
    ]
    return head, goals, actions


@login_required
def plan_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, access = student_get_for_user(user=user, student_id=student_id, part=Part.SUPPORT)
    trajectory = open_trajectory_for(student)
    plan = SupportPlan.objects.filter(trajectory=trajectory).first() if trajectory else None
    if plan is None:
        raise Http404
    versions = list(plan.versions.select_related("saved_by").order_by("-number"))
    # A provider reads the plan as it is, and earlier versions from its referral's period.
    since = provider_period_start(user, student, access)
    if since is not None:
        versions = [
            v
            for v in versions
            if v.number == plan.version or timezone.localdate(v.saved_at) >= since
        ]
    shown: PlanVersion | None = versions[0] if versions else None
    wanted = request.GET.get("versie", "")
    if wanted.isdigit():
        shown = next((v for v in versions if v.number == int(wanted)), None)
        if shown is None:
            raise Http404
    access_log_record(
        actor=user,
        activity=file_activity(access),
        emergency=access.rests_on_emergency([Part.SUPPORT]),
        students=[student],
        action=Action.VIEW,
        parts=[Part.SUPPORT],
        role=access.roles,
        path=request.get_full_path(),
    )
    return render(
        request,
        "support/plan_detail.html",
        {
            "student": student,
            "plan": plan,
            "versions": versions,
            "shown": shown,
            "content": version_content(shown.content) if shown is not None else None,
            "is_latest": shown is not None and shown.number == plan.version,
            "may_edit": access.allows(Action.CHANGE, Part.SUPPORT),
            "may_download": access.allows(Action.EXPORT, Part.SUPPORT),
            "advice": advice_for_student(student.pk, user),
        },
    )


@login_required
def plan_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.SUPPORT
    )
    trajectory = open_trajectory_for(student)
    if trajectory is None:
        raise Http404
    plan = SupportPlan.objects.filter(trajectory=trajectory).first()
    candidates = coordinator_candidates(student)
    owners = [(None, "—"), *[(c.pk, str(c)) for c in candidates]]
    owner_lookup = {c.pk: c for c in candidates}

    def show(shown: SupportPlan | None) -> tuple[PlanForm, Any, Any]:
        """The edit form filled with the whole plan: a read of the support part like the
        plan page, logged as one."""
        access_log_record(
            actor=user,
            activity=Activity.SUPPORT,
            students=[student],
            action=Action.VIEW,
            parts=[Part.SUPPORT],
            role=access.roles,
            path=request.path,
        )
        head, goals, actions = _initial(shown)
        action_set = ActionFormSet(initial=actions, prefix="actie")
        for f in action_set:
            f.fields["owner"].choices = owners  # type: ignore[attr-defined]
        return PlanForm(initial=head), GoalFormSet(initial=goals, prefix="doel"), action_set

    conflict: SupportPlan | None = None
    conflict_message = ""
    unsaved: dict[str, Any] = {}
    if request.method == "POST":
        form = PlanForm(request.POST)
        goal_set = GoalFormSet(request.POST, prefix="doel")
        action_set = ActionFormSet(request.POST, prefix="actie")
        for f in action_set:
            f.fields["owner"].choices = owners  # type: ignore[attr-defined]
        if form.is_valid() and goal_set.is_valid() and action_set.is_valid():
            goal_inputs = [
                GoalInput(g["life_domain"], g["text"])
                for g in goal_set.cleaned_data
                if g.get("life_domain") or (g.get("text") or "").strip()
            ]
            try:
                action_inputs = [
                    ActionInput(
                        description=a["description"],
                        due_on=a["due_on"],
                        owner=owner_lookup.get(a["owner"]) if a.get("owner") else None,
                        owner_name=a.get("owner_name", ""),
                        done=a.get("done", False),
                        id=a.get("id"),
                    )
                    for a in action_set.cleaned_data
                    if (a.get("description") or "").strip() or a.get("due_on")
                ]
                if any(a.due_on is None for a in action_inputs):
                    raise ValidationError(_("Geef elke actie een datum."))
                plan_save(
                    actor=user,
                    trajectory_id=trajectory.pk,
                    expected_version=form.cleaned_data["version"],
                    goals=goal_inputs,
                    actions=action_inputs,
                    wishes=form.cleaned_data["wishes"],
                    agreements=form.cleaned_data["agreements"],
                    review_on=form.cleaned_data["review_on"],
                )
            except ConcurrentEditError as error:
                # The first save stands: the form now holds the newer plan, and what this
                # person typed is shown beside it to take over; one message says so.
                conflict = SupportPlan.objects.select_related("updated_by").get(
                    trajectory=trajectory
                )
                conflict_message = " ".join(error.messages)
                unsaved = {
                    "goals": [(LifeDomain(g.life_domain).label, g.text) for g in goal_inputs],
                    "actions": [
                        (a.description, str(a.owner) if a.owner else a.owner_name, a.due_on)
                        for a in action_inputs
                    ],
                    "wishes": form.cleaned_data["wishes"],
                    "agreements": form.cleaned_data["agreements"],
                    "review_on": form.cleaned_data["review_on"],
                }
                # The newer plan is shown: a read, as on the edit page.
                form, goal_set, action_set = show(conflict)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Het plan is opgeslagen."))
                return redirect("support:plan", student_id=student.pk)
    else:
        form, goal_set, action_set = show(plan)
    return render(
        request,
        "support/plan_edit.html",
        {
            "student": student,
            "form": form,
            "goal_set": goal_set,
            "action_set": action_set,
            "conflict": conflict,
            "conflict_message": conflict_message,
            "unsaved": unsaved,
        },
    )


@login_required
def plan_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    """The current plan as a PDF; a download is an export and is logged as one."""
    user: User = request.user  # type: ignore[assignment]
    student, access = student_get_for_user(
        user=user, student_id=student_id, action=Action.EXPORT, part=Part.SUPPORT
    )
    trajectory = open_trajectory_for(student)
    plan = SupportPlan.objects.filter(trajectory=trajectory).first() if trajectory else None
    if trajectory is None or plan is None:
        raise Http404
    content = render_plan_pdf(
        student=student,
        trajectory=trajectory,
        plan=plan,
        team=my_team(student),
        advice=[
            (str(a.referral.to_organisation), a.text) for a in advice_for_student(student.pk, user)
        ],
    )
    access_log_record(
        actor=user,
        activity=file_activity(access),
        students=[student],
        action=Action.EXPORT,
        parts=[Part.SUPPORT],
        role=access.roles,
        path=request.path,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="plan-{student.student_number}-v{plan.version}.pdf"'
    )
    return response
