"""Leaving and aftercare screens: record a departure, the aftercare list, a return."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.decorators import worklist_view
from schakelpunt.access.parts import Part
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import User
from schakelpunt.core.changes import run_change
from schakelpunt.privacy.register import Activity
from schakelpunt.signals.models import FollowUpStatus
from schakelpunt.students.filters import query_without_page

from . import services
from .forms import ContactOutcomeForm, DepartureForm, ReturnForm
from .models import AftercareContact
from .selectors import aftercare_due, non_arrivals_for

# Aftercare contacts per page: a page renders (and logs) only the students it shows.
PAGE_SIZE = 25


@worklist_view
def worklist(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    # Most overdue first (the selector's order); the count comes from the database.
    page = Paginator(aftercare_due(user, today), PAGE_SIZE).get_page(request.GET.get("pagina"))
    contacts = list(page.object_list)
    access_log_list(
        actor=user,
        activity=Activity.TRANSITION,
        students=[c.departure.student_id for c in contacts],
        parts=[Part.ENROLMENT, Part.SUPPORT],  # when and where they went; the aftercare
        path=request.get_full_path(),
    )
    return render(
        request,
        "transitions/aftercare.html",
        {
            "contacts": contacts,
            "page": page,
            "query": query_without_page(request.GET),
            "today": today,
            "form": ContactOutcomeForm(),
        },
    )


@login_required
@require_POST
def departure(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = DepartureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul de datum, de reden en de bestemming in."))
    else:
        data = form.cleaned_data
        run_change(
            request,
            lambda: services.departure_record(actor=user, student_id=student_id, **data),
            _("De uitschrijving is vastgelegd."),
        )
    return redirect(f"/studenten/{student_id}/#uitstroom")


@login_required
@require_POST
def contact(request: HttpRequest, contact_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    item = AftercareContact.objects.select_related("departure").filter(pk=contact_id).first()
    if item is None:
        raise Http404
    form = ContactOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies de uitkomst van het contact."))
    else:
        run_change(
            request,
            lambda: services.aftercare_contact_record(
                actor=user, contact_id=contact_id, **form.cleaned_data
            ),
            _("Het nazorgcontact is vastgelegd."),
        )
    back = request.POST.get("next", "")
    local = back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)
    return redirect(back if local else "transitions:aftercare")


@login_required
@require_POST
def student_returns(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies de datum van de nieuwe inschrijving."))
    else:
        run_change(
            request,
            lambda: services.student_return(
                actor=user, student_id=student_id, enrolled_on=form.cleaned_data["enrolled_on"]
            ),
            _("Welkom terug: de student is weer ingeschreven en het plan van eerder staat klaar."),
        )
    return redirect(f"/studenten/{student_id}/")


@worklist_view
def non_arrivals(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    items = list(non_arrivals_for(user))
    # Pupils handed over who never enrolled are no student (yet): nothing to log for them.
    access_log_list(
        actor=user,
        activity=Activity.RMC,
        students=[n.student_id for n in items if n.student_id is not None],
        parts=[Part.CONTACT, Part.ENROLMENT, Part.ABSENCE],
        path=request.get_full_path(),
    )
    return render(
        request,
        "transitions/non_arrivals.html",
        {"items": items, "statuses": FollowUpStatus.choices},
    )


@login_required
@require_POST
def non_arrival_follow_up(request: HttpRequest, item_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run_change(
        request,
        lambda: services.non_arrival_follow_up_record(
            actor=user,
            non_arrival_id=item_id,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            expected_version=int(request.POST.get("version") or 0),
        ),
        _("De opvolging is vastgelegd."),
    )
    return redirect("transitions:non_arrivals")
