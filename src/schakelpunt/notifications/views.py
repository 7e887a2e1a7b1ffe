from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Part
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import Activity

from .selectors import links_for, notifications_for
from .services import notification_mark_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(notifications_for(user=user), 30).get_page(request.GET.get("pagina"))
    # A message can carry what happened around a student (an action's text): the page is a
    # list read of the students its messages are about, as support (what the messages tell).
    access_log_list(
        actor=user,
        activity=Activity.SUPPORT,
        students=[n.student_id for n in page if n.student_id is not None],
        parts=[Part.SUPPORT],
        path=request.get_full_path(),
    )
    links = links_for(user=user, notifications=page)
    entries = [(n, links[n.pk]) for n in page]
    return render(request, "notifications/inbox.html", {"page": page, "entries": entries})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    raw = request.POST.get("id", "")
    notification_mark_read(user=user, notification_id=int(raw) if raw.isdigit() else None)
    return redirect("notifications:inbox")
