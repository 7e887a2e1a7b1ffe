from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from schakelpunt.accounts.models import User

from .selectors import notifications_for
from .services import notification_mark_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(notifications_for(user=user), 30).get_page(request.GET.get("pagina"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    raw = request.POST.get("id", "")
    notification_mark_read(user=user, notification_id=int(raw) if raw.isdigit() else None)
    return redirect("notifications:inbox")
