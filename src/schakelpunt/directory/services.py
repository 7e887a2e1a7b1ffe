"""Writes of the sociale kaart: edit a service (never over someone else's save), mark checked."""

from datetime import time
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_edit_directory_entry
from schakelpunt.accounts.models import User

from .models import (
    Contact,
    DirectoryLocation,
    DirectoryOrganisation,
    OpeningHours,
    Service,
    ServiceAtLocation,
)
from .selectors import search_text_for

EDITABLE_FIELDS = [
    "name",
    "description",
    "status",
    "email",
    "url",
    "phone",
    "life_domains",
    "laws",
    "minimum_age",
    "maximum_age",
    "eligibility",
    "application_process",
    "needs_decision",
    "wait_days",
    "capacity_available",
    "capacity_maximum",
    "first_contact_days",
    "is_entry_point",
]


class DirectoryError(Exception):
    """Shown to the user as it is (Dutch)."""


def _locked_for_edit(actor: User, service_id: int) -> Service:
    """The service, locked until the transaction ends, if the actor may edit it."""
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=service_id)
        .first()
    )
    if service is None or not may_edit_directory_entry(actor, service.organisation.account_id):
        raise DirectoryError(_("U mag dit aanbod niet wijzigen."))
    return service


def service_update(
    *, actor: User, service_id: int, expected_version: int, values: dict[str, Any]
) -> Service:
    """Save an edit; refused when someone saved in between. Saving also counts as checked."""
    with transaction.atomic():
        service = _locked_for_edit(actor, service_id)
        if service.version != expected_version:
            raise DirectoryError(
                _(
                    "Iemand anders heeft dit aanbod intussen gewijzigd. "
                    "Bekijk de nieuwe gegevens en breng uw wijziging opnieuw aan."
                )
            )
        low, high = values.get("minimum_age"), values.get("maximum_age")
        if low is not None and high is not None and low > high:
            raise DirectoryError(_("De minimumleeftijd ligt boven de maximumleeftijd."))
        now = timezone.now()
        capacity_changed = values.get("capacity_available") != service.capacity_available
        for name in EDITABLE_FIELDS:
            if name in values:
                setattr(service, name, values[name])
        if capacity_changed:
            service.capacity_updated_at = now
        service.updated_at = now
        service.updated_by = actor
        service.last_checked_on = timezone.localdate()
        service.version += 1
        service.save()
        service.search_text = search_text_for(service)
        service.save(update_fields=["search_text"])
    return service


def service_mark_checked(*, actor: User, service_id: int) -> Service:
    """'Still correct': the entry was looked at today, nothing changed."""
    with transaction.atomic():
        service = _locked_for_edit(actor, service_id)
        service.last_checked_on = timezone.localdate()
        service.save(update_fields=["last_checked_on"])
    return service


def service_create(*, actor: User, organisation_id: int, values: dict[str, Any]) -> Service:
    """A new entry on the sociale kaart, for an organisation the actor may edit."""
    organisation = DirectoryOrganisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not may_edit_directory_entry(actor, organisation.account_id):
        raise DirectoryError(_("U mag voor deze organisatie geen aanbod toevoegen."))
    low, high = values.get("minimum_age"), values.get("maximum_age")
    if low is not None and high is not None and low > high:
        raise DirectoryError(_("De minimumleeftijd ligt boven de maximumleeftijd."))
    with transaction.atomic():
        service = Service(organisation=organisation, updated_by=actor)
        for name in EDITABLE_FIELDS:
            if name in values:
                setattr(service, name, values[name])
        service.save()
        service.search_text = search_text_for(service)
        service.save(update_fields=["search_text"])
    return service


