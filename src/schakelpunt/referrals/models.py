"""Referrals to care providers and the student's consent to share parts of the file.

Issue 5 adds the full lifecycle; the access module already uses both records.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Concept")
    SENT = "sent", _("Verstuurd")
    RECEIVED = "received", _("Ontvangen")
    ACCEPTED = "accepted", _("Geaccepteerd")
    DECLINED = "declined", _("Afgewezen")
    FIRST_CONTACT = "first_contact", _("Eerste contact gemaakt")
    HELP_STARTED = "help_started", _("Hulp gestart")
    ENDED = "ended", _("Afgerond")
    WITHDRAWN = "withdrawn", _("Ingetrokken")


# While a referral is in one of these states, the receiving organisation works with the student.
REFERRAL_ACTIVE_STATUSES = frozenset(
    {ReferralStatus.ACCEPTED, ReferralStatus.FIRST_CONTACT, ReferralStatus.HELP_STARTED}
)


class Referral(models.Model):
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("student"),
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="incoming_referrals",
        verbose_name=_("naar organisatie"),
    )
    question = models.TextField(_("hulpvraag"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("verwijzing")
        verbose_name_plural = _("verwijzingen")

    def __str__(self) -> str:
        return f"{self.student} → {self.to_organisation} ({self.get_status_display()})"


class Consent(models.Model):
    """Explicit consent to share named parts of the file with one receiving organisation."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("student"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="consents_received",
        verbose_name=_("ontvangende organisatie"),
    )
    # Part codes from schakelpunt.access.parts.Part.
    parts = models.JSONField(_("onderdelen"), default=list)
    given_on = models.DateField(_("gegeven op"), default=timezone.localdate)
    expires_on = models.DateField(_("verloopt op"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")

    def __str__(self) -> str:
        return f"{self.student} → {self.organisation}"

    @property
    def part_labels(self) -> list[str]:
        from schakelpunt.access.parts import Part

        return [str(Part(p).label) for p in Part.values if p in self.parts]
