"""The worklist of statutory absence reports."""

from collections.abc import Callable, Iterable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.decorators import worklist_view
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    about_students,
    institutions_for_signal_quality,
    may_configure_institution,
    may_import_absence,
    may_open_student_files,
    students_for_export,
    students_for_follow_up,
    students_for_user,
)
from schakelpunt.access.services import access_log_list, access_log_record
from schakelpunt.accounts.models import Level, Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.accounts.selectors import memberships_for
from schakelpunt.core.exports import csv_writer
from schakelpunt.privacy.register import Activity
from schakelpunt.students.filters import query_without_page

from .calendar import institutions_without_calendar
from .config import signal_settings_for, signal_settings_update
from .follow_up import (
    leaver_follow_up_record,
    leaver_follow_ups,
    report_follow_up_record,
    rmc_leavers,
)
from .forms import (
    SETTINGS_PAGE_FIELDS,
    AbsenceImportForm,
    LeaverFilterForm,
    MarkReportedForm,
    ReportFilterForm,
    SignalSettingsForm,
)
from .models import (
    AbsenceImportJob,
    AbsenceReport,
    FollowUpStatus,
    SignalQualityRun,
)
from .quality import follow_through, quality_row
from .selectors import filter_leavers, filter_reports, report_kind_label
from .services import absence_report_mark_reported
from .tasks import absence_import_job_start, run_quality_compute

# Name, number and date of birth, and the report with the residence municipality it goes to.
REPORT_EXPORT_PARTS = frozenset({Part.IDENTITY, Part.ABSENCE})


def _reports_for(user: User) -> QuerySet[AbsenceReport]:
    # Each report's student looked up by key: an IN-list would read every student of the
    # region for a few thousand reports (SQLite).
    return AbsenceReport.objects.filter(
        about_students(students_for_user(user, part=Part.ABSENCE))
    ).select_related("student", "student__residence_municipality")


