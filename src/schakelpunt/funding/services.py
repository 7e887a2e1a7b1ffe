"""Changes to prices and streams: only the functional administrator, every rule checked here."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_manage_funding
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.directory.models import Service

from .models import FundingStream, ServiceFunding, SupportRate, Unit


def _require_admin(actor: User) -> None:
    if not may_manage_funding(actor):
        raise PermissionDenied


def funding_add(
    *,
    actor: User,
    service_id: int,
    stream: FundingStream,
    unit: str,
    unit_cost: Decimal,
    share: int,
    hours_per_trajectory: Decimal | None = None,
) -> ServiceFunding:
    """A stream pays (a share of) a service. The shares of one service add up to at most 100%."""
    _require_admin(actor)
    with transaction.atomic():
        service = Service.objects.select_for_update().filter(pk=service_id).first()
        if service is None:
            raise ValidationError(_("Dit aanbod bestaat niet (meer)."))
        if unit_cost < 0:
            raise ValidationError(_("Kosten per eenheid kunnen niet negatief zijn."))
        if not 1 <= share <= 100:
            raise ValidationError(_("Het aandeel is een percentage van 1 tot en met 100."))
        if unit == Unit.HOUR and not (hours_per_trajectory and hours_per_trajectory > 0):
            raise ValidationError(
                _("Geef bij een uurprijs op hoeveel uren een traject gemiddeld kost.")
            )
        if ServiceFunding.objects.filter(service=service, stream=stream).exists():
            raise ValidationError(
                _("%(stream)s betaalt dit aanbod al; verwijder die regel eerst.")
                % {"stream": stream.name}
            )
        taken = ServiceFunding.objects.filter(service=service).aggregate(s=Sum("share"))["s"] or 0
        if taken + share > 100:
            raise ValidationError(
                _(
                    "Samen zouden de stromen %(total)s%% van dit aanbod betalen; dat kan niet meer "
                    "dan 100%% zijn (nu %(taken)s%%)."
                )
                % {"total": taken + share, "taken": taken}
            )
        return ServiceFunding.objects.create(
            service=service,
            stream=stream,
            unit=unit,
            unit_cost=unit_cost,
            share=share,
            hours_per_trajectory=hours_per_trajectory if unit == Unit.HOUR else None,
        )


def funding_remove(*, actor: User, funding_id: int) -> None:
    _require_admin(actor)
    ServiceFunding.objects.filter(pk=funding_id).delete()


def support_rate_set(
    *, actor: User, institution_id: int, hourly_cost: Decimal, version: int
) -> SupportRate:
    """The hourly cost of the institution's own support. `version`: the one the form showed
    (0 for none yet); a change made meanwhile by someone else is not overwritten."""
    _require_admin(actor)
    if hourly_cost <= 0:
        raise ValidationError(_("Een uurtarief is meer dan € 0."))
    with transaction.atomic():
        institution = Organisation.objects.filter(
            pk=institution_id, kind=OrganisationKind.MBO_INSTITUTION
        ).first()
        if institution is None:
            raise ValidationError(_("Deze instelling bestaat niet."))
        rate = SupportRate.objects.select_for_update().filter(institution=institution).first()
        current = rate.version if rate else 0
        if current != version:
            raise ValidationError(
                _(
                    "Iemand anders heeft het uurtarief intussen gewijzigd. Bekijk het nieuwe "
                    "tarief en probeer het opnieuw."
                )
            )
        if rate is None:
            return SupportRate.objects.create(institution=institution, hourly_cost=hourly_cost)
        rate.hourly_cost = hourly_cost
        rate.version += 1
        rate.save(update_fields=["hourly_cost", "version"])
        return rate
