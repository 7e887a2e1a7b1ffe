"""The sociale kaart: who offers which help, where, when, under which law.

The shape follows Open Referral HSDS 3 (organization, service, location, service_at_location,
contact, schedule, funding, service_capacity), so that the directory can be exchanged as HSDS
JSON. Every record keeps its HSDS identifier (`uuid`), so an export imported elsewhere and
exported again gives the same document.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Law(models.TextChoices):
    """Which law or budget pays for a service (HSDS `funding.source`)."""

    JEUGDWET = "jeugdwet", _("Jeugdwet")
    WMO = "wmo", _("Wmo 2015")
    PARTICIPATIEWET = "participatiewet", _("Participatiewet")
    ZVW = "zvw", _("Zorgverzekeringswet")
    SCHOOL = "school", _("Schoolbudget (passend onderwijs)")
    VSV_RMC = "vsv_rmc", _("VSV-/RMC-middelen")


class ServiceStatus(models.TextChoices):
    """HSDS service status."""

    ACTIVE = "active", _("Actief")
    INACTIVE = "inactive", _("Niet actief")
    DEFUNCT = "defunct", _("Opgeheven")
    TEMPORARILY_CLOSED = "temporarily closed", _("Tijdelijk gesloten")


class Weekday(models.TextChoices):
    """iCalendar day codes, as HSDS `schedule.byday` uses them."""

    MO = "MO", _("maandag")
    TU = "TU", _("dinsdag")
    WE = "WE", _("woensdag")
    TH = "TH", _("donderdag")
    FR = "FR", _("vrijdag")
    SA = "SA", _("zaterdag")
    SU = "SU", _("zondag")


WEEKDAY_ORDER = {code: i for i, code in enumerate(Weekday.values)}

# The agreement when a service names none: first contact within 8 calendar days of acceptance.
DEFAULT_FIRST_CONTACT_DAYS = 8


class DirectoryOrganisation(models.Model):
    """A provider, a municipality or a school as it appears on the sociale kaart."""

    uuid = models.UUIDField(_("HSDS-id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("omschrijving"))
    email = models.EmailField(_("e-mailadres"), blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    # The organisation in Schakelpunt whose people log in and handle referrals.
    account = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_entry",
        verbose_name=_("organisatie in Schakelpunt"),
    )
    municipality = models.ForeignKey(
        "refdata.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vestigingsgemeente"),
    )
    # Raised by every change on screen; an edit based on an older number is refused.
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie op de sociale kaart")
        verbose_name_plural = _("organisaties op de sociale kaart")

    def __str__(self) -> str:
        return self.name


class DirectoryLocation(models.Model):
    """A place where help is given: an office, or a school location where a provider is present."""

    uuid = models.UUIDField(_("HSDS-id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        DirectoryOrganisation,
        on_delete=models.CASCADE,
        related_name="locations",
        verbose_name=_("organisatie"),
    )
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        "refdata.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemeente"),
    )
    # Set when this is a location of a school in Schakelpunt (consultation hours at school).
    school_location = models.ForeignKey(
        "accounts.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_locations",
        verbose_name=_("schoollocatie"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("locatie op de sociale kaart")
        verbose_name_plural = _("locaties op de sociale kaart")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    uuid = models.UUIDField(_("HSDS-id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        DirectoryOrganisation,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("organisatie"),
    )
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("wat biedt het"))
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    email = models.EmailField(_("e-mailadres"), blank=True)
    url = models.URLField(_("webpagina"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    # Codes of schakelpunt.support.models.LifeDomain and of Law.
    life_domains = models.JSONField(_("leefgebieden"), default=list, blank=True)
    laws = models.JSONField(_("wet of financiering"), default=list, blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("vanaf leeftijd"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("tot en met leeftijd"), null=True, blank=True)
    eligibility = models.TextField(_("voor wie"), blank=True)
    application_process = models.TextField(_("hoe aanmelden"), blank=True)
    needs_decision = models.BooleanField(
        _("beschikking van de gemeente nodig"),
        default=False,
        help_text=_("De gemeente moet eerst een beschikking afgeven voordat de hulp start."),
    )
    wait_days = models.PositiveSmallIntegerField(
        _("huidige wachttijd (dagen)"), null=True, blank=True
    )
    capacity_available = models.PositiveIntegerField(_("plekken vrij"), null=True, blank=True)
    capacity_maximum = models.PositiveIntegerField(_("plekken totaal"), null=True, blank=True)
    capacity_updated_at = models.DateTimeField(_("plekken bijgewerkt op"), null=True, blank=True)
    first_contact_days = models.PositiveSmallIntegerField(
        _("eerste contact binnen (dagen)"),
        default=DEFAULT_FIRST_CONTACT_DAYS,
        help_text=_("Kalenderdagen na acceptatie van een verwijzing."),
    )
    # A neighbourhood or youth team: the entry point (toegang) of the municipalities it serves.
    is_entry_point = models.BooleanField(_("toegang (wijkteam of jeugdteam)"), default=False)
    areas = models.ManyToManyField(
        "refdata.Municipality",
        blank=True,
        related_name="+",
        verbose_name=_("werkgebied (gemeenten)"),
    )
    last_checked_on = models.DateField(_("laatst gecontroleerd op"), default=timezone.localdate)
    updated_at = models.DateTimeField(_("bijgewerkt op"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bijgewerkt door"),
    )
    # Lowercase text without accents of everything one searches on (see selectors).
    search_text = models.TextField(editable=False, blank=True)
    # Raised by every change; a save with an older number is refused (no silent overwrite).
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("aanbod")
        verbose_name_plural = _("aanbod")
        indexes = [models.Index(fields=["last_checked_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range",
                violation_error_message=_("De minimumleeftijd ligt boven de maximumleeftijd."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Codes in one fixed order, and a capacity always with the moment it was counted."""
        from schakelpunt.support.models import LifeDomain

        self.life_domains = [d for d in LifeDomain.values if d in self.life_domains]
        self.laws = [code for code in Law.values if code in self.laws]
        if self.capacity_available is not None and self.capacity_updated_at is None:
            self.capacity_updated_at = self.updated_at
        super().save(*args, **kwargs)

    @property
    def life_domain_labels(self) -> list[str]:
        from schakelpunt.support.models import LifeDomain

        return [str(LifeDomain(d).label) for d in LifeDomain.values if d in self.life_domains]

    @property
    def law_labels(self) -> list[str]:
        return [str(Law(code).label) for code in Law.values if code in self.laws]

    @property
    def age_range(self) -> str:
        if self.minimum_age is not None and self.maximum_age is not None:
            return f"{self.minimum_age}–{self.maximum_age}"
        if self.minimum_age is not None:
            return f"{self.minimum_age}+"
        if self.maximum_age is not None:
            return f"t/m {self.maximum_age}"
        return ""


