"""The functional administrator builds the institution: locations, teams, programmes and the
coaches in each team, by hand or from a file. Writes go through accounts.institution; the
access policy decides, and anyone else gets the same 404 as for a page that is not there."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.core.changes import form_errors_as_messages, run_change
from schakelpunt.core.forms import InstitutionUploadForm

from .institution import (
    enrolled_students,
    institution_structure,
    institutions_configured_by,
    is_ended,
    location_create,
    location_end,
    location_rename,
    programme_create,
    programme_end,
    programme_rename,
    programme_team_change,
    staff_of,
    team_coaches,
    team_create,
    team_end,
    team_member_add,
    team_member_end,
    team_rename,
    teams_in_use,
)
from .institution_forms import (
    EndForm,
    LocationForm,
    MemberAddForm,
    MemberEndForm,
    ProgrammeForm,
    ProgrammeTeamForm,
    RenameForm,
    TeamForm,
)
from .institution_importer import institution_import
from .models import Location, Membership, Organisation, Programme, ProgrammeTeam, User

EXAMPLE_NAME = "opleidingen"  # core/examples/opleidingen.csv


def _institutions(request: HttpRequest) -> list[Organisation]:
    user: User = request.user  # type: ignore[assignment]
    institutions = institutions_configured_by(user)
    if not institutions:
        raise Http404
    return institutions


def _own(request: HttpRequest, institution: Organisation) -> Organisation:
    """The object's institution, when this person sets it up; else the same 404 as absent."""
    if institution.pk not in {i.pk for i in _institutions(request)}:
        raise Http404
    return institution


def _chosen(request: HttpRequest, institutions: list[Organisation]) -> Organisation:
    wanted = request.GET.get("instelling", "")
    return next((i for i in institutions if str(i.pk) == wanted), institutions[0])


def _back(institution: Organisation, anchor: str = "") -> HttpResponse:
    url = reverse("institution:overview") + f"?instelling={institution.pk}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _overview_url(institution: Organisation, anchor: str) -> str:
    return reverse("institution:overview") + f"?instelling={institution.pk}#{anchor}"


def _example_urls() -> tuple[str, str] | None:
    """The example file as CSV and Excel, served by the example-files view when it is there."""
    try:
        return (
            reverse("core:example_csv", kwargs={"name": EXAMPLE_NAME}),
            reverse("core:example_xlsx", kwargs={"name": EXAMPLE_NAME}),
        )
    except NoReverseMatch:
        return None


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """ "Opbouw van de instelling": locations → teams → programmes with their counts and
    coaches, and the import (which answers on this page). Each part is changed on a page of
    its own and the forms to add one are on another, so this page stays small and quick
    however large the institution is (it was 800 KB with every part's forms in it)."""
    user: User = request.user  # type: ignore[assignment]
    institutions = _institutions(request)
    institution = _chosen(request, institutions)
    upload = InstitutionUploadForm(
        request.POST or None, request.FILES or None, institutions=[institution]
    )
    upload.fields["file"].label = _("Bestand met opleidingen (CSV of Excel)")
    result = None
    if request.method == "POST" and upload.is_valid():
        try:
            result = institution_import(
                actor=user, institution=institution, data=upload.cleaned_data["file"].read()
            )
        except PermissionDenied as error:
            raise Http404 from error
    structure = institution_structure(institution)
    today = timezone.localdate()
    return render(
        request,
        "accounts/institution/overview.html",
        {
            "institution": institution,
            "institutions": institutions,
            "structure": structure,
            "upload_form": upload,
            "result": result,
            # Each part's own page, as a prefix: a reverse() per row is half the page's time.
            "parts_url": reverse("institution:overview"),
            "add_url": reverse("institution:add") + f"?instelling={institution.pk}",
            "has_locations": any(not is_ended(lv.location.ended_on, today) for lv in structure),
            "has_teams": teams_in_use(institution).exists(),
            "today": today,
            "example_urls": _example_urls(),
        },
    )


@login_required
def add_page(request: HttpRequest) -> HttpResponse:
    """The forms to add a location, a team or a programme (posted to the views below)."""
    institution = _chosen(request, _institutions(request))
    return render(
        request,
        "accounts/institution/add.html",
        {
            "institution": institution,
            "overview_url": _overview_url(institution, "add-heading"),
            "location_form": LocationForm(
                prefix="location",
                institutions=[institution],
                initial={"institution": institution.pk},
            ),
            "team_form": TeamForm(prefix="team", institutions=[institution]),
            "programme_form": ProgrammeForm(prefix="programme", institutions=[institution]),
        },
    )


