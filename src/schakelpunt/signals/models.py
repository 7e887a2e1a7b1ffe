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

    reference = models.CharField(_("kenmerk melding"), max_length=50, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("verzuimmelding")
        verbose_name_plural = _("verzuimmeldingen")
        constraints = [
            # Recomputing the reports for a day never makes the same report twice.
            models.UniqueConstraint(
                fields=["student", "kind", "end_date"], name="one_report_per_kind_and_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date}"


class AbsenceReasonCode(models.TextChoices):
    ILLNESS = "illness", _("Ziek")
    SUSPENSION = "suspension", _("Geschorst")
    OTHER_AUTHORISED = "other_authorised", _("Ander geoorloofd verzuim")
    UNAUTHORISED = "unauthorised", _("Ongeoorloofd")


class AbsenceRecord(models.Model):
    """One school day of one student, as the student information system exported it."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="absence_records",
        verbose_name=_("student"),
    )
    day = models.DateField(_("datum"))
    scheduled_hours = models.DecimalField(_("geroosterde uren"), max_digits=4, decimal_places=1)
    absent_hours = models.DecimalField(_("afwezige uren"), max_digits=4, decimal_places=1)
    reason = models.CharField(_("reden"), max_length=20, choices=AbsenceReasonCode.choices)

    class Meta:
        ordering = ["student", "day"]
        verbose_name = _("verzuimregistratie")
        verbose_name_plural = _("verzuimregistraties")
        constraints = [
            models.UniqueConstraint(fields=["student", "day"], name="one_absence_record_per_day"),
            models.CheckConstraint(
                condition=models.Q(absent_hours__lte=models.F("scheduled_hours")),
                name="absent_within_scheduled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.day}: {self.absent_hours}/{self.scheduled_hours}"


class SchoolHoliday(models.Model):
    """A holiday of an institution; holiday weeks do not count for the absence rules."""

    institution = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="holidays",
        verbose_name=_("instelling"),
    )
    name = models.CharField(_("naam"), max_length=100)
    start = models.DateField(_("eerste dag"))
    end = models.DateField(_("laatste dag"))

    class Meta:
        ordering = ["start"]
        verbose_name = _("schoolvakantie")
        verbose_name_plural = _("schoolvakanties")

    def __str__(self) -> str:
        return f"{self.name} ({self.start} – {self.end})"


class ConcernStatus(models.TextChoices):
    NEW = "new", _("Nieuw")
    IN_PROGRESS = "in_progress", _("Opgepakt")
    CLOSED = "closed", _("Afgesloten")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Gewoon")
    URGENT = "urgent", _("Dringend")


class Concern(models.Model):
    """A worry about a student, raised by a professional or the student; lands in triage."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="concerns",
        verbose_name=_("student"),
    )
    raised_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeld door")
    )
    life_domains = models.JSONField(_("leefgebieden"), default=list, blank=True)
    text = models.TextField(_("zorg"))
    urgency = models.CharField(
        _("urgentie"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW
    )
    created_at = models.DateTimeField(_("gemeld op"), default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opgepakt door"),
    )
    first_action_at = models.DateTimeField(_("eerste actie op"), null=True, blank=True)
    closed_reason = models.TextField(_("reden van afsluiten"), blank=True)
    escalated_at = models.DateTimeField(_("opgeschaald op"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("zorgmelding")
        verbose_name_plural = _("zorgmeldingen")

    def __str__(self) -> str:
        return self.text[:60]
