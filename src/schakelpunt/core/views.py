"""The start page: each role sees its own work."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import (
    AGGREGATE_ROLES,
    CARE_TEAM_ROLES,
    FILE_ROLES,
    SCHOOL_ROLES,
    may_manage_users,
    roles_of,
    student_ids_showing,
    students_for_user,
)
from schakelpunt.access.selectors import access_log_search
from schakelpunt.access.services import access_log_list
from schakelpunt.accounts.models import Membership, Organisation, User
from schakelpunt.accounts.people_views import student_not_linked
from schakelpunt.accounts.roles import Role
from schakelpunt.privacy.register import Activity
from schakelpunt.referrals.selectors import WorklistSummary, worklist_summary
from schakelpunt.students.models import Student
from schakelpunt.support.selectors import caseload_counts

from .aggregates import municipal_overviews, resident_students_by_level
from .checklist import setup_checklists


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    roles = roles_of(user)
    if roles == {Role.PARENT}:
        # A parent opens no student files: their start is the way to their children's pages.
        return render(request, "core/home.html", {"roles": roles, "parent_only": True})
    own = Student.objects.filter(user=user).first()
    if roles == {Role.STUDENT} and own is None:
        return student_not_linked(request)  # nothing to show yet: say why, and whom to ask
    context: dict[str, object] = {"roles": roles, "role_labels": [Role(r).label for r in roles]}
    if roles & FILE_ROLES:
        # The heading says why these students are the user's work.
        if roles & SCHOOL_ROLES:
            context["students_heading"] = _("Mijn studenten")
        elif Role.EXTERNAL_CARE_WORKER in roles:
            context["students_heading"] = _("Naar uw organisatie verwezen")
            context["students_intro"] = _(
                "Studenten met een geaccepteerde verwijzing die toestemming gaven om gegevens "
                "met uw organisatie te delen. U ziet alleen de gedeelde onderdelen."
            )
        elif Role.ABSENCE_OFFICER in roles and Role.ATTENDANCE_OFFICER not in roles:
            # The school's attendance coordinator keeps the absence of every student there.
            context["students_heading"] = _("Studenten van uw school")
            context["students_intro"] = _(
                "U houdt het verzuim bij van alle studenten van uw school (of uw locatie) en "
                "meldt het aan leerplicht of het RMC."
            )
        else:
            context["students_heading"] = _("Meldingen in uw regio")
            context["students_intro"] = _(
                "Studenten die in uw regio wonen en een verzuimmelding hebben, of die zonder "
                "startkwalificatie van school gingen."
            )
        students = students_for_user(user)
        context["student_count"] = students.count()
        recent = list(
            students.select_related("programme", "location").order_by("last_name", "first_name")[:8]
        )
        context["recent_students"] = recent
        context["enrolment_shown"] = student_ids_showing(
            user, [s.pk for s in recent], Part.ENROLMENT
        )
    if roles & SCHOOL_ROLES:
        context["caseload"] = caseload_counts(
            students_for_user(user, part=Part.SUPPORT), user=user, today=timezone.localdate()
        )
    if Role.EXTERNAL_CARE_WORKER in roles or roles & CARE_TEAM_ROLES:
        provider = Role.EXTERNAL_CARE_WORKER in roles
        context["referral_work"] = worklist_summary(user, timezone.localdate(), provider=provider)
    work = context.get("referral_work")
    if isinstance(work, WorklistSummary):  # the overdue ones are named, with their agreed date
        access_log_list(
            actor=user,
            activity=Activity.CARE if Role.EXTERNAL_CARE_WORKER in roles else Activity.REFERRAL,
            students=[r.student_id for r in work.overdue],
            parts=[Part.REFERRALS],
            path=request.get_full_path(),
        )
    if roles & AGGREGATE_ROLES:
        context["aggregates"] = resident_students_by_level(user=user)
    if Role.PRIVACY_OFFICER in roles:
        today = timezone.localdate()
        context["log_today"] = access_log_search(
            user=user, date_from=today, date_until=today
        ).count()
    if Role.FUNCTIONAL_ADMIN in roles:
        # From an empty install to a working school: what is done, what is next (counts only).
        context["checklists"] = setup_checklists(user=user)
    context["student_only"] = roles == {Role.STUDENT}
    if own is not None:
        context["own_student"] = own
    return render(request, "core/home.html", context)


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not may_manage_users(user):
        return HttpResponseNotFound()
    orgs = Organisation.objects.annotate(member_count=Count("memberships", distinct=True)).order_by(
        "kind", "name"
    )
    role_counts = (
        Membership.objects.active().values("role").annotate(n=Count("pk")).order_by("role")
    )
    return render(
        request,
        "core/organisations.html",
        {
            "organisations": orgs,
            "role_counts": [(Role(r["role"]).label, r["n"]) for r in role_counts],
        },
    )


@login_required
def municipality(request: HttpRequest) -> HttpResponse:
    """For the municipal advisor: students living in the municipality, as counts only."""
    user: User = request.user  # type: ignore[assignment]
    if Role.MUNICIPAL_ADVISOR not in roles_of(user):
        return HttpResponseNotFound()
    return render(
        request,
        "core/municipality.html",
        {"overviews": municipal_overviews(user=user, today=timezone.localdate())},
    )
