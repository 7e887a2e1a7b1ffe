"""The student's "Mijn gegevens" with their correction requests and objections, and the care
coordinator's "Verzoeken van studenten". Each view: ask the policy, call one service or
selector, render. The rules are in requests.py."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.decorators import worklist_view
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    may_download_own_data,
    may_make_privacy_request,
    refuse_student,
    student_access,
)
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import User
from schakelpunt.accounts.people import student_without_record
from schakelpunt.accounts.people_views import student_not_linked
from schakelpunt.students.models import Student

from . import requests as services
from .forms import (
    CorrectionAnswerForm,
    CorrectionRequestForm,
    ObjectionDecisionForm,
    ObjectionForm,
)
from .models import CorrectionRequest, Objection, RequestStatus
from .register import ACTIVITIES, Activity


def _own_student(request: HttpRequest) -> Student:
    """The student whose own page this is; everyone else gets the same 404."""
    user: User = request.user  # type: ignore[assignment]
    student = Student.objects.filter(user=user).first() if user.is_authenticated else None
    if student is None or not may_make_privacy_request(user, student):
        raise Http404
    return student


def _add_errors(form: object, error: ValidationError) -> None:
    """A service's refusal on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _RequestRow:
    what: str
    asked_on: object
    deadline: object
    status: str
    status_words: str
    answer: str
    answered_on: object
    is_open: bool


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What Schakelpunt keeps about the student and why, their downloads, and their
    requests: in plain Dutch (B1)."""
    user: User = request.user  # type: ignore[assignment]
    if student_without_record(user):
        return student_not_linked(request)  # as on the home page: say why, and whom to ask
    student = _own_student(request)
    upheld = services.upheld_activities(student)
    waiting = services.open_objection_activities(student)
    rows = [
        _RequestRow(
            what=_("Verbeteren: %(part)s") % {"part": Part(c.part).label}
            if c.part in Part.values
            else _("Verbeteren"),
            asked_on=c.requested_at,
            deadline=c.deadline,
            status=c.status,
            status_words=str(services.STATUS_WORDS["correction"][c.status]),
            answer=c.answer,
            answered_on=c.answered_at,
            is_open=c.status == RequestStatus.OPEN,
        )
        for c in services.correction_requests_of(student)
    ] + [
        _RequestRow(
            what=_("Bezwaar: %(what)s") % {"what": ACTIVITIES[Activity(o.activity)].plain},
            asked_on=o.requested_at,
            deadline=o.deadline,
            status=o.status,
            status_words=str(services.STATUS_WORDS["objection"][o.status]),
            answer=o.decision,
            answered_on=o.decided_at,
            is_open=o.status == RequestStatus.OPEN,
        )
        for o in services.objections_of(student)
    ]
    rows.sort(key=lambda r: r.asked_on, reverse=True)  # type: ignore[arg-type,return-value]
    return render(
        request,
        "privacy/requests/my_data.html",
        {
            "student": student,
            "activities": services.activities_for(student, upheld=upheld, waiting=waiting),
            "requests": rows,
            "may_download": may_download_own_data(user, student),
        },
    )


@login_required
def correction_new(request: HttpRequest) -> HttpResponse:
    student = _own_student(request)
    user: User = request.user  # type: ignore[assignment]
    parts = student_access(user, student).parts(Action.VIEW)
    form = CorrectionRequestForm(request.POST or None, parts=parts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correction_request_make(
                actor=user,
                student=student,
                part=data["part"],
                wrong=data["wrong"],
                should_be=data["should_be"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Je vraag is verstuurd. Je krijgt uiterlijk over een maand antwoord."),
            )
            return redirect("privacy:my_data")
    return render(
        request,
        "privacy/requests/correction_new.html",
        {"form": form, "student": student},
        status=400 if form.errors else 200,
    )


@login_required
def objection_new(request: HttpRequest) -> HttpResponse:
    student = _own_student(request)
    user: User = request.user  # type: ignore[assignment]
    initial = {"activity": request.GET.get("verwerking", "")}
    form = ObjectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_make(
                actor=user, student=student, activity=data["activity"], reason=data["reason"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Je bezwaar is verstuurd. Je krijgt uiterlijk over een maand antwoord."),
            )
            return redirect("privacy:my_data")
    return render(
        request,
        "privacy/requests/objection_new.html",
        {"form": form, "student": student},
        status=400 if form.errors else 200,
    )


# -- the care coordinator -----------------------------------------------------------------


@worklist_view
def queue(request: HttpRequest) -> HttpResponse:
    """Open requests by deadline (overdue marked), then the recently answered ones."""
    user: User = request.user  # type: ignore[assignment]
    items = services.request_queue(user)
    answered = services.recently_answered(user)
    shown: dict[int, set[Part]] = {}
    for item in [*items, *answered]:
        shown.setdefault(item.student.pk, set()).add(item.part)
    access_log_list(
        actor=user,
        students=[],
        parts=[],
        path=request.get_full_path(),
        more_parts=shown,
        activity=Activity.RIGHTS,
    )
    today = timezone.localdate()
    return render(
        request,
        "privacy/requests/queue.html",
        {
            "items": [(item, item.overdue_on(today)) for item in items],
            "answered": answered,
            "overdue": sum(1 for item in items if item.overdue_on(today)),
            "today": today,
        },
    )


def _action_of(request: HttpRequest) -> Action:
    """What a refused attempt on a request's page tried: read it, or answer it."""
    return Action.CHANGE if request.method == "POST" else Action.VIEW


