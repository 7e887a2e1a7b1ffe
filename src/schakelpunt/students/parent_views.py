"""The parent's pages (/ouder/) and the student's screen to share with their parents.

Every decision comes from the access policy (`children_for_parent`, `parent_view_get`,
`may_set_parent_sharing`); every parent read is in the child's access log.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    ADULT_AGE,
    PARENT_LOGGED_PARTS,
    ParentPart,
    children_for_parent,
    has_any_role,
    may_set_parent_sharing,
    parent_view_get,
)
from schakelpunt.access.services import access_log_list, access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role
from schakelpunt.privacy.register import Activity

from .models import Guardian, Student
from .parent_file import parent_page_context
from .parent_forms import SharingForm
from .parent_services import guardian_sharing_set, guardian_sharing_version


@login_required
def parent_home(request: HttpRequest) -> HttpResponse:
    """A parent's children they may look at today; an explanation when there are none."""
    user: User = request.user  # type: ignore[assignment]
    if not has_any_role(user, {Role.PARENT}):
        raise Http404
    children = children_for_parent(user)
    access_log_list(
        actor=user,
        activity=Activity.PARENT,
        students=[c.student for c in children],
        parts=[Part.IDENTITY],  # the names of the children
        path=request.path,
    )
    return render(request, "students/parent/home.html", {"children": children})


@login_required
def parent_child(request: HttpRequest, student_id: int) -> HttpResponse:
    """One child's page: only the parts the policy grants this parent today."""
    user: User = request.user  # type: ignore[assignment]
    view = parent_view_get(user=user, student_id=student_id)
    context = parent_page_context(view)
    context["age"] = view.student.age_on(timezone.localdate())
    access_log_record(
        actor=user,
        activity=Activity.PARENT,
        students=[view.student],
        action=Action.VIEW,
        parts=PARENT_LOGGED_PARTS,
        role=Role.PARENT,
        path=request.path,
    )
    return render(request, "students/parent/child.html", context)


def _own_student(user: User) -> Student:
    student = Student.objects.filter(user=user).first()
    if student is None:
        raise Http404
    return student


def _fresh_form(guardian: Guardian, adult: bool) -> SharingForm:
    initial: dict[str, object] = {
        "parts": list(guardian.shared_parts or []),
        "version": guardian_sharing_version(guardian),
    }
    if adult:
        initial["involves"] = "ja" if guardian.adult_involves_parent else "nee"
    return SharingForm(initial=initial, prefix=f"ouder{guardian.pk}", adult=adult)


def _sharing_rows(
    user: User, student: Student, failed: tuple[int, SharingForm] | None = None
) -> list[dict[str, object]]:
    today = timezone.localdate()
    adult = student.age_on(today) >= ADULT_AGE
    rows: list[dict[str, object]] = []
    for guardian in student.guardians.select_related("student").order_by("name", "pk"):
        form: SharingForm | None = None
        if may_set_parent_sharing(user, guardian, today):
            if failed is not None and failed[0] == guardian.pk:
                form = failed[1]
            else:
                form = _fresh_form(guardian, adult)
        rows.append(
            {
                "guardian": guardian,
                "form": form,
                "has_account": guardian.user_id,
                "involved": not adult or guardian.adult_involves_parent,
            }
        )
    return rows


@login_required
def sharing(request: HttpRequest) -> HttpResponse:
    """The student's screen "Delen met ouders"."""
    user: User = request.user  # type: ignore[assignment]
    student = _own_student(user)
    # The student reads the names of their parents: their own contact part, logged as ever.
    access_log_record(
        actor=user,
        activity=Activity.OWN_FILE,
        students=[student],
        action=Action.VIEW,
        parts=[Part.CONTACT],
        role=Role.STUDENT,
        path=request.path,
    )
    return _sharing_page(request, user, student)


def _sharing_page(
    request: HttpRequest,
    user: User,
    student: Student,
    failed: tuple[int, SharingForm] | None = None,
) -> HttpResponse:
    age = student.age_on(timezone.localdate())
    return render(
        request,
        "students/parent/sharing.html",
        {
            "student": student,
            "age": age,
            "is_adult": age >= ADULT_AGE,
            "chooses": age >= 16,
            "rows": _sharing_rows(user, student, failed),
            "all_parts": [label for _value, label in ParentPart.choices],
        },
        status=400 if failed else 200,
    )


@login_required
@require_POST
def sharing_save(request: HttpRequest, guardian_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student = _own_student(user)
    guardian = Guardian.objects.filter(pk=guardian_id, student=student).first()
    if guardian is None or not may_set_parent_sharing(user, guardian, timezone.localdate()):
        raise Http404
    adult = student.age_on(timezone.localdate()) >= ADULT_AGE
    form = SharingForm(request.POST, prefix=f"ouder{guardian.pk}", adult=adult)
    if not form.is_valid():
        return _sharing_page(request, user, student, failed=(guardian.pk, form))
    involves = form.involves_choice()
    try:
        guardian_sharing_set(
            actor=user,
            guardian_id=guardian.pk,
            parts=form.cleaned_data["parts"],
            expected_version=form.cleaned_data["version"] or "",
            involves=involves,
        )
    except ValidationError as error:
        guardian.refresh_from_db()
        messages.error(request, " ".join(error.messages))
        return _sharing_page(
            request, user, student, failed=(guardian.pk, _fresh_form(guardian, adult))
        )
    if involves is False:
        text = _("Opgeslagen. %(name)s ziet vanaf nu niets van je dossier.")
    else:
        text = _("Opgeslagen. %(name)s ziet vanaf nu alleen wat je hebt aangevinkt.")
    messages.success(request, text % {"name": guardian.name})
    return redirect("parent:sharing")
