"""The student list, the student file and the export. Access comes from schakelpunt.access."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    FILE_ROLES,
    StudentAccess,
    is_own_file,
    may_import_students,
    may_open_student_files,
    may_view_access_log,
    provider_period_start,
    refuse_student,
    roles_of,
    student_get_for_user,
    student_ids_showing,
    students_for_export,
    students_for_user,
    timeline_shows_concerns,
)
from schakelpunt.access.selectors import access_visits_for_student
from schakelpunt.access.services import access_log_list, access_log_record, file_activity
from schakelpunt.accounts.models import User
from schakelpunt.accounts.people import student_without_record
from schakelpunt.accounts.people_views import student_not_linked
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.selectors import memberships_for
from schakelpunt.core.changes import form_errors_as_messages, run_change
from schakelpunt.core.exports import csv_writer
from schakelpunt.privacy.register import Activity
from schakelpunt.referrals.selectors import file_section_referrals
from schakelpunt.signals.forms import ConcernForm
from schakelpunt.signals.selectors import file_section_signals
from schakelpunt.support.forms import (
    ContactForm,
    ContributionForm,
    CoordinatorForm,
    HelpRequestForm,
    PlanActionAddForm,
    TeamMemberForm,
    TierForm,
    TrajectoryMoveForm,
    TrajectoryOpenForm,
)
from schakelpunt.support.models import Tier, Trajectory, TrajectoryState
from schakelpunt.support.selectors import (
    coordinator_candidates,
    file_section_support,
    filter_caseload,
    my_team,
    team_candidates,
    timeline_for,
    trajectory_to_rate,
    with_support_overview,
)
from schakelpunt.support.student_services import RATING_WINDOW_DAYS
from schakelpunt.support.workflow import next_states
from schakelpunt.transitions.forms import ContactOutcomeForm, DepartureForm, ReturnForm
from schakelpunt.transitions.selectors import file_section_transitions

from .filters import CaseloadFilterForm, ListFilterForm, query_without_page
from .forms import BasicQualificationForm, GuardianForm, StudentImportForm
from .importer import student_import
from .models import Student
from .own_file import own_file_context
from .selectors import filter_by_student, guardians_for, is_adult
from .services import basic_qualification_record, guardian_add, guardian_set_consent

PAGE_SIZE = 25
EXPORT_PARTS = frozenset({Part.IDENTITY, Part.ENROLMENT})


@login_required
def student_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    roles = roles_of(user)
    if Role.STUDENT in roles and not roles & FILE_ROLES and student_without_record(user):
        return student_not_linked(request)  # as on the home page: say why, and whom to ask
    visible = students_for_user(user)
    filter_form = ListFilterForm(request.GET, students=visible)
    students = (
        filter_by_student(visible, filter_form.student_filter())
        .select_related("programme", "location")
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "query": query_without_page(request.GET),
        # Programme and location only of the students whose enrolment the user may see.
        "enrolment_shown": student_ids_showing(
            user, [s.pk for s in page.object_list], Part.ENROLMENT
        ),
        "can_export": students_for_export(user, EXPORT_PARTS).exists(),
        # The functional administrator opens no student file: an empty list says why, not
        # "no students" (which looks like a failed import).
        "opens_no_files": not may_open_student_files(user),
        "sets_up_institution": Role.FUNCTIONAL_ADMIN in roles_of(user),
    }
    template = (
        "students/_student_rows.html" if request.htmx else "students/student_list.html"  # type: ignore[attr-defined]
    )
    return render(request, template, context)


def _ids(form: str) -> str:
    """The ids of one form on the file: several forms share field names (reason, version)."""
    return f"id_{form}-%s"


def _support_forms(
    student: Student, trajectory: Trajectory | None, staff: list[User]
) -> dict[str, object]:
    """The forms that change the support part, for a user who may change it."""
    if trajectory is None:
        return {"open_form": TrajectoryOpenForm(auto_id=_ids("open"))}
    forms: dict[str, object] = {}
    version = {"version": trajectory.version}
    if next_states(trajectory.state):
        forms["move_form"] = TrajectoryMoveForm(
            initial=version, trajectory=trajectory, auto_id=_ids("move")
        )
    forms["tier_form"] = TierForm(
        initial={**version, "tier": trajectory.tier}, auto_id=_ids("tier")
    )
    coordinator_form = CoordinatorForm(
        initial={**version, "coordinator": trajectory.coordinator_id}, auto_id=_ids("coordinator")
    )
    choices: list[tuple[int | str, str]] = [(c.pk, str(c)) for c in staff]
    if trajectory.coordinator_id is None:
        choices.insert(0, ("", _("— kies een regisseur —")))
    coordinator_form.fields["coordinator"].choices = choices  # type: ignore[attr-defined]
    forms["coordinator_form"] = coordinator_form
    action_form = PlanActionAddForm(auto_id=_ids("action"))
    action_form.fields["owner"].choices = [("", "—"), *[(c.pk, str(c)) for c in staff]]  # type: ignore[attr-defined]
    forms["action_form"] = action_form
    return forms


def _team_form(student: Student, staff: list[User]) -> TeamMemberForm | None:
    candidates = team_candidates(student, staff)
    if not candidates:
        return None
    form = TeamMemberForm(auto_id=_ids("team"))
    form.fields["member"].choices = [(c.pk, str(c)) for c in candidates]  # type: ignore[attr-defined]
    return form


def _staff_sections(
    student: Student,
    access: StudentAccess,
    parts: frozenset[Part],
    since: date | None,
    today: date,
) -> dict[str, object]:
    """The sections of the file for staff, one selector per app, and the forms the user may
    use; `parts` and each grant to change come from the access policy."""
    context: dict[str, object] = {"concern_form": ConcernForm(auto_id=_ids("concern"))}
    if Part.SUPPORT in parts:
        support = file_section_support(student=student, own=False, since=since, today=today)
        may_change = access.allows(Action.CHANGE, Part.SUPPORT)
        context.update(support=support, may_change_support=may_change)
        if may_change:
            staff = coordinator_candidates(student)
            context.update(_support_forms(student, support.trajectory, staff))
            context["team_form"] = _team_form(student, staff)
            context["contact_form"] = ContactForm(auto_id=_ids("contact"))
    shows_concerns = timeline_shows_concerns(access)
    context["timeline"] = timeline_for(student, parts, since=since, concerns=shows_concerns)
    context["signals"] = file_section_signals(
        student=student,
        absence=Part.ABSENCE in parts,
        sees_support=Part.SUPPORT in parts,
        # Concerns appear with the support part, and not for a provider.
        sees_concerns=Part.SUPPORT in parts and shows_concerns,
        since=since,
    )
    if Part.REFERRALS in parts:
        may_refer = access.allows(Action.CHANGE, Part.REFERRALS)
        context["referral_section"] = file_section_referrals(
            student=student, may_refer=may_refer, today=today
        )
        context.update(may_refer=may_refer, may_withdraw=may_refer)
    context["transitions"] = file_section_transitions(
        student=student,
        # The VO school's handover: support, and not for providers.
        handover=Part.SUPPORT in parts and since is None,
        enrolment=Part.ENROLMENT in parts,
    )
    context["may_intake"] = access.allows(Action.CHANGE, Part.SUPPORT)
    if Part.ENROLMENT in parts:
        # What an aftercare conversation was about is support; the outcome is enrolment.
        context["shows_aftercare_notes"] = Part.SUPPORT in parts
        if access.allows(Action.CHANGE, Part.ENROLMENT):
            context["qualification_form"] = BasicQualificationForm(
                auto_id=_ids("qualification"),
                initial={"known": student.basic_qualification_on},
            )
        if access.allows(Action.CHANGE, Part.ENROLMENT) and access.allows(
            Action.CHANGE, Part.SUPPORT
        ):
            context["may_record_leaving"] = True
            context["departure_form"] = (
                DepartureForm(auto_id=_ids("departure")) if student.left_on is None else None
            )
            context["return_form"] = (
                ReturnForm(auto_id=_ids("return")) if student.left_on is not None else None
            )
            context["outcome_form"] = ContactOutcomeForm()
    return context


@login_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    """The file, composed of one section per app, each read by that app's selector; the
    access policy decides which sections this user sees and may change."""
    user: User = request.user  # type: ignore[assignment]
    student, access = student_get_for_user(user=user, student_id=student_id)
    parts = access.parts(Action.VIEW)
    today = timezone.localdate()
    own = is_own_file(user, student)
    # A provider sees the consented parts only from its referral on; None: no such limit.
    since = provider_period_start(user, student, access)
    context: dict[str, object] = {
        "student": student,
        "parts": {p.value for p in parts},
        "age": student.age_on(today),
        "roles": access.roles_display,
        "is_own_file": own,
        "may_view_access_log": may_view_access_log(user, student),
        "today": today,
    }
    if Part.CONTACT in parts:
        context["guardians"] = guardians_for(student, today, access)
        context["is_adult"] = is_adult(student, today)
        if access.allows(Action.CHANGE, Part.CONTACT):
            context["guardian_form"] = GuardianForm(auto_id=_ids("guardian"))
    if own:  # the student's own page, in plain Dutch (B1): students.own_file reads it
        if Part.SUPPORT in parts:
            context["contribution_form"] = ContributionForm(auto_id=_ids("contribution"))
            context["help_form"] = HelpRequestForm(auto_id=_ids("help"))
            context["my_team"] = my_team(student)
        context["rating_choices"] = range(1, 11)
        context["rate_trajectory"] = trajectory_to_rate(
            student, now=timezone.now(), window_days=RATING_WINDOW_DAYS
        )
        context.update(own_file_context(student, parts))
    else:
        context.update(_staff_sections(student, access, parts, since, today))
    access_log_record(
        actor=user,
        activity=file_activity(access),
        emergency=access.rests_on_emergency(parts),
        students=[student],
        action=Action.VIEW,
        parts=parts,
        role=access.roles,
        path=request.path,
    )
    template = "students/own_file.html" if own else "students/student_detail.html"
    return render(request, template, context)


@login_required
def own_file(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student = Student.objects.filter(user=user).first()
    if student is None and student_without_record(user):
        return student_not_linked(request)
    if student is None:
        raise Http404
    return redirect("students:detail", student_id=student.pk)


@login_required
def student_access_log(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student = Student.objects.filter(pk=student_id).first()
    if student is None:
        raise Http404
    if not may_view_access_log(user, student):
        refuse_student(user=user, student_id=student.pk, part=Part.IDENTITY)
    return render(
        request,
        "students/student_access_log.html",
        {
            "student": student,
            "is_own_file": is_own_file(user, student),
            # The student does not need to see their own visits; the privacy officer does.
            "visits": access_visits_for_student(
                student_id=student.pk,
                exclude_user_id=user.pk if is_own_file(user, student) else None,
            ),
        },
    )


@login_required
def student_export(request: HttpRequest) -> HttpResponse:
    """CSV of identity and enrolment of the students the user may export; logged per student."""
    user: User = request.user  # type: ignore[assignment]
    students = list(
        students_for_export(user, EXPORT_PARTS)
        .select_related("programme", "location")
        .order_by("last_name", "first_name", "pk")
    )
    if not students:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="studenten.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv_writer(response)
    writer.writerow(
        [
            "studentnummer",
            "voornaam",
            "tussenvoegsel",
            "achternaam",
            "geboortedatum",
            "locatie",
            "opleiding",
            "niveau",
            "leerweg",
        ]
    )
    for s in students:
        writer.writerow(
            [
                s.student_number,
                s.first_name,
                s.name_prefix,
                s.last_name,
                s.date_of_birth.isoformat(),
                s.location.name,
                s.programme.name,
                s.programme.get_level_display(),
                s.programme.pathway,
            ]
        )
    access_log_record(
        actor=user,
        activity=Activity.RMC if roles_of(user) == {Role.ATTENDANCE_OFFICER} else Activity.SUPPORT,
        students=students,
        action=Action.EXPORT,
        parts=EXPORT_PARTS,
        role=",".join(sorted(roles_of(user))),
        path=request.path,
    )
    return response


# Sort keys a person may choose; anything else falls back to the name.
CASELOAD_SORTS: dict[str, tuple[str, ...]] = {
    "naam": ("last_name", "first_name", "pk"),
    "fase": ("trajectory_state_order", "last_name", "pk"),
    "zwaarte": ("trajectory_tier_order", "last_name", "pk"),
    "evaluatie": ("review_on", "last_name", "pk"),
}


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """Students whose support the user may see, with their trajectory, filtered and sorted."""
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    visible = students_for_user(user, part=Part.SUPPORT)
    form = CaseloadFilterForm(request.GET, students=visible)
    students = with_support_overview(visible, today)
    students = filter_caseload(students, form.caseload_filter(), user=user, today=today)
    sort = request.GET.get("sorteer", "naam")
    order: tuple[str, ...] = CASELOAD_SORTS.get(sort.lstrip("-"), CASELOAD_SORTS["naam"])
    if sort.startswith("-"):
        order = tuple(f"-{o}" for o in order)
    students = students.select_related("programme", "location").order_by(*order)
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("pagina"))
    page.object_list = list(page.object_list)
    access_log_list(
        actor=user,
        activity=Activity.SUPPORT,
        students=page.object_list,
        parts=[Part.SUPPORT],  # trajectory, tier, coordinator and next review
        path=request.get_full_path(),
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    query.pop("sorteer", None)
    return render(
        request,
        "students/caseload.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "query": query.urlencode(),
            "today": today,
            "state_labels": dict(TrajectoryState.choices),
            "tier_labels": dict(Tier.choices),
        },
    )


@login_required
def student_import_view(request: HttpRequest) -> HttpResponse:
    """The functional administrator uploads the student information system's CSV."""
    user: User = request.user  # type: ignore[assignment]
    institutions = [
        m.organisation
        for m in memberships_for(user=user)
        if m.role == Role.FUNCTIONAL_ADMIN and may_import_students(user, m.organisation)
    ]
    if not institutions:
        raise Http404
    form = StudentImportForm(request.POST or None, request.FILES or None, institutions=institutions)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = student_import(
            actor=user, institution=form.cleaned_data["institution"], data=upload.read()
        )
    return render(request, "students/import.html", {"form": form, "result": result})


