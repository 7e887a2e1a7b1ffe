"""Trajectory screens. Each POST: access check, one service call, back to the file."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import student_get_for_user
from schakelpunt.accounts.models import User
from schakelpunt.core.changes import form_errors_as_messages
from schakelpunt.students.models import Student

from . import plans, services
from .forms import (
    CoordinatorForm,
    PlanActionAddForm,
    TeamMemberForm,
    TierForm,
    TrajectoryMoveForm,
    TrajectoryOpenForm,
)
from .models import Trajectory
from .selectors import coordinator_candidates, team_candidates


def _student_for_change(request: HttpRequest, student_id: int) -> tuple[User, Student]:
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.SUPPORT
    )
    return user, student


def _trajectory(student: Student, trajectory_id: int) -> Trajectory:
    trajectory = Trajectory.objects.filter(pk=trajectory_id, student=student).first()
    if trajectory is None:
        raise Http404
    return trajectory


def _run(
    request: HttpRequest, student: Student, change: Callable[[], Any], done: str
) -> HttpResponse:
    try:
        change()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(f"/studenten/{student.pk}/#traject")


def _form_errors(request: HttpRequest, form: Any, student: Student) -> HttpResponse:
    form_errors_as_messages(request, form)
    return redirect(f"/studenten/{student.pk}/#traject")


@login_required
@require_POST
def trajectory_open(request: HttpRequest, student_id: int) -> HttpResponse:
    user, student = _student_for_change(request, student_id)
    form = TrajectoryOpenForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, student)
    return _run(
        request,
        student,
        lambda: services.trajectory_open(
            actor=user,
            student=student,
            life_domains=form.cleaned_data["life_domains"],
            reason=form.cleaned_data["reason"],
        ),
        _("Het traject is geopend."),
    )


@login_required
@require_POST
def trajectory_move(request: HttpRequest, student_id: int, trajectory_id: int) -> HttpResponse:
    user, student = _student_for_change(request, student_id)
    trajectory = _trajectory(student, trajectory_id)
    form = TrajectoryMoveForm(request.POST, trajectory=trajectory)
    if not form.is_valid():
        return _form_errors(request, form, student)
    data = form.cleaned_data
    return _run(
        request,
        student,
        lambda: services.trajectory_move(
            actor=user,
            trajectory_id=trajectory.pk,
            to_state=data["to_state"],
            expected_version=data["version"],
            reason=data["reason"],
            close_reason=data["close_reason"],
        ),
        _("De fase is gewijzigd."),
    )


@login_required
@require_POST
def trajectory_tier(request: HttpRequest, student_id: int, trajectory_id: int) -> HttpResponse:
    user, student = _student_for_change(request, student_id)
    trajectory = _trajectory(student, trajectory_id)
    form = TierForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, student)
    data = form.cleaned_data
    return _run(
        request,
        student,
        lambda: services.trajectory_change_tier(
            actor=user,
            trajectory_id=trajectory.pk,
            tier=data["tier"],
            reason=data["reason"],
            effective_on=data["effective_on"],
            expected_version=data["version"],
        ),
        _("De zwaarte is gewijzigd."),
    )


@login_required
@require_POST
def trajectory_coordinator(
    request: HttpRequest, student_id: int, trajectory_id: int
) -> HttpResponse:
    user, student = _student_for_change(request, student_id)
    trajectory = _trajectory(student, trajectory_id)
    form = CoordinatorForm(request.POST)
    candidates = {c.pk: c for c in coordinator_candidates(student)}
    form.fields["coordinator"].choices = [(pk, str(c)) for pk, c in candidates.items()]  # type: ignore[attr-defined]
    if not form.is_valid():
        return _form_errors(request, form, student)
    data = form.cleaned_data
    return _run(
        request,
        student,
        lambda: services.trajectory_set_coordinator(
            actor=user,
            trajectory_id=trajectory.pk,
            coordinator=candidates[data["coordinator"]],
            expected_version=data["version"],
            reason=data["reason"],
        ),
        _("De regisseur is gewijzigd."),
    )


@login_required
@require_POST
def team_add(request: HttpRequest, student_id: int) -> HttpResponse:
    user, student = _student_for_change(request, student_id)
    form = TeamMemberForm(request.POST)
    candidates = {c.pk: c for c in team_candidates(student)}
    form.fields["member"].choices = [(pk, str(c)) for pk, c in candidates.items()]  # type: ignore[attr-defined]
    if not form.is_valid():
        return _form_errors(request, form, student)
    return _run(
        request,
        student,
        lambda: services.support_team_add(
            actor=user,
            student=student,
            member=candidates[form.cleaned_data["member"]],
            role_description=form.cleaned_data["role_description"],
        ),
        _("Het teamlid is toegevoegd."),
    )


@login_required
@require_POST
def team_remove(request: HttpRequest, student_id: int, member_id: int) -> HttpResponse:
    user, student = _student_for_change(request, student_id)
    if not student.support_team.filter(pk=member_id).exists():
        raise Http404
    return _run(
        request,
        student,
        lambda: services.support_team_remove(actor=user, member_id=member_id),
        _("Het teamlid is uit het team."),
    )


@login_required
@require_POST
def plan_action_add(request: HttpRequest, student_id: int) -> HttpResponse:
    """One action added to the plan from the file; the owner is one of the student's staff."""
    user, student = _student_for_change(request, student_id)
    staff = coordinator_candidates(student)
    form = PlanActionAddForm(request.POST)
    form.fields["owner"].choices = [("", "—"), *[(c.pk, str(c)) for c in staff]]  # type: ignore[attr-defined]
    if not form.is_valid():
        return _form_errors(request, form, student)
    data = form.cleaned_data
    owner = next((c for c in staff if c.pk == data["owner"]), None)
    return _run(
        request,
        student,
        lambda: plans.plan_action_add(
            actor=user,
            student_id=student.pk,
            description=data["description"],
            due_on=data["due_on"],
            owner=owner,
            owner_name=data["owner_name"],
        ),
        _("De actie staat in het plan."),
    )
