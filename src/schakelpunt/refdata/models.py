"""Public reference facts (CBS, CC BY 4.0): RMC regions, municipalities, 4-digit postcodes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RmcRegion(models.Model):
    code = models.CharField(_("code"), max_length=4, unique=True)  # e.g. MC12
    name = models.CharField(_("naam"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("RMC-regio")
        verbose_name_plural = _("RMC-regio's")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Municipality(models.Model):
    cbs_code = models.CharField(_("CBS-gemeentecode"), max_length=6, unique=True)  # e.g. GM0153
    name = models.CharField(_("naam"), max_length=100)
    province = models.CharField(_("provincie"), max_length=50)
    rmc_region = models.ForeignKey(
        RmcRegion,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("RMC-regio"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self) -> str:
        return self.name


class PostcodeArea(models.Model):
    pc4 = models.CharField(_("postcode (4 cijfers)"), max_length=4, unique=True)
    place = models.CharField(_("woonplaats"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postcode_areas",
        verbose_name=_("gemeente"),
    )
    inhabitants = models.PositiveIntegerField(_("inwoners (2021)"), null=True, blank=True)

    class Meta:
        ordering = ["pc4"]
        verbose_name = _("postcodegebied")
        verbose_name_plural = _("postcodegebieden")

    def __str__(self) -> str:
        return self.pc4


class HolidayRegionCode(models.TextChoices):
    """The three school-holiday regions of the Netherlands (Rijksoverheid)."""

    NORTH = "noord", _("Noord")
    MIDDLE = "midden", _("Midden")
    SOUTH = "zuid", _("Zuid")


class HolidayKind(models.TextChoices):
    """The five school holidays the ministry (OCW) sets or advises each school year."""

    AUTUMN = "herfst", _("Herfstvakantie")
    CHRISTMAS = "kerst", _("Kerstvakantie")
    SPRING = "voorjaar", _("Voorjaarsvakantie")
    MAY = "mei", _("Meivakantie")
    SUMMER = "zomer", _("Zomervakantie")


class RegionalHoliday(models.Model):
    """One official holiday period of a region in a school year (Rijksoverheid "Schoolvakanties").

    The summer holiday belongs to the school year it ends.
    """

    region = models.CharField(_("vakantieregio"), max_length=10, choices=HolidayRegionCode.choices)
    school_year = models.CharField(_("schooljaar"), max_length=9)  # e.g. 2025-2026
    name = models.CharField(_("vakantie"), max_length=10, choices=HolidayKind.choices)
    start = models.DateField(_("eerste dag"))
    end = models.DateField(_("laatste dag"))

    class Meta:
        ordering = ["region", "start"]
        verbose_name = _("regionale schoolvakantie")
        verbose_name_plural = _("regionale schoolvakanties")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "school_year", "name"], name="one_regional_holiday_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="regional_holiday_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} {self.school_year} ({self.get_region_display()})"
