"""The sociale kaart: search it, read one entry, keep entries up to date."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.policy import (
    may_edit_directory,
    may_edit_directory_entry,
    may_edit_whole_directory,
    provider_organisation_ids,
)
from schakelpunt.accounts.models import User

from .forms import (
    ContactForm,
    HoursForm,
    OrganisationForm,
    SearchForm,
    ServiceCreateForm,
    ServiceForm,
)
from .hsds import directory_export_json
from .models import Contact, DirectoryOrganisation, Service
from .selectors import (
    DirectoryQuery,
    services_search,
    services_stale,
    services_with_hours,
)
from .services import (
    DirectoryError,
    contact_add,
    contact_remove,
    hours_add,
    hours_remove,
    locations_for,
    organisation_update,
    service_create,
    service_mark_checked,
    service_update,
)

PAGE_SIZE = 25


def _versioned_save(form: Any, save: Callable[[int, dict[str, Any]], object]) -> bool:
    """Save the form's values with the version it was opened at; a refusal (someone else saved
    in between, or a rule) becomes the form's error."""
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        save(form.cleaned_data["version"], values)
    except DirectoryError as error:
        form.add_error(None, str(error))
        return False
    return True


def _student_id(request: HttpRequest) -> str:
    """The student a search is for (to refer from a result): a number, or nothing."""
    value = request.GET.get("student", "")
    return value if value.isdigit() else ""


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Everyone who logs in may read the sociale kaart: it holds no student data."""
    form = SearchForm(request.GET or None)
    query = DirectoryQuery()
    if form.is_valid():
        data = form.cleaned_data
        query = DirectoryQuery(
            text=data["q"],
            life_domain=data["domein"],
            law=data["wet"],
            municipality=data["gemeente"],
            age=data["leeftijd"],
            available_now=data["nu"],
        )
    page = Paginator(services_with_hours(services_search(query)), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    params = request.GET.copy()
    params.pop("pagina", None)
    context = {
        "form": form,
        "page": page,
        "query_string": params.urlencode(),
        "may_edit": may_edit_directory(request.user),  # type: ignore[arg-type]
        "student_id": _student_id(request),
    }
    template = "directory/_results.html" if request.htmx else "directory/search.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _service(service_id: int) -> Service:
    service = (
        services_with_hours(Service.objects.select_related("organisation", "updated_by"))
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404
    return service


@login_required
def service_detail(request: HttpRequest, service_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    service = _service(service_id)
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "contacts": service.contacts.all(),
            "may_edit": may_edit_directory_entry(user, service.organisation.account_id),
            "student_id": _student_id(request),
        },
    )


@login_required
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    service = _service(service_id)
    if not may_edit_directory_entry(user, service.organisation.account_id):
        raise Http404
    form = ServiceForm(request.POST or None, instance=service, initial={"version": service.version})
    if (
        request.method == "POST"
        and form.is_valid()
        and _versioned_save(
            form,
            lambda version, values: service_update(
                actor=user, service_id=service.pk, expected_version=version, values=values
            ),
        )
    ):
        messages.success(request, _("Het aanbod is bijgewerkt."))
        return redirect("directory:detail", service_id=service.pk)
    return render(
        request,
        "directory/service_edit.html",
        {
            "service": service,
            "form": form,
            "hours_form": HoursForm(locations=locations_for(service)),
        },
    )


@login_required
@require_POST
def service_checked(request: HttpRequest, service_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        service_mark_checked(actor=user, service_id=service_id)
    except DirectoryError as error:
        raise Http404 from error
    messages.success(request, _("Gemarkeerd als gecontroleerd: de gegevens kloppen nog."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/sociale-kaart/") else "directory:stale")


@login_required
def stale(request: HttpRequest) -> HttpResponse:
    """Entries not checked for six months: for the administrator all, for a provider its own."""
    user: User = request.user  # type: ignore[assignment]
    if not may_edit_directory(user):
        raise Http404
    entries = [
        s for s in services_stale() if may_edit_directory_entry(user, s.organisation.account_id)
    ]
    return render(request, "directory/stale.html", {"entries": entries})


@login_required
def export_hsds(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(directory_export_json(), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="sociale-kaart-hsds.json"'
    return response


@login_required
def service_new(request: HttpRequest) -> HttpResponse:
    """Add an entry: the administrator for any organisation, a provider for its own."""
    user: User = request.user  # type: ignore[assignment]
    if not may_edit_directory(user):
        raise Http404
    organisations = DirectoryOrganisation.objects.order_by("name")
    if not may_edit_whole_directory(user):
        organisations = organisations.filter(account_id__in=provider_organisation_ids(user))
    form = ServiceCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            service = service_create(
                actor=user, organisation_id=form.cleaned_data["organisation"].pk, values=values
            )
        except DirectoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Het aanbod staat op de sociale kaart."))
            return redirect("directory:detail", service_id=service.pk)
    return render(request, "directory/service_new.html", {"form": form})


@login_required
@require_POST
def hours_add_view(request: HttpRequest, service_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    service = _service(service_id)
    form = HoursForm(request.POST, locations=locations_for(service))
    if not form.is_valid():
        messages.error(request, _("Kies een locatie, een dag en de tijden."))
    else:
        data = form.cleaned_data
        try:
            hours_add(
                actor=user,
                service_id=service.pk,
                location_id=data["location"].pk,
                weekday=data["weekday"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except DirectoryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("De tijd is toegevoegd."))
    return redirect("directory:edit", service_id=service.pk)


@login_required
@require_POST
def hours_remove_view(request: HttpRequest, service_id: int, hours_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        hours_remove(actor=user, service_id=service_id, hours_id=hours_id)
    except DirectoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("De tijd is verwijderd."))
    return redirect("directory:edit", service_id=service_id)


def _organisation(user: User, organisation_id: int) -> DirectoryOrganisation:
    organisation = DirectoryOrganisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not may_edit_directory_entry(user, organisation.account_id):
        raise Http404
    return organisation


@login_required
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The organisation's details and contact persons, for the administrator or the provider."""
    user: User = request.user  # type: ignore[assignment]
    organisation = _organisation(user, organisation_id)
    form = OrganisationForm(
        request.POST or None, instance=organisation, initial={"version": organisation.version}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _versioned_save(
            form,
            lambda version, values: organisation_update(
                actor=user, organisation_id=organisation.pk, expected_version=version, values=values
            ),
        )
    ):
        messages.success(request, _("De organisatie is bijgewerkt."))
        return redirect("directory:organisation", organisation_id=organisation.pk)
    return render(
        request,
        "directory/organisation_edit.html",
        {
            "organisation": organisation,
            "form": form,
            "contacts": organisation.contacts.select_related("service"),
            "services": organisation.services.order_by("name"),
            "contact_form": ContactForm(organisation=organisation),
        },
    )


@login_required
@require_POST
def contact_add_view(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = _organisation(user, organisation_id)
    form = ContactForm(request.POST, organisation=organisation)
    if not form.is_valid():
        messages.error(request, _("Vul in elk geval de naam in, en een geldig e-mailadres."))
    else:
        try:
            contact_add(actor=user, organisation_id=organisation.pk, values=form.cleaned_data)
        except DirectoryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("De contactpersoon is toegevoegd."))
    return redirect("directory:organisation", organisation_id=organisation.pk)


@login_required
@require_POST
def contact_remove_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    try:
        contact_remove(actor=user, contact_id=contact_id)
    except DirectoryError as error:
        raise Http404 from error
    messages.success(request, _("De contactpersoon is verwijderd."))
    return redirect("directory:organisation", organisation_id=contact.organisation_id)