def _post(
    request: HttpRequest,
    form: Form,
    institution: Organisation,
    change: Callable[[dict[str, Any]], object],
    done: str,
    back_to: str = "",
    failed_to: str = "",
) -> HttpResponse:
    """Check the form, run the change (the service decides), and go back to the page of the
    part that changed (`back_to`), or else to the overview; after a refusal to `failed_to`
    when given (the form to try again)."""
    if form.is_valid():
        done_ok = run_change(request, lambda: change(form.cleaned_data), done)
    else:
        form_errors_as_messages(request, form)
        done_ok = False
    if failed_to and not done_ok:
        return redirect(failed_to)
    return redirect(back_to) if back_to else _back(institution)


def _add_url(institution: Organisation, anchor: str) -> str:
    return reverse("institution:add") + f"?instelling={institution.pk}#{anchor}"


def _part_page(
    request: HttpRequest,
    template: str,
    institution: Organisation,
    anchor: str,
    context: dict[str, Any],
) -> HttpResponse:
    return render(
        request,
        f"accounts/institution/{template}",
        {
            "institution": institution,
            "overview_url": _overview_url(institution, anchor),
            "today": timezone.localdate(),
            **context,
        },
    )


@login_required
def location_detail(request: HttpRequest, location_id: int) -> HttpResponse:
    """One location: its teams, and the forms to rename or end it."""
    location = get_object_or_404(
        Location.objects.select_related("institution", "municipality"), pk=location_id
    )
    institution = _own(request, location.institution)
    return _part_page(
        request,
        "location.html",
        institution,
        f"location-{location.pk}",
        {
            "location": location,
            "teams": list(location.teams.order_by("name")),
            "students": enrolled_students().filter(location=location).count(),
        },
    )


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    """One team: its programmes and coaches, the forms to rename or end it and to put a
    staff member in it or take one out."""
    team = _team(team_id)
    institution = _own(request, team.location.institution)
    staff = staff_of(institution)
    return _part_page(
        request,
        "team.html",
        institution,
        f"team-{team.pk}",
        {
            "team": team,
            "programmes": list(team.programmes.order_by("name", "level", "pathway")),
            "coaches": team_coaches(team),
            "students": enrolled_students().filter(programme__team=team).count(),
            "member_form": MemberAddForm(staff=staff),
            "has_staff": staff.exists(),
        },
    )


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    """One programme: what it is, and the forms to rename or end it."""
    programme = _programme(programme_id)
    institution = _own(request, programme.team.location.institution)
    return _part_page(
        request,
        "programme.html",
        institution,
        f"programme-{programme.pk}",
        {
            "programme": programme,
            "students": enrolled_students().filter(programme=programme).count(),
            "team_form": ProgrammeTeamForm(programme=programme, prefix="move"),
        },
    )


@login_required
@require_POST
def location_add_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institutions = _institutions(request)
    form = LocationForm(request.POST, prefix="location", institutions=institutions)
    institution = (
        form.cleaned_data["institution"] if form.is_valid() else _chosen(request, institutions)
    )
    return _post(
        request,
        form,
        institution,
        lambda d: location_create(
            actor=user, institution=institution, name=d["name"], municipality=d["municipality"]
        ),
        _("De locatie is toegevoegd."),
        failed_to=_add_url(institution, "add-location"),
    )


