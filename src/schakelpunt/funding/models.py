"""Who pays for what: funding streams, the services they pay for at what unit cost, and what
an hour of the school's own support costs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Payer(models.TextChoices):
    MUNICIPALITY = "municipality", _("Gemeenten")
    REGION = "region", _("Regio (rijksmiddelen)")
    INSURER = "insurer", _("Zorgverzekeraar")
    SCHOOL = "school", _("School")
    FUND = "fund", _("Fondsen")


class FundingStream(models.Model):
    """VSV-middelen, RMC-plusmiddelen, Jeugdwet, Wmo, Participatiewet, Zvw, the school's own
    budget and funds; the standard ones are made by the migration."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    payer = models.CharField(_("wie betaalt"), max_length=20, choices=Payer.choices)
    description = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("financieringsstroom")
        verbose_name_plural = _("financieringsstromen")

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    HOUR = "hour", _("per uur")
    TRAJECTORY = "trajectory", _("per traject")
    YEAR = "year", _("per jaar")


class ServiceFunding(models.Model):
    """A stream pays (a share of) a service at a unit cost. Hourly services say how many hours
    a trajectory takes, so that the use of the service can be priced."""

    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.CASCADE,
        related_name="funding",
        verbose_name=_("aanbod"),
    )
    stream = models.ForeignKey(
        FundingStream, on_delete=models.PROTECT, related_name="+", verbose_name=_("stroom")
    )
    unit = models.CharField(_("eenheid"), max_length=20, choices=Unit.choices)
    unit_cost = models.DecimalField(_("kosten per eenheid (€)"), max_digits=10, decimal_places=2)
    hours_per_trajectory = models.DecimalField(
        _("uren per traject"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    share = models.PositiveSmallIntegerField(_("aandeel (%)"), default=100)

    class Meta:
        ordering = ["service", "stream"]
        verbose_name = _("financiering van aanbod")
        verbose_name_plural = _("financiering van aanbod")
        constraints = [
            models.UniqueConstraint(fields=["service", "stream"], name="one_share_per_stream"),
            models.CheckConstraint(
                condition=models.Q(share__gte=1, share__lte=100), name="share_is_a_percentage"
            ),
            models.CheckConstraint(
                condition=~models.Q(unit="hour") | models.Q(hours_per_trajectory__gt=0),
                name="hourly_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.stream_id} {self.unit_cost}/{self.unit}"


class SupportRate(models.Model):
    """What an hour of the institution's own support (coach, team, school social work) costs,
    with the employer's charges."""

    institution = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="support_rate",
        verbose_name=_("instelling"),
    )
    hourly_cost = models.DecimalField(_("kosten per uur (€)"), max_digits=8, decimal_places=2)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("uurtarief eigen ondersteuning")
        verbose_name_plural = _("uurtarieven eigen ondersteuning")

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.hourly_cost}"
