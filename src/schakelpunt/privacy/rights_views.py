"""The student's right of access (AVG art. 15): download everything held about them.

The student downloads their own data; the privacy officer of the school does so on the
student's request. Both are exports of every part, logged with the activity "Rechten van de
student". Anyone else gets the same 404 as for a student that is not there.
"""

import json
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from schakelpunt.access.decisions import record_refusal
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    acting_for,
    is_own_file,
    may_download_own_data,
    own_data_parts,
    privacy_officer_institutions,
    roles_of,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role
from schakelpunt.students.models import Student

from .register import Activity
from .subject_access import subject_access_for, subject_access_json
from .subject_access_pdf import render_subject_access_pdf

PDF = "pdf"
JSON = "json"


class StudentNumberForm(forms.Form):
    student_number = forms.CharField(
        label=_("Studentnummer"),
        max_length=20,
        help_text=_("Het studentnummer van de student die om inzage vroeg."),
    )

    def clean_student_number(self) -> str:
        number: str = self.cleaned_data["student_number"].strip()
        if not number:
            raise forms.ValidationError(_("Vul een studentnummer in."))
        return number


def _own_student(user: User) -> Student:
    """The student's own record, or a 404 for anyone who is not a student with a file."""
    student = Student.objects.select_related("institution").filter(user=user).first()
    if student is None or not is_own_file(user, student):
        raise Http404
    return student


def _filename(student: Student, kind: str) -> str:
    number = re.sub(r"[^A-Za-z0-9-]", "", student.student_number) or "student"
    return f"gegevens-schakelpunt-{number}-{timezone.localdate().isoformat()}.{kind}"


def _download(request: HttpRequest, user: User, student: Student, kind: str) -> HttpResponse:
    """Build the download, log it as an export of every part, and send it as a file."""
    own = is_own_file(user, student)
    data = subject_access_for(student)
    if kind == PDF:
        content = render_subject_access_pdf(data)
        content_type = "application/pdf"
    else:
        content = json.dumps(subject_access_json(data), ensure_ascii=False, indent=2).encode()
        content_type = "application/json; charset=utf-8"
    access_log_record(
        actor=user,
        students=[student],
        action=Action.EXPORT,
        parts=own_data_parts(),
        role=Role.STUDENT if own else Role.PRIVACY_OFFICER,
        path=request.path,
        activity=Activity.RIGHTS,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(student, kind)}"'
    return response


@login_required
@require_GET
def own_data(request: HttpRequest) -> HttpResponse:
    """The page with the two downloads, for the student."""
    user: User = request.user  # type: ignore[assignment]
    student = _own_student(user)
    return render(request, "privacy/rights/own_data.html", {"student": student})


@login_required
@require_GET
def own_data_pdf(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _download(request, user, _own_student(user), PDF)


@login_required
@require_GET
def own_data_json(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _download(request, user, _own_student(user), JSON)


def _officer_institutions(user: User) -> list[int]:
    institutions = privacy_officer_institutions(user)
    if not institutions:
        raise Http404
    return institutions


@login_required
@require_GET
def officer_data(request: HttpRequest) -> HttpResponse:
    """The privacy officer finds the student who asked, by student number, in their own
    institution(s) only, and downloads that student's data for them."""
    user: User = request.user  # type: ignore[assignment]
    institutions = _officer_institutions(user)
    form = StudentNumberForm(request.GET or None)
    found: list[Student] = []
    searched = False
    if form.is_valid():
        searched = True
        found = list(
            Student.objects.filter(
                institution_id__in=institutions,
                student_number__iexact=form.cleaned_data["student_number"],
            )
            .select_related("institution", "location")
            .order_by("institution__name", "pk")
        )
        if found:  # the officer now sees who the student is: a read, for the student's request
            access_log_record(
                actor=user,
                students=found,
                action=Action.VIEW,
                parts=[Part.IDENTITY],
                role=Role.PRIVACY_OFFICER,
                path=request.path,
                activity=Activity.RIGHTS,
            )
    return render(
        request,
        "privacy/rights/officer_data.html",
        {"form": form, "found": found, "searched": searched},
    )


def _officer_student(user: User, student_id: int) -> Student:
    """A student of the officer's institution, or the same 404 for absent and not allowed."""
    _officer_institutions(user)
    student = Student.objects.select_related("institution").filter(pk=student_id).first()
    if student is None:
        raise Http404
    if not may_download_own_data(user, student):
        record_refusal(
            user=user,
            student_id=student.pk,
            action=Action.EXPORT,
            part=Part.IDENTITY,
            roles=",".join(sorted(roles_of(user))),
            behalf=acting_for(user),
        )
        raise Http404
    return student


@login_required
@require_GET
def officer_data_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _download(request, user, _officer_student(user, student_id), PDF)


@login_required
@require_GET
def officer_data_json(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _download(request, user, _officer_student(user, student_id), JSON)
