"""The privacy officer's retention screens: the runs, a run's list (review, hold, approve),
and what a finished run deleted (counts only)."""

from datetime import date

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import may_manage_retention, privacy_officer_institutions
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.students.models import Student

from .models import RetentionRun, RetentionRunStatus
from .register import RETENTION, Activity
from .register_selectors import period_text
from .retention import (
    CandidateRow,
    RetentionError,
    candidate_rows,
    fingerprint,
    legal_hold_lift,
    legal_hold_set,
    retention_approve,
    retention_cancel,
    retention_propose,
    retention_refresh,
    run_for,
    runs_for,
)

LIST_PARTS = (Part.IDENTITY, Part.ENROLMENT)


def _officer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not privacy_officer_institutions(user):
        raise Http404
    return user


def _run(user: User, run_id: int) -> RetentionRun:
    run = run_for(user, run_id)
    if run is None:
        raise Http404
    return run


@login_required
def retention_runs(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    institutions = Organisation.objects.filter(pk__in=privacy_officer_institutions(user))
    return render(
        request,
        "privacy/retention/runs.html",
        {
            "runs": runs_for(user),
            "institutions": institutions,
            "today": timezone.localdate(),
            # The period as the register words it ("2 jaar", "30 dagen"); empty for data that
            # go at the moment itself (early warnings at leaving), shown as a dash.
            "rules": [(rule, period_text(rule)) for rule in RETENTION.values()],
        },
    )


@login_required
@require_POST
def retention_new(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    try:
        institution_id = int(request.POST.get("institution", ""))
        day = date.fromisoformat(request.POST.get("reference_date", ""))
    except ValueError:
        messages.error(request, _("Kies een instelling en vul de peildatum in als JJJJ-MM-DD."))
        return redirect("privacy:retention_runs")
    institution = Organisation.objects.filter(pk=institution_id).first()
    if institution is None or not may_manage_retention(user, institution.pk):
        raise Http404
    if day > timezone.localdate():
        messages.error(request, _("De peildatum kan niet in de toekomst liggen."))
        return redirect("privacy:retention_runs")
    try:
        run = retention_propose(institution=institution, reference_date=day, proposed_by=user)
    except RetentionError as problem:
        messages.error(request, str(problem))
        return redirect("privacy:retention_runs")
    messages.success(request, _("De lijst is gemaakt. Er is nog niets verwijderd."))
    return redirect("privacy:retention_run", run_id=run.pk)


def _rows_logged(request: HttpRequest, user: User, run: RetentionRun) -> list[CandidateRow]:
    rows = candidate_rows(run)
    shown = [row.student for row in rows if row.student is not None]
    # The names on the list are read live: a list read of those students.
    access_log_list(
        actor=user,
        students=shown,
        parts=LIST_PARTS,
        path=request.get_full_path(),
        activity=Activity.RETENTION,
    )
    return rows


@login_required
def retention_run(request: HttpRequest, run_id: int) -> HttpResponse:
    user = _officer(request)
    run = _run(user, run_id)
    if retention_refresh(run):
        messages.info(
            request, _("De lijst is bijgewerkt: er is iets veranderd sinds hij gemaakt is.")
        )
    rows = _rows_logged(request, user, run)
    return render(
        request,
        "privacy/retention/run.html",
        {
            "run": run,
            "rows": rows,
            "to_delete": sum(1 for r in rows if not r.candidate.skipped_reason),
            "proposed": run.status == RetentionRunStatus.PROPOSED,
            "tables": _table_labels(run.counts.get("tables", {})),
        },
    )


def _table_labels(tables: dict[str, int]) -> list[tuple[str, str, int]]:
    """(what, table, count): the table's name in Dutch next to its label."""
    found = []
    for label, n in tables.items():
        model_label, _sep, note = label.partition(" ")
        try:
            name = str(apps.get_model(model_label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            name = model_label
        found.append((f"{name} {note}".strip(), model_label, n))
    return sorted(found)


@login_required
def retention_review(request: HttpRequest, run_id: int) -> HttpResponse:
    """The second step: what will be deleted, and "Goedkeuren" with a confirmation."""
    user = _officer(request)
    run = _run(user, run_id)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(
                request, _("Vink aan dat u de lijst heeft gecontroleerd voordat u goedkeurt.")
            )
            return redirect("privacy:retention_review", run_id=run.pk)
        try:
            retention_approve(actor=user, run=run, seen=request.POST.get("seen", ""))
        except RetentionError as problem:
            messages.error(request, str(problem))
            return redirect("privacy:retention_run", run_id=run.pk)
        messages.success(
            request,
            _(
                "Goedgekeurd. De verwijdering begint binnen een minuut en gaat in delen; "
                "hier ziet u wanneer hij klaar is."
            ),
        )
        return redirect("privacy:retention_run", run_id=run.pk)
    if run.status != RetentionRunStatus.PROPOSED:
        messages.error(request, _("Deze ronde wacht niet meer op goedkeuring."))
        return redirect("privacy:retention_run", run_id=run.pk)
    retention_refresh(run)
    rows = _rows_logged(request, user, run)
    return render(
        request,
        "privacy/retention/review.html",
        {
            "run": run,
            "rows": [r for r in rows if not r.candidate.skipped_reason],
            "skipped": [r for r in rows if r.candidate.skipped_reason],
            "seen": fingerprint(run),
        },
    )


@login_required
@require_POST
def retention_cancel_view(request: HttpRequest, run_id: int) -> HttpResponse:
    user = _officer(request)
    run = _run(user, run_id)
    try:
        retention_cancel(actor=user, run=run)
    except RetentionError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("De ronde is geannuleerd. Er is niets verwijderd."))
    return redirect("privacy:retention_run", run_id=run.pk)


def _candidate_student(user: User, run: RetentionRun, candidate_id: int) -> Student:
    for row in candidate_rows(run):
        student = row.student
        if (
            row.candidate.pk == candidate_id
            and student is not None
            and may_manage_retention(user, student.institution_id)
        ):
            return student
    raise Http404


@login_required
@require_POST
def retention_hold(request: HttpRequest, run_id: int, candidate_id: int) -> HttpResponse:
    user = _officer(request)
    run = _run(user, run_id)
    student = _candidate_student(user, run, candidate_id)
    try:
        if request.POST.get("lift") == "yes":
            legal_hold_lift(actor=user, student=student)
            messages.success(request, _("De blokkade is opgeheven."))
        else:
            legal_hold_set(actor=user, student=student, reason=request.POST.get("reason", ""))
            messages.success(request, _("De blokkade staat: deze student wordt niet verwijderd."))
    except RetentionError as problem:
        messages.error(request, str(problem))
    return redirect("privacy:retention_run", run_id=run.pk)
