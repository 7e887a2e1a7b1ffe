"""The owner's work list: the plan actions someone promised to do."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Part
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import User
from schakelpunt.core.changes import run_change

from .plans import plan_action_mark_done
from .selectors import actions_for_owner


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    actions = actions_for_owner(user, timezone.localdate())
    access_log_list(
        actor=user,
        students=[a.student.pk for a in actions],
        parts=[Part.SUPPORT],  # the plan's actions
        path=request.get_full_path(),
    )
    return render(request, "support/my_actions.html", {"actions": actions})


@login_required
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run_change(
        request,
        lambda: plan_action_mark_done(actor=user, action_id=action_id),
        _("Gedaan: de actie is afgevinkt in het plan."),
    )
    return redirect("core:my_actions")
