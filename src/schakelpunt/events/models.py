"""Subscriptions of other systems and the deliveries of events to them.

A `Delivery` is the outbox and the delivery log in one: written in the same transaction as
the change it reports (events.services.emit), sent later by a periodic task.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """Reverse-DNS types, as the NL GOV profile for CloudEvents requires (decision 0028)."""

    REFERRAL_SENT = "nl.schakelpunt.referral.sent", _("Verwijzing verstuurd")
    REFERRAL_RECEIVED = "nl.schakelpunt.referral.received", _("Verwijzing ontvangen")
    REFERRAL_ACCEPTED = "nl.schakelpunt.referral.accepted", _("Verwijzing geaccepteerd")
    REFERRAL_DECLINED = "nl.schakelpunt.referral.declined", _("Verwijzing afgewezen")
    REFERRAL_FIRST_CONTACT = (
        "nl.schakelpunt.referral.first-contact",
        _("Eerste contact gemaakt"),
    )
    REFERRAL_HELP_STARTED = "nl.schakelpunt.referral.help-started", _("Hulp gestart")
    REFERRAL_ENDED = "nl.schakelpunt.referral.ended", _("Verwijzing afgerond")
    REFERRAL_WITHDRAWN = "nl.schakelpunt.referral.withdrawn", _("Verwijzing ingetrokken")
    CONSENT_GIVEN = "nl.schakelpunt.consent.given", _("Toestemming gegeven")
    CONSENT_WITHDRAWN = "nl.schakelpunt.consent.withdrawn", _("Toestemming ingetrokken")
    TRAJECTORY_STARTED = "nl.schakelpunt.trajectory.started", _("Traject gestart")
    TRAJECTORY_ENDED = "nl.schakelpunt.trajectory.ended", _("Traject afgesloten")


class Subscription(models.Model):
    """A connected system of an organisation that wants to hear of some event types.

    It receives an event only when the access policy lets its API client see what the event
    is about (events.services), so the subscription belongs to that client."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="event_subscriptions",
        verbose_name=_("organisatie"),
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        on_delete=models.PROTECT,
        related_name="event_subscriptions",
        verbose_name=_("koppeling"),
    )
    name = models.CharField(_("naam"), max_length=200)
    callback_url = models.URLField(_("adres van de ontvanger"), max_length=500)
    # The key for the HMAC signature of every delivery; shown once when it is made. It has to
    # be kept readable (a signature needs it), unlike a token, which is only compared.
    secret = models.CharField(max_length=100)
    event_types = models.JSONField(_("soorten gebeurtenissen"), default=list)
    # The last CloudEvents `sequence` handed out to this subscription: its own count, so a
    # receiver learns nothing from it about what others are sent (events.services._write).
    last_sequence = models.PositiveBigIntegerField(_("laatste volgnummer"), default=0)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    ended_at = models.DateTimeField(_("beëindigd op"), null=True, blank=True)
    # Who ended it; empty with ended_at set: the receiver answered 410 Gone.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beëindigd door"),
    )

    class Meta:
        ordering = ["organisation__name", "name", "pk"]
        verbose_name = _("abonnement op gebeurtenissen")
        verbose_name_plural = _("abonnementen op gebeurtenissen")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def client_state(self) -> str:
        """Empty while its API client is live; else why nothing is sent any more."""
        if self.api_client.revoked_at is not None:
            return str(_("Koppeling ingetrokken"))
        if not self.api_client.is_active():
            return str(_("Koppeling verlopen"))
        return ""

    @property
    def event_type_labels(self) -> list[str]:
        return [str(EventType(t).label) for t in EventType.values if t in self.event_types]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Wacht op verzending")
    DELIVERED = "delivered", _("Afgeleverd")
    FAILED = "failed", _("Mislukt")
    CANCELLED = "cancelled", _("Niet verstuurd")


class Delivery(models.Model):
    """One event for one subscription: the CloudEvent as sent, and how sending went."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("abonnement"),
    )
    # The CloudEvent id: the same for every receiver of one event.
    event_id = models.UUIDField(_("gebeurtenis"))
    type = models.CharField(_("soort"), max_length=100, choices=EventType.choices)
    # No foreign key: the log outlives the student's file, and holds no more than the number.
    student_id = models.PositiveBigIntegerField(_("student"), null=True, blank=True)
    subject = models.CharField(_("onderwerp"), max_length=100)
    cloudevent = models.JSONField(_("bericht"))
    # Higher goes first: a withdrawal of consent before anything else.
    priority = models.SmallIntegerField(_("voorrang"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("laatste poging"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("laatste antwoord"), null=True, blank=True
    )
    # Short and ours (a status or a network error), never the receiver's response body.
    last_error = models.CharField(_("laatste fout"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("afgeleverd op"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("aflevering")
        verbose_name_plural = _("afleveringen")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="events_delivery_due"),
            models.Index(fields=["subscription", "student_id"], name="events_delivery_student"),
        ]

    def __str__(self) -> str:
        return f"{self.type} → {self.subscription_id} ({self.status})"
