"""Writes of the sociale kaart: edit a service (never over someone else's save), mark checked."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_edit_directory_entry
from schakelpunt.accounts.models import User

from .models import DirectoryOrganisation, Service
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