@login_required
@require_POST
def guardian_add_view(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.CONTACT
    )
    form = GuardianForm(request.POST)
    if form.is_valid():
        guardian_add(actor=user, student=student, **form.cleaned_data)
        messages.success(request, _("Toegevoegd."))
    else:
        form_errors_as_messages(request, form)
    return redirect(f"/studenten/{student.pk}/#contact")


@login_required
@require_POST
def basic_qualification_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """The care team records the day a startkwalificatie was obtained."""
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.ENROLMENT
    )
    form = BasicQualificationForm(request.POST)
    if form.is_valid():
        run_change(
            request,
            lambda: basic_qualification_record(
                actor=user, student_id=student.pk, **form.cleaned_data
            ),
            _("Startkwalificatie vastgelegd."),
        )
    else:
        form_errors_as_messages(request, form)
    return redirect(f"/studenten/{student.pk}/#inschrijving")


@login_required
@require_POST
def guardian_consent_view(request: HttpRequest, student_id: int, guardian_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student = Student.objects.filter(pk=student_id).first()
    if student is None or not is_own_file(user, student):
        raise Http404
    if not student.guardians.filter(pk=guardian_id).exists():
        raise Http404
    consents = request.POST.get("consents") == "ja"
    guardian = guardian_set_consent(actor=user, guardian_id=guardian_id, consents=consents)
    messages.success(
        request,
        _("School mag %(name)s nu betrekken.") % {"name": guardian.name}
        if consents
        else _("School betrekt %(name)s niet meer.") % {"name": guardian.name},
    )
    return redirect(f"/studenten/{student.pk}/#contact")
