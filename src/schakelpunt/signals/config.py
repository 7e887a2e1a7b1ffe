"""An institution's signalling settings: read once, turned into the rules' plain values."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_configure_institution
from schakelpunt.accounts.models import Organisation, User

from .calendar import region_changed, school_calendar
from .early_warning import Thresholds
from .models import SignalSettings
from .statutory import RegionOptions, SchoolCalendar

EDITABLE = [
    "holiday_region",
    "sixteen_in_four_for_adults",
    "follow_up_school_days",
    "recent_weeks",
    "recent_rate_min",
    "rise_factor",
    "consecutive_days",
    "chronic_share",
    "weekday_share",
    "weekday_min_days",
    "first_weeks",
    "birthday_months_ahead",
]


def signal_settings_for(institution: Organisation) -> SignalSettings:
    """The institution's settings; the documented defaults when it never changed them."""
    found = SignalSettings.objects.filter(institution=institution).first()
    return found or SignalSettings(institution=institution, version=0)


def calendar_for(institution: Organisation) -> SchoolCalendar:
    """The institution's school calendar: its region's holidays and its own days off."""
    return school_calendar(institution)


def thresholds_of(settings: SignalSettings) -> Thresholds:
    return Thresholds(
        recent_weeks=settings.recent_weeks,
        recent_rate_min=Decimal(settings.recent_rate_min) / 100,
        rise_factor=Decimal(settings.rise_factor),
        consecutive_days=settings.consecutive_days,
        chronic_share=Decimal(settings.chronic_share) / 100,
        weekday_share=Decimal(settings.weekday_share) / 100,
        weekday_min_days=settings.weekday_min_days,
        first_weeks=settings.first_weeks,
        birthday_months_ahead=settings.birthday_months_ahead,
    )


def region_options_of(settings: SignalSettings) -> RegionOptions:
    return RegionOptions(sixteen_in_four_for_adults=settings.sixteen_in_four_for_adults)


def signal_settings_update(
    *, actor: User, institution: Organisation, expected_version: int, values: dict[str, Any]
) -> SignalSettings:
    """The functional administrator changes the settings; a stale form is refused."""
    if not may_configure_institution(actor, institution):
        raise PermissionDenied
    with transaction.atomic():
        current = SignalSettings.objects.select_for_update().filter(
            institution=institution
        ).first() or SignalSettings(institution=institution, version=0)
        if current.version != expected_version:
            raise ValidationError(
                _(
                    "Iemand anders heeft de instellingen intussen gewijzigd. Hieronder staan de "
                    "nieuwe waarden; voer uw wijziging opnieuw in."
                ),
                code="stale",
            )
        old_region = current.holiday_region
        for name in EDITABLE:
            if name in values:
                setattr(current, name, values[name])
        current.version += 1
        current.changed_at = timezone.now()
        current.changed_by = actor
        current.save()
        if current.holiday_region != old_region:
            # Another region is another calendar: a new version, the reports recomputed.
            region_changed(
                actor=actor, institution=institution, settings=current, old_region=old_region
            )
    return current