@worklist_view
def worklist(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    filter_form = _report_filter_form(request, user)
    reports = filter_reports(_reports_for(user), filter_form.report_filter())
    reports = reports.select_related("student__institution", "follow_up_by").order_by(
        "-threshold_on", "student__last_name", "pk"
    )
    page = Paginator(reports, 30).get_page(request.GET.get("pagina"))
    changeable = set(
        students_for_user(user, part=Part.ABSENCE, action=Action.CHANGE)
        .filter(pk__in=[r.student_id for r in page.object_list])
        .values_list("pk", flat=True)
    )
    may_mark = {r.pk for r in page.object_list if r.student_id in changeable}
    followers = set(
        students_for_follow_up(user)
        .filter(pk__in=[r.student_id for r in page.object_list])
        .values_list("pk", flat=True)
    )
    options = _StatusOptions()
    for r in page.object_list:
        r.may_follow = r.student_id in followers
        r.status_options = options.chosen(r.follow_up_status) if r.may_follow else ""
    access_log_list(
        actor=user,
        activity=Activity.ABSENCE,
        students=[r.student_id for r in page.object_list],
        parts=[Part.ABSENCE],
        path=request.get_full_path(),
    )
    return render(
        request,
        "signals/worklist.html",
        {
            "page": page,
            "filter_form": filter_form,
            "query": query_without_page(request.GET),
            "may_mark": may_mark,
            "form": MarkReportedForm(),
            "calendars_missing": _calendars_missing(user, page.object_list),
        },
    )


def _calendars_missing(
    user: User, shown: Iterable[AbsenceReport]
) -> list[tuple[Organisation, bool]]:
    """The person's institutions and those of the reports shown that have no holidays at all
    in the current school year (holiday weeks would count as school weeks), each with
    whether the person may set up its calendar."""
    institutions = [
        m.organisation
        for m in memberships_for(user=user)
        if m.organisation.kind == OrganisationKind.MBO_INSTITUTION
    ] + [r.student.institution for r in shown]
    return [
        (institution, may_configure_institution(user, institution))
        for institution in institutions_without_calendar(institutions, timezone.localdate())
    ]


@login_required
@require_POST
def mark_reported(request: HttpRequest, report_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not _reports_for(user).filter(pk=report_id).exists():
        raise Http404
    form = MarkReportedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul de datum en het kenmerk van de melding in."))
        return redirect("signals:worklist")
    try:
        absence_report_mark_reported(actor=user, report_id=report_id, **form.cleaned_data)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Vastgelegd als gemeld."))
    return redirect("signals:worklist")


def _report_filter_form(request: HttpRequest, user: User) -> ReportFilterForm:
    return ReportFilterForm(
        request.GET,
        students=students_for_user(user, part=Part.ABSENCE),
        places=("school", "locatie", "gemeente"),
    )


@login_required
def worklist_export(request: HttpRequest) -> HttpResponse:
    """The reports as the list shows them (open ones unless filtered otherwise), as CSV for
    leerplicht/RMC: who, which school, which municipality, which report in words."""
    user: User = request.user  # type: ignore[assignment]
    filter_form = _report_filter_form(request, user)
    reports = list(
        filter_reports(_reports_for(user), filter_form.report_filter())
        .filter(student__in=students_for_export(user, REPORT_EXPORT_PARTS))
        .select_related("student__institution", "student__location")
        .order_by("threshold_on", "student__last_name", "pk")
    )
    if not reports:
        raise Http404
    students = {r.student_id: r.student for r in reports}
    # School and location only of the students whose enrolment this user may export.
    with_school = set(
        students_for_export(user, frozenset({Part.ENROLMENT}))
        .filter(pk__in=students)
        .values_list("pk", flat=True)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verzuimmeldingen.csv"'
    response.write("\ufeff")
    writer = csv_writer(response)
    writer.writerow(
        [
            "studentnummer",
            "naam",
            "geboortedatum",
            "school",
            "locatie",
            "woongemeente",
            "soort melding",
            "begindatum",
            "drempel bereikt op",
            "einddatum",
            "ongeoorloofde uren",
            "gemeld op",
            "kenmerk",
            "opvolging",
            "versie regels",
        ]
    )
    for r in reports:
        s = r.student
        writer.writerow(
            [
                s.student_number,
                s.full_name,
                s.date_of_birth.isoformat(),
                s.institution.name if s.pk in with_school else "",
                s.location.name if s.pk in with_school else "",
                s.residence_municipality.name if s.residence_municipality else "",
                report_kind_label(r.kind),
                r.start_date.isoformat(),
                r.threshold_on.isoformat(),
                r.end_date.isoformat() if r.end_date else _("loopt nog"),
                r.unauthorised_hours,
                r.reported_on.isoformat() if r.reported_on else "",
                r.reference,
                r.get_follow_up_status_display(),
                r.rules_version,
            ]
        )
    access_log_record(
        actor=user,
        activity=Activity.ABSENCE,
        students=students.values(),
        action=Action.EXPORT,
        parts=REPORT_EXPORT_PARTS,
        role="absence-worklist",
        path=request.path,
    )
    if with_school:
        access_log_record(
            actor=user,
            activity=Activity.ABSENCE,
            students=[s for pk, s in students.items() if pk in with_school],
            action=Action.EXPORT,
            parts=[Part.ENROLMENT],
            role="absence-worklist",
            path=request.path,
        )
    return response


def _import_institutions(user: User) -> list[Organisation]:
    return [
        m.organisation
        for m in memberships_for(user=user)
        if m.organisation.kind == OrganisationKind.MBO_INSTITUTION
        and may_import_absence(user, m.organisation)
    ]


@login_required
def absence_import_view(request: HttpRequest) -> HttpResponse:
    """Upload the student information system's absence file; it is read in the background."""
    user: User = request.user  # type: ignore[assignment]
    institutions = list({i.pk: i for i in _import_institutions(user)}.values())
    if not institutions:
        raise Http404
    form = AbsenceImportForm(request.POST or None, request.FILES or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = absence_import_job_start(
            actor=user,
            institution=form.cleaned_data["institution"],
            filename=upload.name,
            data=upload.read(),
        )
        return redirect("signals:import_job", job_id=job.pk)
    jobs = AbsenceImportJob.objects.filter(uploaded_by=user).defer("data")[:10]
    return render(request, "signals/import.html", {"form": form, "jobs": jobs})


@login_required
def absence_import_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress and the result of one upload; htmx asks for the fragment until it ends."""
    user: User = request.user  # type: ignore[assignment]
    job = AbsenceImportJob.objects.filter(pk=job_id, uploaded_by=user).defer("data").first()
    if job is None:
        raise Http404
    template = "signals/_import_job.html" if request.htmx else "signals/import_job.html"  # type: ignore[attr-defined]
    # The functional administrator imports but opens no student file, so no worklist (404).
    return render(
        request, template, {"job": job, "may_open_worklist": may_open_student_files(user)}
    )


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """The functional administrator sets the optional 18+ reports and the early-warning
    thresholds of their institution (the holiday region is on the school calendar)."""
    user: User = request.user  # type: ignore[assignment]
    institution = next(
        (
            m.organisation
            for m in memberships_for(user=user)
            if m.organisation.kind == OrganisationKind.MBO_INSTITUTION
            and may_configure_institution(user, m.organisation)
        ),
        None,
    )
    if institution is None:
        raise Http404
    current = signal_settings_for(institution)
    form = SignalSettingsForm(
        request.POST or None, instance=current, initial={"version": current.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            signal_settings_update(
                actor=user,
                institution=institution,
                expected_version=form.cleaned_data["version"],
                values={name: form.cleaned_data[name] for name in SETTINGS_PAGE_FIELDS},
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            fresh = signal_settings_for(institution)
            form = SignalSettingsForm(instance=fresh, initial={"version": fresh.version})
        else:
            messages.success(request, _("De instellingen zijn opgeslagen."))
            return redirect("signals:settings")
    return render(
        request,
        "signals/settings.html",
        {"form": form, "institution": institution, "settings": current},
    )


def _follow_up(request: HttpRequest, record: Callable[..., object], target: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        version = int(request.POST.get("version", ""))
    except ValueError as error:
        raise Http404 from error
    try:
        record(
            actor=user,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            expected_version=version,
        )
    except (PermissionDenied, ObjectDoesNotExist) as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("De opvolging is vastgelegd."))
    return redirect(target)


class _StatusOptions:
    """The options of a row's follow-up status select, built once per chosen status and page
    rather than looped over in the template for every row."""

    def __init__(self) -> None:
        self._built: dict[str, SafeString] = {}

    def chosen(self, status: str) -> SafeString:
        if status not in self._built:
            self._built[status] = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, " selected" if value == status else "", label)
                    for value, label in FollowUpStatus.choices
                ),
            )
        return self._built[status]


@login_required
@require_POST
def report_follow_up(request: HttpRequest, report_id: int) -> HttpResponse:
    return _follow_up(
        request,
        lambda **kw: report_follow_up_record(report_id=report_id, **kw),
        "signals:worklist",
    )


@worklist_view
def rmc_list(request: HttpRequest) -> HttpResponse:
    """Students who left without startkwalificatie before 23: who is following them up."""
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    leavers = rmc_leavers(user, today)
    filter_form = LeaverFilterForm(
        request.GET, students=leavers, places=("school", "locatie", "gemeente")
    )
    leavers = filter_leavers(leavers, filter_form.leaver_filter())
    page = Paginator(leavers, 30).get_page(request.GET.get("pagina"))
    students = list(page.object_list)
    follow_ups = leaver_follow_ups(students)
    followers = set(
        students_for_follow_up(user)
        .filter(pk__in=[s.pk for s in students])
        .values_list("pk", flat=True)
    )
    options = _StatusOptions()
    rows = []
    for s in students:
        follow_up = follow_ups.get((s.pk, s.left_on))
        may_follow = s.pk in followers
        # Nobody recorded anything yet: "new" is chosen.
        chosen = follow_up.follow_up_status if follow_up else FollowUpStatus.NEW
        rows.append(
            {
                "student": s,
                "follow_up": follow_up,
                "may_follow": may_follow,
                "status_options": options.chosen(chosen) if may_follow else "",
                "age": s.age_on(today),
            }
        )
    access_log_list(
        actor=user,
        activity=Activity.RMC,
        students=students,
        parts=[Part.IDENTITY, Part.ENROLMENT],
        path=request.get_full_path(),
    )
    return render(
        request,
        "signals/rmc_list.html",
        {
            "page": page,
            "rows": rows,
            "filter_form": filter_form,
            "query": query_without_page(request.GET),
        },
    )


@login_required
@require_POST
def leaver_follow_up(request: HttpRequest, student_id: int) -> HttpResponse:
    return _follow_up(
        request,
        lambda **kw: leaver_follow_up_record(student_id=student_id, **kw),
        "signals:rmc_list",
    )


def last_school_year(today: date) -> tuple[date, date]:
    end_year = today.year if today.month >= 8 else today.year - 1
    return date(end_year - 1, 8, 1), date(end_year, 7, 31)


@login_required
def quality_view(request: HttpRequest) -> HttpResponse:
    """How good is our signalling? Counts only; recomputed in the background on request."""
    user: User = request.user  # type: ignore[assignment]
    institutions = institutions_for_signal_quality(user)
    if not institutions:
        raise Http404
    institution = institutions[0]
    start, end = last_school_year(timezone.localdate())
    if request.method == "POST":
        transaction.on_commit(
            lambda: run_quality_compute(institution.pk, start.isoformat(), end.isoformat())
        )
        messages.success(
            request,
            _("De terugblik wordt opnieuw berekend met de huidige drempels. Dat duurt even."),
        )
        return redirect("signals:quality")
    run = SignalQualityRun.objects.filter(
        institution=institution, period_start=start, period_end=end
    ).first()
    context: dict[str, object] = {
        "institution": institution,
        "start": start,
        "end": end,
        "run": run,
    }
    if run is not None:
        groups = run.groups
        context["overall"] = quality_row(_("Hele instelling"), groups["overall"])
        context["by_level"] = [
            quality_row(str(Level(int(level)).label), g) for level, g in groups["level"].items()
        ]
        context["by_location"] = [quality_row(name, g) for name, g in groups["location"].items()]
    context["follow_through"] = follow_through(institution=institution, start=start, end=end)
    return render(request, "signals/quality.html", context)
