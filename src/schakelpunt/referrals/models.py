"""Referrals to services on the sociale kaart, and the student's consent to share parts of the file."""

from datetime import date

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


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normaal")
    URGENT = "urgent", _("Met spoed")


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Geslaagd")
    NOT_SUCCESSFUL = "not_successful", _("Niet geslaagd")


class EndReason(models.TextChoices):
    """Why help that ended (or never started) did not succeed."""

    NO_CAPACITY = "no_capacity", _("Geen plek of capaciteit")
    STUDENT_DECLINED = "student_declined", _("Student wilde niet")
    UNREACHABLE = "unreachable", _("Student niet bereikbaar")
    NO_LONGER_NEEDED = "no_longer_needed", _("Niet meer nodig")
    OTHER = "other", _("Andere reden")


class Referral(models.Model):
    """A tracked promise: a question to a service, accepted, first contact in time, help, end.

    The school's coordinator stays in the loop until the end; the states and who may move
    them are in `workflow.py`, the writes in `services.py`.
    """

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("student"),
    )
    # The organisation whose workers handle the referral and see the shared parts.
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="incoming_referrals",
        verbose_name=_("naar organisatie"),
    )
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("aanbod"),
    )
    # Kept as written, should the directory entry change or go.
    service_name = models.CharField(_("naam aanbod"), max_length=200, blank=True)
    trajectory = models.ForeignKey(
        "support.Trajectory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("traject"),
    )
    question = models.TextField(_("hulpvraag"), blank=True)
    urgency = models.CharField(
        _("urgentie"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Part codes shared with the receiving organisation (never more than the consent covers).
    shared_parts = models.JSONField(_("gedeelde onderdelen"), default=list, blank=True)
    consent = models.ForeignKey(
        "referrals.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("toestemming"),
    )
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
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    received_at = models.DateTimeField(_("ontvangen op"), null=True, blank=True)
    accepted_on = models.DateField(_("geaccepteerd op"), null=True, blank=True)
    # Agreed days to first contact, copied from the service when the referral is accepted.
    first_contact_days = models.PositiveSmallIntegerField(
        _("eerste contact binnen (dagen)"), null=True, blank=True
    )
    first_contact_due = models.DateField(_("eerste contact uiterlijk"), null=True, blank=True)
    first_contact_on = models.DateField(_("eerste contact op"), null=True, blank=True)
    help_started_on = models.DateField(_("hulp gestart op"), null=True, blank=True)
    ended_on = models.DateField(_("afgerond op"), null=True, blank=True)
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices, blank=True)
    end_reason = models.CharField(_("reden"), max_length=20, choices=EndReason.choices, blank=True)
    decline_reason = models.TextField(_("reden van afwijzen"), blank=True)
    closing_note = models.TextField(_("toelichting bij afronden of intrekken"), blank=True)
    # For youth care that continues after 18: the municipality's decision, valid until.
    decision_until = models.DateField(_("beschikking geldig tot"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("geëscaleerd op"), null=True, blank=True)
    updated_at = models.DateTimeField(_("bijgewerkt op"), default=timezone.now)
    # Raised by every change; a change based on an older number is refused.
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("verwijzing")
        verbose_name_plural = _("verwijzingen")
        indexes = [models.Index(fields=["status", "first_contact_due"])]

    def __str__(self) -> str:
        return f"{self.student} → {self.to_organisation} ({self.get_status_display()})"

    @property
    def title(self) -> str:
        return self.service_name or str(self.to_organisation)

    @property
    def shared_part_labels(self) -> list[str]:
        from schakelpunt.access.parts import Part

        return [str(Part(p).label) for p in Part.values if p in self.shared_parts]

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {ReferralStatus.DECLINED, ReferralStatus.ENDED, ReferralStatus.WITHDRAWN}
)


class ReferralEvent(models.Model):
    """One step of a referral: from, to, when, by whom, with what note. Never changed."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("verwijzing")
    )
    from_status = models.CharField(_("van"), max_length=20, choices=ReferralStatus.choices)
    to_status = models.CharField(_("naar"), max_length=20, choices=ReferralStatus.choices)
    note = models.TextField(_("toelichting"), blank=True)
    at = models.DateTimeField(_("tijdstip"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stap van een verwijzing")
        verbose_name_plural = _("stappen van verwijzingen")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Advice(models.Model):
    """Handelingsadvies: what the provider advises the school to do; shown in the plan."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="advice", verbose_name=_("verwijzing")
    )
    text = models.TextField(_("advies"))
    given_at = models.DateTimeField(_("gegeven op"), default=timezone.now)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gegeven door"),
    )

    class Meta:
        ordering = ["-given_at", "-pk"]
        verbose_name = _("handelingsadvies")
        verbose_name_plural = _("handelingsadviezen")

    def __str__(self) -> str:
        return self.text[:60]


class ConsentBasis(models.TextChoices):
    CONSENT = "consent", _("Toestemming")
    EMERGENCY = "emergency", _("Noodsituatie (zonder toestemming)")


class Consent(models.Model):
    """Explicit consent to share named parts of the file with one receiving organisation.

    From 16 the student decides alone; from 12 to 15 the student and a parent both agree
    (see `consent.py`). The student can withdraw at any time; access stops at once. An
    emergency record (basis EMERGENCY) needs a separate permission and a reason, and is
    shown to the privacy officer.
    """

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
    basis = models.CharField(
        _("grondslag"), max_length=10, choices=ConsentBasis.choices, default=ConsentBasis.CONSENT
    )
    given_on = models.DateField(_("gegeven op"), default=timezone.localdate)
    expires_on = models.DateField(_("verloopt op"), null=True, blank=True)
    student_agrees = models.BooleanField(_("student stemt in"), default=True)
    # Needed from 12 to 15: a parent or guardian agrees as well.
    parent_name = models.CharField(_("naam ouder of voogd"), max_length=200, blank=True)
    emergency_reason = models.TextField(_("reden (noodsituatie)"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ingetrokken door"),
    )

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(basis="emergency") | ~models.Q(emergency_reason=""),
                name="emergency_consent_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.organisation}"

    @property
    def part_labels(self) -> list[str]:
        from schakelpunt.access.parts import Part

        return [str(Part(p).label) for p in Part.values if p in self.parts]

    def is_active_on(self, day: date) -> bool:
        return (
            self.withdrawn_at is None
            and self.given_on <= day
            and (self.expires_on is None or self.expires_on >= day)
        )


class AdulthoodTransition(models.Model):
    """The 18-/18+ transition of a student with youth help: alerted three months ahead,
    with a checklist the coordinator works through (`transition.CHECKLIST`)."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="adulthood_transitions",
        verbose_name=_("student"),
    )
    turns_18_on = models.DateField(_("wordt 18 op"))
    alerted_at = models.DateTimeField(_("gesignaleerd op"), default=timezone.now)
    done = models.JSONField(_("afgevinkt"), default=list, blank=True)
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        ordering = ["turns_18_on"]
        verbose_name = _("overgang naar 18")
        verbose_name_plural = _("overgangen naar 18")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "turns_18_on"], name="one_transition_per_18th"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.turns_18_on})"
