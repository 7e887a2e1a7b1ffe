"""The school-calendar screen: the functional administrator sees the institution's calendar
for a school year and adds, moves, removes and imports its own days off (signals/calendar.py).
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.policy import may_configure_institution
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.accounts.selectors import memberships_for
from schakelpunt.refdata.models import HolidayKind, RegionalHoliday

from .calendar import (
    calendar_periods,
    calendar_version_of,
    calendar_weeks,
    holiday_import,
    is_school_year,
    known_school_years,
    own_holiday_remove,
    own_holiday_save,
    school_year_of,
)
from .calendar_forms import HolidayImportForm, MoveForm, OwnDaysForm, RegionForm, RemoveForm
from .config import signal_settings_for, signal_settings_update


def _institution(user: User) -> Organisation:
    """The MBO institution the person sets up; 404 for everyone else."""
    for membership in memberships_for(user=user):
        organisation = membership.organisation
        if organisation.kind == OrganisationKind.MBO_INSTITUTION and may_configure_institution(
            user, organisation
        ):
            return organisation
    raise Http404


def _school_year(request: HttpRequest) -> str:
    chosen = request.GET.get("schooljaar") or request.POST.get("schooljaar") or ""
    return chosen if is_school_year(chosen) else school_year_of(timezone.localdate())


def _back(school_year: str) -> HttpResponse:
    return redirect(f"{reverse('calendar:overview')}?{urlencode({'schooljaar': school_year})}")


def _page(
    request: HttpRequest,
    institution: Organisation,
    school_year: str,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    settings = signal_settings_for(institution)
    version = calendar_version_of(institution)
    # The weeks from the whole calendar, as the rules count them: the first weeks of a school
    # year can lie in the previous year's summer holiday. The list shows this year's periods.
    everything = calendar_periods(institution)
    periods = [p for p in everything if p.school_year == school_year]
    regional = list(
        RegionalHoliday.objects.filter(region=settings.holiday_region, school_year=school_year)
    )
    weeks = calendar_weeks(everything, school_year)
    context = {
        "institution": institution,
        "settings": settings,
        "region_chosen": bool(settings.holiday_region),
        "school_year": school_year,
        "school_years": known_school_years(institution, timezone.localdate()),
        "periods": periods,
        "weeks": weeks,
        "school_weeks": sum(1 for w in weeks if w.is_school_week),
        "no_calendar": not [p for p in periods if not p.public],
        "no_regional": not regional,
        "calendar_version": version,
        "region_form": forms.get("region_form")
        or RegionForm(
            initial={"holiday_region": settings.holiday_region, "version": settings.version}
        ),
        "own_form": forms.get("own_form") or OwnDaysForm(initial={"calendar_version": version}),
        "move_form": forms.get("move_form")
        or MoveForm(regional=regional, initial={"calendar_version": version}),
        "import_form": forms.get("import_form") or HolidayImportForm(),
        "import_errors": forms.get("import_errors") or [],
    }
    return render(request, "signals/calendar/overview.html", context, status=status)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institution = _institution(user)
    return _page(request, institution, _school_year(request))


@login_required
@require_POST
def region(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institution = _institution(user)
    school_year = _school_year(request)
    form = RegionForm(request.POST)
    if not form.is_valid():
        return _page(request, institution, school_year, status=400, region_form=form)
    try:
        signal_settings_update(
            actor=user,
            institution=institution,
            expected_version=form.cleaned_data["version"],
            values={"holiday_region": form.cleaned_data["holiday_region"]},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(school_year)
    messages.success(
        request,
        _("De vakantieregio is opgeslagen; de meldingen en signalen zijn opnieuw berekend."),
    )
    return _back(school_year)


@login_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    """A study day or a period of extra days off."""
    user: User = request.user  # type: ignore[assignment]
    institution = _institution(user)
    school_year = _school_year(request)
    form = OwnDaysForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            own_holiday_save(
                actor=user,
                institution=institution,
                expected_version=data["calendar_version"],
                name=data["name"],
                start=data["start"],
                end=data["end"],
            )
        except ValidationError as error:
            if error.code == "stale":
                messages.error(request, " ".join(error.messages))
                return _back(school_year)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is toegevoegd; de meldingen en signalen zijn opnieuw berekend.")
                % {"name": data["name"]},
            )
            return _back(school_year_of(data["start"]))
    return _page(request, institution, school_year, status=400, own_form=form)


@login_required
@require_POST
def move(request: HttpRequest) -> HttpResponse:
    """Own dates for one of the region's periods (a different autumn week)."""
    user: User = request.user  # type: ignore[assignment]
    institution = _institution(user)
    school_year = _school_year(request)
    settings = signal_settings_for(institution)
    regional = list(
        RegionalHoliday.objects.filter(region=settings.holiday_region, school_year=school_year)
    )
    form = MoveForm(request.POST, regional=regional)
    if form.is_valid():
        data = form.cleaned_data
        period = form.chosen()
        name = data["name"] or _("%(holiday)s (eigen data)") % {
            "holiday": HolidayKind(period.name).label
        }
        try:
            own_holiday_save(
                actor=user,
                institution=institution,
                expected_version=data["calendar_version"],
                name=name,
                start=data["start"],
                end=data["end"],
                replaces=period.name,
                school_year=period.school_year,
            )
        except ValidationError as error:
            if error.code == "stale":
                messages.error(request, " ".join(error.messages))
                return _back(school_year)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(holiday)s is verplaatst; de meldingen en signalen zijn opnieuw berekend.")
                % {"holiday": period.get_name_display()},
            )
            return _back(school_year)
    return _page(request, institution, school_year, status=400, move_form=form)


@login_required
@require_POST
def remove(request: HttpRequest, holiday_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institution = _institution(user)
    school_year = _school_year(request)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _page(request, institution, school_year, status=400)
    try:
        own_holiday_remove(
            actor=user,
            institution=institution,
            holiday_id=holiday_id,
            expected_version=form.cleaned_data["calendar_version"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("De periode is verwijderd; de meldingen en signalen zijn opnieuw berekend.")
        )
    return _back(school_year)


@login_required
@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    """A CSV of own days off, all or nothing."""
    user: User = request.user  # type: ignore[assignment]
    institution = _institution(user)
    school_year = _school_year(request)
    form = HolidayImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, institution, school_year, status=400, import_form=form)
    result = holiday_import(
        actor=user, institution=institution, data=form.cleaned_data["file"].read()
    )
    if not result.ok:
        return _page(
            request,
            institution,
            school_year,
            status=400,
            import_form=form,
            import_errors=[str(e) for e in result.errors],
        )
    messages.success(
        request,
        _("Ingelezen: %(created)s toegevoegd, %(updated)s gewijzigd, %(unchanged)s al bekend.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    # Show the imported days: the chosen school year if the file has days in it, else the
    # first school year of the file.
    if result.school_years and school_year not in result.school_years:
        school_year = result.school_years[0]
    return _back(school_year)