@login_required
def correction_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    correction = services.correction_for_handler(user, request_id)
    if correction is None:
        about = CorrectionRequest.objects.filter(pk=request_id).values("student_id", "part")
        for row in about[:1]:  # a request that exists: its student's decision log keeps it
            refuse_student(
                user=user,
                student_id=row["student_id"],
                action=_action_of(request),
                part=Part(row["part"]) if row["part"] in Part.values else Part.IDENTITY,
            )
        raise Http404
    part = Part(correction.part) if correction.part in Part.values else Part.IDENTITY
    form = CorrectionAnswerForm(request.POST or None, initial={"version": correction.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correction_request_answer(
                actor=user,
                request_id=correction.pk,
                expected_version=data["version"],
                status=data["status"],
                answer=data["answer"],
                path=request.path,
            )
        except PermissionDenied as error:
            raise Http404 from error
        except services.StaleRequestError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(request.path)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Het antwoord is opgeslagen; de student ziet het."))
            return redirect("privacy:requests_queue")
    services.log_request_read(actor=user, student=correction.student, part=part, path=request.path)
    return render(
        request,
        "privacy/requests/correction_detail.html",
        {
            "item": correction,
            "part": part,
            "form": form if correction.status == RequestStatus.OPEN else None,
            "overdue": correction.status == RequestStatus.OPEN
            and correction.deadline < timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def objection_detail(request: HttpRequest, objection_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    objection = services.objection_for_handler(user, objection_id)
    if objection is None:
        about = Objection.objects.filter(pk=objection_id).values_list("student_id", flat=True)
        for student_id in about[:1]:  # an objection that exists: kept like a request above
            refuse_student(
                user=user, student_id=student_id, action=_action_of(request), part=Part.SUPPORT
            )
        raise Http404
    form = ObjectionDecisionForm(request.POST or None, initial={"version": objection.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_decide(
                actor=user,
                objection_id=objection.pk,
                expected_version=data["version"],
                status=data["status"],
                decision=data["decision"],
                path=request.path,
            )
        except PermissionDenied as error:
            raise Http404 from error
        except services.StaleRequestError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(request.path)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Het besluit is opgeslagen; de student ziet het."))
            return redirect("privacy:requests_queue")
    services.log_request_read(
        actor=user, student=objection.student, part=Part.SUPPORT, path=request.path
    )
    info = ACTIVITIES[Activity(objection.activity)]
    return render(
        request,
        "privacy/requests/objection_detail.html",
        {
            "item": objection,
            "info": info,
            "form": form if objection.status == RequestStatus.OPEN else None,
            "overdue": objection.status == RequestStatus.OPEN
            and objection.deadline < timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )
