from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import Activity

from .forms import AccessLogSearchForm, RefusalSearchForm
from .models import AccessDecision, AccessLogEntry
from .parts import Part
from .policy import emergency_shares_visible_to, privacy_officer_institutions
from .selectors import access_log_search, log_rows, refusal_rows, refusal_search
from .services import access_log_list

PAGE_SIZE = 50


def _officer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not privacy_officer_institutions(user):
        raise Http404
    return user


def _log_names_shown(request: HttpRequest, user: User, student_ids: list[int]) -> None:
    """The page names these students (name and number): a list read, for oversight."""
    access_log_list(
        actor=user,
        activity=Activity.OVERSIGHT,
        students=student_ids,
        parts=[Part.IDENTITY],
        path=request.get_full_path(),
    )


@login_required
def log_search(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form = AccessLogSearchForm(request.GET or None)
    entries: QuerySet[AccessLogEntry] = AccessLogEntry.objects.none()
    if form.is_valid():
        entries = access_log_search(user=user, **form.cleaned_data)
    elif not form.is_bound:
        entries = access_log_search(user=user)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = log_rows(user, page.object_list)
    _log_names_shown(request, user, [r.student_id for r in rows if r.student is not None])
    return render(
        request,
        "access/log_search.html",
        {"form": form, "page": page, "rows": rows, "tab": "log"},
    )


@login_required
def refusals(request: HttpRequest) -> HttpResponse:
    """Refused attempts on students of the officer's institution: probing shows here."""
    user = _officer(request)
    form = RefusalSearchForm(request.GET or None)
    found: QuerySet[AccessDecision] = AccessDecision.objects.none()
    if form.is_valid():
        found = refusal_search(user=user, **form.cleaned_data)
    elif not form.is_bound:
        found = refusal_search(user=user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = refusal_rows(user, page.object_list)
    _log_names_shown(request, user, [r.student_id for r in rows if r.student is not None])
    return render(
        request,
        "access/refusals.html",
        {"form": form, "page": page, "rows": rows, "tab": "refusals"},
    )


@login_required
def emergency_shares(request: HttpRequest) -> HttpResponse:
    """Every share without consent at the officer's school: who, with whom, why."""
    user = _officer(request)
    shares = (
        emergency_shares_visible_to(user)
        .select_related("student", "organisation", "recorded_by")
        .order_by("-recorded_at")
    )
    # The reasons say why a student's data went out: a list read of those students.
    access_log_list(
        actor=user,
        activity=Activity.OVERSIGHT,
        students=[share.student_id for share in shares],
        parts=[Part.REFERRALS],
        path=request.get_full_path(),
    )
    return render(request, "access/emergency_shares.html", {"shares": shares})
