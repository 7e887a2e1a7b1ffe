"""Case meetings (MDO, casusoverleg, zorgteam): agenda, participants, decisions, minutes.

"Met de jongere, niet over de jongere": the student is invited by default. Each participant's
preparation sheet and the minutes show only what the access policy lets that person see: the
minutes are kept per student on the agenda.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    MDO = "mdo", _("Multidisciplinair overleg (MDO)")
    CASE = "case", _("Casusoverleg")
    CARE_TEAM = "care_team", _("Zorgteamoverleg")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Gepland")
    HELD = "held", _("Gehouden, verslag in concept")
    APPROVED = "approved", _("Verslag vastgesteld")
    CANCELLED = "cancelled", _("Afgezegd")


class Meeting(models.Model):
    uid = models.UUIDField(_("agenda-id"), default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("instelling"),
    )
    kind = models.CharField(_("soort"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("titel"), max_length=200)
    starts_at = models.DateTimeField(_("begint om"))
    duration_minutes = models.PositiveSmallIntegerField(_("duur (minuten)"), default=60)
    place = models.CharField(_("plaats of videolink"), max_length=300, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
        verbose_name=_("voorzitter"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # What concerns no student in particular; what is said about a student goes in the
    # minutes of that student's agenda item, which each participant reads only when the
    # access policy lets them see that student's support.
    notes = models.TextField(_("verslag (algemeen, zonder gegevens over studenten)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("gepland door"),
    )
    created_at = models.DateTimeField(_("gepland op"), default=timezone.now)
    approved_at = models.DateTimeField(_("vastgesteld op"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("herinnering verstuurd op"), null=True, blank=True)
    next_meeting = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("volgend overleg"),
    )
    # Raised by every change; iCalendar SEQUENCE for updated invitations.
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("overleg")
        verbose_name_plural = _("overleggen")
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    @property
    def has_started(self) -> bool:
        """Decisions, 'held' and approved minutes belong to a meeting that has begun."""
        return self.starts_at <= timezone.now()


class AgendaItem(models.Model):
    """One student on the agenda, with the question and the student's own view."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("overleg")
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="agenda_items",
        verbose_name=_("student"),
    )
    question = models.TextField(_("vraag voor het overleg"))
    student_view = models.TextField(_("wat de student zelf zegt"), blank=True)
    minutes = models.TextField(_("verslag over deze student"), blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agendapunt")
        verbose_name_plural = _("agendapunten")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "student"], name="student_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.student}"


class ParticipantKind(models.TextChoices):
    STAFF = "staff", _("Medewerker")
    EXTERNAL = "external", _("Externe deelnemer")
    STUDENT = "student", _("Student")
    PARENT = "parent", _("Ouder of verzorger")


class Attendance(models.TextChoices):
    INVITED = "invited", _("Uitgenodigd")
    PRESENT = "present", _("Aanwezig")
    ABSENT = "absent", _("Afwezig")
    EXCUSED = "excused", _("Afgemeld")


class Participant(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("overleg")
    )
    # Empty for a parent without an account: invited by e-mail, no preparation sheet.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_participations",
        verbose_name=_("gebruiker"),
    )
    guardian = models.ForeignKey(
        "students.Guardian",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ouder of verzorger"),
    )
    name = models.CharField(_("naam"), max_length=200)
    email = models.EmailField(_("e-mailadres"), blank=True)
    kind = models.CharField(_("soort"), max_length=10, choices=ParticipantKind.choices)
    role_description = models.CharField(_("rol in het overleg"), max_length=200, blank=True)
    attendance = models.CharField(
        _("aanwezigheid"), max_length=10, choices=Attendance.choices, default=Attendance.INVITED
    )
    invited_at = models.DateTimeField(_("uitgenodigd op"), default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="user_once_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["meeting", "guardian"],
                condition=models.Q(guardian__isnull=False),
                name="guardian_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """What the meeting decided about one student; an action goes into the student's plan."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("agendapunt")
    )
    text = models.TextField(_("besluit"))
    action = models.ForeignKey(
        "support.PlanAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actie in het plan"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    created_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("besluit")
        verbose_name_plural = _("besluiten")

    def __str__(self) -> str:
        return self.text[:60]