def hours_add(
    *,
    actor: User,
    service_id: int,
    location_id: int,
    weekday: str,
    opens_at: time,
    closes_at: time,
) -> OpeningHours:
    """The service is offered at a location on a weekday, e.g. Tuesday 9–12 at school."""
    if opens_at >= closes_at:
        raise DirectoryError(_("De eindtijd ligt niet na de begintijd."))
    with transaction.atomic():
        service = _locked_for_edit(actor, service_id)
        location = locations_for(service).filter(pk=location_id).first()
        if location is None:
            raise DirectoryError(_("Kies een locatie van de organisatie of een schoollocatie."))
        at, _created = ServiceAtLocation.objects.get_or_create(service=service, location=location)
        overlap = at.hours.filter(weekday=weekday, opens_at__lt=closes_at, closes_at__gt=opens_at)
        if overlap.exists():
            raise DirectoryError(_("Op die dag en locatie is er al een tijd die hiermee overlapt."))
        hours = OpeningHours.objects.create(
            service_at_location=at, weekday=weekday, opens_at=opens_at, closes_at=closes_at
        )
        _touched(service, actor)
    return hours


def hours_remove(*, actor: User, service_id: int, hours_id: int) -> None:
    with transaction.atomic():
        service = _locked_for_edit(actor, service_id)
        hours = OpeningHours.objects.filter(
            pk=hours_id, service_at_location__service=service
        ).first()
        if hours is None:
            raise DirectoryError(_("Deze tijd bestaat niet (meer)."))
        at = hours.service_at_location
        hours.delete()
        if at is not None and not at.hours.exists():
            at.delete()
        _touched(service, actor)


def _touched(service: Service, actor: User) -> None:
    """A change of where and when: counts as an edit and as checked; search text anew."""
    service.updated_at = timezone.now()
    service.updated_by = actor
    service.last_checked_on = timezone.localdate()
    service.version += 1
    service.search_text = search_text_for(service)
    service.save()


def locations_for(service: Service) -> QuerySet[DirectoryLocation]:
    """Where a service can be offered: its organisation's places and the schools' locations."""
    return DirectoryLocation.objects.filter(
        Q(organisation_id=service.organisation_id) | Q(school_location__isnull=False)
    ).order_by("name")


def _organisation_for_edit(actor: User, organisation_id: int) -> DirectoryOrganisation:
    organisation = (
        DirectoryOrganisation.objects.select_for_update().filter(pk=organisation_id).first()
    )
    if organisation is None or not may_edit_directory_entry(actor, organisation.account_id):
        raise DirectoryError(_("U mag deze organisatie niet wijzigen."))
    return organisation


ORGANISATION_FIELDS = ["name", "description", "email", "website", "phone"]


def organisation_update(
    *, actor: User, organisation_id: int, expected_version: int, values: dict[str, Any]
) -> DirectoryOrganisation:
    with transaction.atomic():
        organisation = _organisation_for_edit(actor, organisation_id)
        if organisation.version != expected_version:
            raise DirectoryError(
                _(
                    "Iemand anders heeft deze organisatie intussen gewijzigd. "
                    "Bekijk de nieuwe gegevens en breng uw wijziging opnieuw aan."
                )
            )
        for name in ORGANISATION_FIELDS:
            if name in values:
                setattr(organisation, name, values[name])
        organisation.version += 1
        organisation.save()
        # The organisation's name is searched with its services.
        for service in organisation.services.select_related("organisation"):
            Service.objects.filter(pk=service.pk).update(search_text=search_text_for(service))
    return organisation


def contact_add(*, actor: User, organisation_id: int, values: dict[str, Any]) -> Contact:
    with transaction.atomic():
        organisation = _organisation_for_edit(actor, organisation_id)
        service = values.get("service")
        if service is not None and service.organisation_id != organisation.pk:
            raise DirectoryError(_("Dit aanbod hoort niet bij de organisatie."))
        return Contact.objects.create(
            organisation=organisation,
            service=service,
            name=values["name"],
            title=values.get("title", ""),
            email=values.get("email", ""),
            phone=values.get("phone", ""),
        )


def contact_remove(*, actor: User, contact_id: int) -> None:
    with transaction.atomic():
        contact = Contact.objects.filter(pk=contact_id).first()
        if contact is None:
            raise DirectoryError(_("Deze contactpersoon bestaat niet (meer)."))
        _organisation_for_edit(actor, contact.organisation_id)
        contact.delete()
