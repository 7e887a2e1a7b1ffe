"""The triage queue and raising a concern. Each POST: check, one service call, back."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.decorators import worklist_view
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    institutions_for_signal_quality,
    student_get_for_user,
    students_for_user,
)
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import Activity
from schakelpunt.students.filters import query_without_page
from schakelpunt.students.models import Student
from schakelpunt.support.models import LifeDomain
from schakelpunt.support.selectors import students_with_open_trajectory
from schakelpunt.support.student_services import care_team_of

from . import triage
from .early_warning import visible_factors
from .forms import (
    CloseConcernForm,
    ConcernForm,
    ContactStudentForm,
    HoldBackForm,
    TriageFilterForm,
)
from .models import Concern, ConcernSource
from .selectors import filter_triage


@worklist_view
def queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    queue = triage.triage_queue(user)
    filter_form = TriageFilterForm(
        request.GET, students=Student.objects.filter(pk__in=queue.values("student_id"))
    )
    shown_queue = filter_triage(queue, filter_form.triage_filter(), today=timezone.localdate())
    page = Paginator(shown_queue, 25).get_page(request.GET.get("pagina"))
    concerns = list(page.object_list)
    # The care team depends only on the student's institution and location: one look-up each.
    teams: dict[tuple[int, int], list[User]] = {}
    for concern in concerns:
        key = (concern.student.institution_id, concern.student.location_id)
        if key not in teams:
            ids = care_team_of(concern.student)
            teams[key] = list(User.objects.filter(pk__in=ids).order_by("first_name"))
    supported = set(
        students_for_user(user, part=Part.SUPPORT, action=Action.CHANGE)
        .filter(pk__in={c.student_id for c in concerns})
        .values_list("pk", flat=True)
    )
    running = students_with_open_trajectory(supported)
    rows = [
        {
            "concern": c,
            "message": triage.contact_message(c, user),
            "domains": [label for code, label in LifeDomain.choices if code in c.life_domains],
            "team": teams[(c.student.institution_id, c.student.location_id)],
            "may_start": c.student_id in supported,
            "has_trajectory": c.student_id in running,
            "factors": visible_factors(c.factors, sees_support=c.student_id in supported),
        }
        for c in concerns
    ]
    held_back = list(triage.held_back_to_review(user)[:50])
    # Concern texts are support; an attendance signal is all the absence officer sees.
    shown = {c.student_id: [Part.SUPPORT] for c in held_back}
    for c in concerns:
        shown[c.student_id] = [Part.SUPPORT if c.student_id in supported else Part.ABSENCE]
    # Early warnings show the profile's factors: that is the early-warning processing.
    early = {c.student_id for c in concerns if c.source == ConcernSource.EARLY_WARNING}
    for activity, ids in (
        (Activity.EARLY_WARNING, early),
        (Activity.SUPPORT, set(shown) - early),
    ):
        access_log_list(
            actor=user,
            activity=activity,
            students=[],
            parts=[],
            path=request.get_full_path(),
            more_parts={pk: shown[pk] for pk in ids},
        )
    return render(
        request,
        "signals/triage.html",
        {
            "rows": rows,
            "page": page,
            "filter_form": filter_form,
            "query": query_without_page(request.GET),
            "queue_size": queue.count() if filter_form.active else page.paginator.count,
            "close_form": CloseConcernForm(),
            "may_look_back": bool(institutions_for_signal_quality(user)),
            "held_back": held_back,
        },
    )


def _act(request: HttpRequest, change: Callable[[], Any], done: str) -> HttpResponse:
    try:
        change()
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("triage:queue")


def _concern(user: User, concern_id: int) -> Concern:
    concern = triage.triage_queue(user).filter(pk=concern_id).first()
    if concern is None:
        raise Http404
    return concern


@login_required
@require_POST
def contact(request: HttpRequest, concern_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    concern = _concern(user, concern_id)
    form = ContactStudentForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    return _act(
        request,
        lambda: triage.concern_contact_student(actor=user, concern_id=concern.pk, message=message),
        _("Het bericht is verstuurd."),
    )


@login_required
@require_POST
def start_trajectory(request: HttpRequest, concern_id: int) -> HttpResponse:
    """Start a trajectory from the concern; the concern closes, linked to it."""
    user: User = request.user  # type: ignore[assignment]
    concern = _concern(user, concern_id)
    try:
        triage.concern_start_trajectory(actor=user, concern_id=concern.pk)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("triage:queue")
    messages.success(
        request, _("Het traject loopt; de zorgmelding is afgesloten en aan het traject gekoppeld.")
    )
    return redirect(f"/studenten/{concern.student_id}/#traject")


@login_required
@require_POST
def hand_over(request: HttpRequest, concern_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    concern = _concern(user, concern_id)
    to = User.objects.filter(pk=request.POST.get("to") or 0).first()
    if to is None:
        messages.error(request, _("Kies aan wie u de zorgmelding overdraagt."))
        return redirect("triage:queue")
    return _act(
        request,
        lambda: triage.concern_hand_over(actor=user, concern_id=concern.pk, to=to),
        _("Overgedragen."),
    )


@login_required
@require_POST
def close(request: HttpRequest, concern_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    concern = _concern(user, concern_id)
    form = CloseConcernForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        lambda: triage.concern_close(actor=user, concern_id=concern.pk, reason=reason),
        _("De zorgmelding is afgesloten."),
    )


@login_required
@require_POST
def hold_back(request: HttpRequest, concern_id: int) -> HttpResponse:
    """Hold a concern back from the student, with a reason (the reporter or the care team)."""
    user: User = request.user  # type: ignore[assignment]
    concern = Concern.objects.filter(pk=concern_id).first()
    if concern is None:
        raise Http404
    form = HoldBackForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        lambda: triage.concern_hold_back(actor=user, concern_id=concern.pk, reason=reason),
        _("De student ziet deze zorgmelding niet; de zorgcoördinator beoordeelt dat."),
    )


@login_required
@require_POST
def review_hold_back(request: HttpRequest, concern_id: int) -> HttpResponse:
    """A care coordinator keeps a hold-back, or shows the concern to the student after all."""
    user: User = request.user  # type: ignore[assignment]
    concern = Concern.objects.filter(pk=concern_id).first()
    if concern is None:
        raise Http404
    keep = request.POST.get("keep") == "ja"
    return _act(
        request,
        lambda: triage.concern_review_hold_back(actor=user, concern_id=concern.pk, keep=keep),
        _("Beoordeeld: de student ziet de melding niet.")
        if keep
        else _("De student ziet de zorgmelding nu in de eigen tijdlijn."),
    )


@login_required
@require_POST
def raise_concern(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(user=user, student_id=student_id, part=Part.IDENTITY)
    form = ConcernForm(request.POST)
    if form.is_valid():
        try:
            triage.concern_raise(actor=user, student=student, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Uw zorg is gemeld bij het zorgteam van de student."))
    else:
        messages.error(request, _("Beschrijf de zorg."))
    return redirect(f"/studenten/{student.pk}/#zorg")
