"""The student's own actions, and the care team's answers. Each POST: check, service, back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import is_own_file, student_get_for_user
from schakelpunt.accounts.models import User
from schakelpunt.core.changes import form_errors_as_messages
from schakelpunt.students.models import Student

from . import student_services
from .forms import ContactForm, ContributionForm, HelpRequestForm
from .models import HelpRequest


def _own_student(request: HttpRequest, student_id: int) -> tuple[User, Student]:
    user: User = request.user  # type: ignore[assignment]
    student = Student.objects.filter(pk=student_id).first()
    if student is None or not is_own_file(user, student):
        raise Http404
    return user, student


def _back(student: Student, anchor: str) -> HttpResponse:
    return redirect(f"/studenten/{student.pk}/#{anchor}")


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def contribution_add(request: HttpRequest, student_id: int) -> HttpResponse:
    user, student = _own_student(request, student_id)
    form = ContributionForm(request.POST)
    if form.is_valid():
        try:
            student_services.contribution_add(
                actor=user, student=student, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Toegevoegd aan je plan. Je team ziet het."))
    else:
        messages.error(request, _("Schrijf eerst wat je wilt zeggen."))
    return _back(student, "mijn-plan")


@login_required
@require_POST
def help_request_create(request: HttpRequest, student_id: int) -> HttpResponse:
    user, student = _own_student(request, student_id)
    form = HelpRequestForm(request.POST)
    if form.is_valid():
        try:
            student_services.help_request_create(
                actor=user, student=student, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(
                request,
                _("Je vraag is verstuurd. Iemand van het zorgteam neemt contact met je op."),
            )
    else:
        messages.error(request, _("Schrijf eerst wat je wilt zeggen."))
    return _back(student, "hulp-vragen")


@login_required
@require_POST
def help_request_pick_up(request: HttpRequest, student_id: int, request_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.SUPPORT
    )
    if not HelpRequest.objects.filter(pk=request_id, student=student).exists():
        raise Http404
    try:
        student_services.help_request_pick_up(actor=user, request_id=request_id)
    except ValidationError as error:
        _errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("U heeft de hulpvraag opgepakt; de student krijgt bericht."))
    return _back(student, "hulpvragen")


@login_required
@require_POST
def contact_add(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.SUPPORT
    )
    form = ContactForm(request.POST)
    if form.is_valid():
        student_services.contact_add(actor=user, student=student, **form.cleaned_data)
        messages.success(request, _("Het contact is vastgelegd."))
    else:
        form_errors_as_messages(request, form)
    return _back(student, "contacten")


@login_required
@require_POST
def rate(request: HttpRequest, student_id: int, trajectory_id: int) -> HttpResponse:
    user, student = _own_student(request, student_id)
    value = request.POST.get("rating", "")
    if not value.isdigit():
        messages.error(request, _("Kies een cijfer van 1 tot en met 10."))
        return _back(student, "waardering")
    try:
        student_services.trajectory_rate(actor=user, trajectory_id=trajectory_id, rating=int(value))
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request, _("Dank je wel! Je cijfer helpt de school de hulp beter te maken.")
        )
    return _back(student, "waardering")
