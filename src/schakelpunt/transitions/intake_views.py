"""Warm handover screens: read a VO school's file, review uncertain matches, intake."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import may_handle_handover
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import Membership, Organisation, User
from schakelpunt.core.changes import run_change
from schakelpunt.privacy.register import Activity
from schakelpunt.students.models import Student

from . import services
from .handover import handover_confirm, handover_import, handover_match_all, records_for_intake
from .models import MatchStatus

MAX_UPLOAD = 5 * 1024 * 1024


def _institution(user: User) -> Organisation:
    for m in Membership.objects.active().filter(user=user).select_related("organisation"):
        if may_handle_handover(user, m.organisation):
            return m.organisation
    raise Http404


@login_required
def incoming(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institution = _institution(user)
    result = None
    if request.method == "POST":
        if request.POST.get("do") == "rematch":
            found = handover_match_all(institution)
            messages.success(request, _("Opnieuw gekoppeld: %(n)s zeker.") % {"n": found})
            return redirect("intake:incoming")
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > MAX_UPLOAD:
            messages.error(request, _("Kies een CSV-bestand van hoogstens 5 MB."))
        else:
            result = handover_import(actor=user, institution=institution, data=upload.read())
            if result.ok:
                messages.success(
                    request,
                    _("Ingelezen: %(c)s nieuw, %(u)s bijgewerkt, %(s)s ongewijzigd.")
                    % {"c": result.created, "u": result.updated, "s": result.unchanged},
                )
                return redirect("intake:incoming")
    records = records_for_intake(institution, timezone.localdate())
    candidates = {
        s.pk: s
        for s in Student.objects.filter(
            pk__in=[pk for r in records for pk in r.candidates]
        ).select_related("programme", "location")
    }
    # Linked students with what their VO school handed over; candidates by birth date and number.
    access_log_list(
        actor=user,
        activity=Activity.TRANSITION,
        students=[
            pk for r in records if r.match_status == MatchStatus.UNCERTAIN for pk in r.candidates
        ],
        parts=[Part.IDENTITY],
        path=request.get_full_path(),
        more_parts={r.student_id: [Part.ENROLMENT, Part.SUPPORT] for r in records if r.student_id},
    )
    return render(
        request,
        "transitions/incoming.html",
        {
            "institution": institution,
            "records": records,
            "uncertain": [r for r in records if r.match_status == MatchStatus.UNCERTAIN],
            "waiting": [
                r for r in records if r.match_status in {MatchStatus.NONE, MatchStatus.REJECTED}
            ],
            "matched": [r for r in records if r.match_status == MatchStatus.MATCHED],
            "candidates": candidates,
            "result": result,
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest, record_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    choice = request.POST.get("student", "")
    run_change(
        request,
        lambda: handover_confirm(
            actor=user, record_id=record_id, student_id=int(choice) if choice.isdigit() else None
        ),
        _("De koppeling is vastgelegd."),
    )
    return redirect("intake:incoming")


@login_required
@require_POST
def intake(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        held = date.fromisoformat(request.POST.get("held_on", ""))
    except ValueError:
        messages.error(request, _("Kies de datum van het gesprek."))
    else:
        run_change(
            request,
            lambda: services.intake_record(
                actor=user,
                student_id=student_id,
                held_on=held,
                participants=request.POST.get("participants", ""),
                notes=request.POST.get("notes", ""),
            ),
            _("Het intakegesprek is vastgelegd."),
        )
    return redirect(f"/studenten/{student_id}/#overdracht")


@login_required
@require_POST
def start_plan(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run_change(
        request,
        lambda: services.start_plan_create(actor=user, student_id=student_id),
        _("Het startplan staat klaar; de ondersteuning loopt vanaf dag één door."),
    )
    return redirect(f"/studenten/{student_id}/#traject")
