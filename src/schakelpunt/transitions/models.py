"""Coming in and going out: leaving school with a destination, and aftercare (nazorg)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.signals.models import FollowUpFields


class LeavingReason(models.TextChoices):
    DIPLOMA = "diploma", _("Diploma behaald")
    SWITCH = "switch", _("Overstap naar andere opleiding")
    DROPOUT = "dropout", _("Gestopt zonder diploma")
    MOVED = "moved", _("Verhuisd")
    OTHER = "other", _("Anders of onbekend")


class Destination(models.TextChoices):
    MBO = "mbo", _("Andere mbo-opleiding")
    HBO = "hbo", _("Hbo")
    OTHER_EDUCATION = "other_education", _("Ander onderwijs")
    WORK = "work", _("Werk")
    WORK_AND_LEARN = "work_learn", _("Werken en leren (bbl)")
    CARE = "care", _("Zorg of dagbesteding")
    NONE = "none", _("Geen werk of opleiding")
    UNKNOWN = "unknown", _("Onbekend")


class Departure(models.Model):
    """A student left school: when, why, to what. Early leavers get aftercare contacts."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="departures",
        verbose_name=_("student"),
    )
    left_on = models.DateField(_("uitgeschreven op"))
    reason = models.CharField(_("reden"), max_length=20, choices=LeavingReason.choices)
    destination = models.CharField(_("bestemming"), max_length=20, choices=Destination.choices)
    with_basic_qualification = models.BooleanField(_("met startkwalificatie"), default=False)
    note = models.TextField(_("toelichting"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    returned_on = models.DateField(_("teruggekeerd op"), null=True, blank=True)

    class Meta:
        ordering = ["-left_on", "-pk"]
        verbose_name = _("uitschrijving")
        verbose_name_plural = _("uitschrijvingen")
        constraints = [
            models.UniqueConstraint(fields=["student", "left_on"], name="one_departure_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.left_on})"


class AftercareOutcome(models.TextChoices):
    IN_EDUCATION = "in_education", _("Weer in opleiding")
    IN_WORK = "in_work", _("Aan het werk")
    LOOKING = "looking", _("Zoekt nog, met hulp")
    NEEDS_HELP = "needs_help", _("Heeft hulp nodig (doorverwezen)")
    UNREACHABLE = "unreachable", _("Niet bereikt")
    DECLINED = "declined", _("Wil geen contact")


class AftercareContact(models.Model):
    """A planned contact with an early leaver, by default after 1, 3 and 6 months."""

    departure = models.ForeignKey(
        Departure,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("uitschrijving"),
    )
    months = models.PositiveSmallIntegerField(_("na maanden"))
    due_on = models.DateField(_("contact uiterlijk"))
    done_on = models.DateField(_("contact gehad op"), null=True, blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=20, choices=AftercareOutcome.choices, blank=True
    )
    note = models.TextField(_("toelichting"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("nazorgcontact")
        verbose_name_plural = _("nazorgcontacten")
        constraints = [
            models.UniqueConstraint(fields=["departure", "months"], name="one_contact_per_moment"),
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True) | ~models.Q(outcome=""),
                name="done_contact_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.departure.student} +{self.months}m"


class NonArrival(FollowUpFields):
    """Enrolled, but never came in the first two weeks (the "zomerlek"): for leerplicht/RMC
    of the residence municipality, with their follow-up."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="non_arrivals",
        verbose_name=_("student"),
    )
    enrolled_on = models.DateField(_("ingeschreven op"))
    school_days = models.PositiveSmallIntegerField(_("schooldagen afwezig"))
    detected_on = models.DateField(_("gesignaleerd op"), default=timezone.localdate)

    class Meta:
        ordering = ["-detected_on", "pk"]
        verbose_name = _("niet verschenen student")
        verbose_name_plural = _("niet verschenen studenten")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "enrolled_on"], name="one_non_arrival_per_enrolment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.enrolled_on})"
