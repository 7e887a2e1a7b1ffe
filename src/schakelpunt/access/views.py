from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from schakelpunt.accounts.models import User

from .forms import AccessLogSearchForm
from .models import AccessLogEntry
from .parts import Part
from .policy import emergency_shares_visible_to, privacy_officer_institutions
from .selectors import access_log_search
from .services import access_log_list


@login_required
def log_search(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not privacy_officer_institutions(user):
        raise Http404
    form = AccessLogSearchForm(request.GET or None)
    entries: QuerySet[AccessLogEntry] = AccessLogEntry.objects.none()
    if form.is_valid():
        entries = access_log_search(user=user, **form.cleaned_data)
    elif not form.is_bound:
        entries = access_log_search(user=user)
    page = Paginator(entries, 50).get_page(request.GET.get("pagina"))
    return render(request, "access/log_search.html", {"form": form, "page": page})


@login_required
def emergency_shares(request: HttpRequest) -> HttpResponse:
    """Every share without consent at the officer's school: who, with whom, why."""
    user: User = request.user  # type: ignore[assignment]
    if not privacy_officer_institutions(user):
        raise Http404
    shares = (
        emergency_shares_visible_to(user)
        .select_related("student", "organisation", "recorded_by")
        .order_by("-recorded_at")
    )
    # The reasons say why a student's data went out: a list read of those students.
    access_log_list(
        actor=user,
        students=[share.student_id for share in shares],
        parts=[Part.REFERRALS],
        path=request.get_full_path(),
    )
    return render(request, "access/emergency_shares.html", {"shares": shares})
