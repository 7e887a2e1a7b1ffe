"""The owner's work list: the plan actions someone promised to do."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Part
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import User
from schakelpunt.core.changes import run_change
from schakelpunt.privacy.register import Activity
from schakelpunt.students.filters import query_without_page

from .plans import plan_action_mark_done
from .selectors import open_actions_of_owner, own_actions

# Actions per page: a page renders (and logs) only the students it shows.
PAGE_SIZE = 50


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # The earliest due first (overdue on top); the count comes from the database.
    page = Paginator(open_actions_of_owner(user), PAGE_SIZE).get_page(request.GET.get("pagina"))
    actions = own_actions(user, page.object_list, timezone.localdate())
    access_log_list(
        actor=user,
        activity=Activity.SUPPORT,
        students=[a.student.pk for a in actions],
        parts=[Part.SUPPORT],  # the plan's actions
        path=request.get_full_path(),
    )
    return render(
        request,
        "support/my_actions.html",
        {"actions": actions, "page": page, "query": query_without_page(request.GET)},
    )


@login_required
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run_change(
        request,
        lambda: plan_action_mark_done(actor=user, action_id=action_id),
        _("Gedaan: de actie is afgevinkt in het plan."),
    )
    back = request.POST.get("next", "")  # the page of the list the action was ticked on
    local = back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)
    return redirect(back if local else "core:my_actions")
