"""Statutory absence reports. Issue 4 adds the rules that create them and the early warnings."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AbsenceReportKind(models.TextChoices):
    SIXTEEN_IN_FOUR = "16_in_4", _("16 uur in 4 weken")
    LONG_TERM_RELATIVE = "long_relative", _("Langdurig relatief verzuim")
    RMC = "rmc", _("RMC-melding (18–23 jaar)")


class AbsenceReport(models.Model):
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="absence_reports",
        verbose_name=_("student"),
    )
    kind = models.CharField(_("soort melding"), max_length=20, choices=AbsenceReportKind.choices)
    start_date = models.DateField(_("begindatum"))
    end_date = models.DateField(_("einddatum"))
    unauthorised_hours = models.DecimalField(
        _("ongeoorloofde uren"), max_digits=6, decimal_places=1
    )
    rules_version = models.CharField(_("versie regels"), max_length=20)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    reported_on = models.DateField(_("gemeld op"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("verzuimmelding")
        verbose_name_plural = _("verzuimmeldingen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date}"