@login_required
@require_POST
def location_rename_view(request: HttpRequest, location_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    location = get_object_or_404(Location.objects.select_related("institution"), pk=location_id)
    return _post(
        request,
        RenameForm(request.POST),
        _own(request, location.institution),
        lambda d: location_rename(
            actor=user, location=location, name=d["name"], expected_name=d["expected_name"]
        ),
        _("De naam van de locatie is gewijzigd."),
        reverse("institution:location", args=[location.pk]),
    )


@login_required
@require_POST
def location_end_view(request: HttpRequest, location_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    location = get_object_or_404(Location.objects.select_related("institution"), pk=location_id)
    return _post(
        request,
        EndForm(request.POST),
        _own(request, location.institution),
        lambda d: location_end(actor=user, location=location, ended_on=d["ended_on"]),
        _("De locatie is beëindigd."),
        reverse("institution:location", args=[location.pk]),
    )


@login_required
@require_POST
def team_add_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institutions = _institutions(request)
    form = TeamForm(request.POST, prefix="team", institutions=institutions)
    institution = (
        form.cleaned_data["location"].institution
        if form.is_valid()
        else _chosen(request, institutions)
    )
    return _post(
        request,
        form,
        institution,
        lambda d: team_create(actor=user, location=d["location"], name=d["name"]),
        _("Het team is toegevoegd."),
        failed_to=_add_url(institution, "add-team"),
    )


def _team(team_id: int) -> ProgrammeTeam:
    return get_object_or_404(
        ProgrammeTeam.objects.select_related("location__institution"), pk=team_id
    )


@login_required
@require_POST
def team_rename_view(request: HttpRequest, team_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    team = _team(team_id)
    return _post(
        request,
        RenameForm(request.POST),
        _own(request, team.location.institution),
        lambda d: team_rename(
            actor=user, team=team, name=d["name"], expected_name=d["expected_name"]
        ),
        _("De naam van het team is gewijzigd."),
        reverse("institution:team", args=[team.pk]),
    )


@login_required
@require_POST
def team_end_view(request: HttpRequest, team_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    team = _team(team_id)
    return _post(
        request,
        EndForm(request.POST),
        _own(request, team.location.institution),
        lambda d: team_end(actor=user, team=team, ended_on=d["ended_on"]),
        _("Het team is beëindigd."),
        reverse("institution:team", args=[team.pk]),
    )


@login_required
@require_POST
def team_member_add_view(request: HttpRequest, team_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    team = _team(team_id)
    institution = _own(request, team.location.institution)
    return _post(
        request,
        MemberAddForm(request.POST, staff=staff_of(institution)),
        institution,
        lambda d: team_member_add(actor=user, team=team, user=d["user"]),
        _("De medewerker hoort nu bij het team als studieloopbaanbegeleider."),
        reverse("institution:team", args=[team.pk]),
    )


@login_required
@require_POST
def team_member_end_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    membership = get_object_or_404(
        Membership.objects.select_related("organisation"),
        pk=membership_id,
        programme_team__isnull=False,
    )
    return _post(
        request,
        MemberEndForm(request.POST),
        _own(request, membership.organisation),
        lambda d: team_member_end(actor=user, membership=membership, last_day=d["last_day"]),
        _("Het lidmaatschap van het team is beëindigd."),
        reverse("institution:team", args=[membership.programme_team_id]),
    )


@login_required
@require_POST
def programme_add_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institutions = _institutions(request)
    form = ProgrammeForm(request.POST, prefix="programme", institutions=institutions)
    institution = (
        form.cleaned_data["team"].location.institution
        if form.is_valid()
        else _chosen(request, institutions)
    )
    return _post(
        request,
        form,
        institution,
        lambda d: programme_create(
            actor=user,
            team=d["team"],
            crebo=d["crebo"],
            name=d["name"],
            level=d["level"],
            pathway=d["pathway"],
        ),
        _("De opleiding is toegevoegd."),
        failed_to=_add_url(institution, "add-programme"),
    )


def _programme(programme_id: int) -> Programme:
    return get_object_or_404(
        Programme.objects.select_related("team__location__institution"), pk=programme_id
    )


@login_required
@require_POST
def programme_rename_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    programme = _programme(programme_id)
    return _post(
        request,
        RenameForm(request.POST),
        _own(request, programme.team.location.institution),
        lambda d: programme_rename(
            actor=user, programme=programme, name=d["name"], expected_name=d["expected_name"]
        ),
        _("De naam van de opleiding is gewijzigd."),
        reverse("institution:programme", args=[programme.pk]),
    )


@login_required
@require_POST
def programme_end_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    programme = _programme(programme_id)
    return _post(
        request,
        EndForm(request.POST),
        _own(request, programme.team.location.institution),
        lambda d: programme_end(actor=user, programme=programme, ended_on=d["ended_on"]),
        _("De opleiding is beëindigd."),
        reverse("institution:programme", args=[programme.pk]),
    )


@login_required
@require_POST
def programme_team_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    programme = _programme(programme_id)
    return _post(
        request,
        ProgrammeTeamForm(request.POST, programme=programme, prefix="move"),
        _own(request, programme.team.location.institution),
        lambda d: programme_team_change(
            actor=user, programme=programme, team=d["team"], expected_team_id=d["expected_team"]
        ),
        _("De opleiding hoort nu bij een ander team."),
        reverse("institution:programme", args=[programme.pk]),
    )