class ServiceAtLocation(models.Model):
    """A service offered at a location, with its own hours (e.g. Tuesday 9–12 at school)."""

    uuid = models.UUIDField(_("HSDS-id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="at_locations", verbose_name=_("aanbod")
    )
    location = models.ForeignKey(
        DirectoryLocation,
        on_delete=models.CASCADE,
        related_name="services_here",
        verbose_name=_("locatie"),
    )
    description = models.TextField(_("toelichting"), blank=True)

    class Meta:
        verbose_name = _("aanbod op locatie")
        verbose_name_plural = _("aanbod op locaties")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="service_once_per_location"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service.name} @ {self.location}"


class OpeningHours(models.Model):
    """One weekly time slot of a location, or of a service at a location (HSDS schedule)."""

    uuid = models.UUIDField(_("HSDS-id"), default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(
        DirectoryLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="hours",
        verbose_name=_("locatie"),
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="hours",
        verbose_name=_("aanbod op locatie"),
    )
    weekday = models.CharField(_("dag"), max_length=2, choices=Weekday.choices)
    opens_at = models.TimeField(_("van"))
    closes_at = models.TimeField(_("tot"))

    class Meta:
        verbose_name = _("openingstijd")
        verbose_name_plural = _("openingstijden")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(location__isnull=False, service_at_location__isnull=True)
                | models.Q(location__isnull=True, service_at_location__isnull=False),
                name="hours_of_location_or_service_at_location",
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="hours_open_before_close",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Contact(models.Model):
    """A contact person of an organisation or of one service."""

    uuid = models.UUIDField(_("HSDS-id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        DirectoryOrganisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisatie"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("aanbod"),
    )
    name = models.CharField(_("naam"), max_length=200)
    title = models.CharField(_("functie"), max_length=200, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contactpersoon")
        verbose_name_plural = _("contactpersonen")

    def __str__(self) -> str:
        return self.name
