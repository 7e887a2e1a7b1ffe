"""The people around a student. Trajectories and plans build on this (issue 3)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SupportTeamMember(models.Model):
    """A professional who is part of one student's support team."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="support_team",
        verbose_name=_("student"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="support_teams",
        verbose_name=_("teamlid"),
    )
    role_description = models.CharField(_("rol in het team"), max_length=100)
    added_on = models.DateField(_("toegevoegd op"), default=timezone.localdate)
    ended_on = models.DateField(_("gestopt op"), null=True, blank=True)

    class Meta:
        verbose_name = _("lid van ondersteuningsteam")
        verbose_name_plural = _("leden van ondersteuningsteam")

    def __str__(self) -> str:
        return f"{self.user} ({self.role_description})"


class TrajectoryState(models.TextChoices):
    SIGNALLED = "signalled", _("Gesignaleerd")
    CLARIFYING = "clarifying", _("Vraagverheldering")
    ACTIVE = "active", _("Actief")
    CLOSING = "closing", _("Afronden")
    CLOSED = "closed", _("Afgesloten")


class Tier(models.TextChoices):
    """As light as possible, as heavy as needed."""

    BASIS = "basis", _("Basis (coach)")
    BREEDTE = "breedte", _("Breedte (ondersteuningsteam, SMW)")
    DIEPTE = "diepte", _("Diepte (specialist, extern)")


TIER_ORDER = {Tier.BASIS: 0, Tier.BREEDTE: 1, Tier.DIEPTE: 2}


class CloseReason(models.TextChoices):
    GOAL_REACHED = "goal_reached", _("Doel bereikt")
    OTHER_HELP = "other_help", _("Overgedragen aan andere hulp")
    DECLINED = "declined", _("Student wil geen begeleiding")
    LEFT_SCHOOL = "left_school", _("Student heeft de school verlaten")
    NOT_NEEDED = "not_needed", _("Geen ondersteuning nodig")


class LifeDomain(models.TextChoices):
    MENTAL_HEALTH = "mental_health", _("Psychische gezondheid")
    HOME = "home", _("Thuissituatie")
    FINANCES = "finances", _("Financiën")
    HOUSING = "housing", _("Wonen")
    WORK = "work", _("Werk en stage")
    SUBSTANCE_USE = "substance_use", _("Middelengebruik")
    JUSTICE = "justice", _("Justitie")
    PHYSICAL_HEALTH = "physical_health", _("Lichamelijke gezondheid")
    SOCIAL_NETWORK = "social_network", _("Sociaal netwerk")
    LEISURE = "leisure", _("Vrije tijd")
    EDUCATION = "education", _("Opleiding")


# While the question is clarified and while support runs, exactly one person coordinates.
STATES_WITH_COORDINATOR = (TrajectoryState.CLARIFYING, TrajectoryState.ACTIVE)


class Trajectory(models.Model):
    """A student's one support trajectory: state, tier, coordinator. History in events."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("student"),
    )
    state = models.CharField(
        _("fase"), max_length=20, choices=TrajectoryState.choices, default=TrajectoryState.SIGNALLED
    )
    tier = models.CharField(_("zwaarte"), max_length=10, choices=Tier.choices, default=Tier.BASIS)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_trajectories",
        verbose_name=_("regisseur"),
    )
    life_domains = models.JSONField(_("leefgebieden"), default=list, blank=True)
    opened_at = models.DateTimeField(_("geopend op"), default=timezone.now)
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    close_reason = models.CharField(
        _("reden van afsluiten"), max_length=20, choices=CloseReason.choices, blank=True
    )
    # The student's own rating of the help when it closed (1–10), for the monitor.
    student_rating = models.PositiveSmallIntegerField(
        _("waardering van de student"), null=True, blank=True
    )
    student_rated_at = models.DateTimeField(_("gewaardeerd op"), null=True, blank=True)
    # Raised by every change; a save with an older number is refused (no silent overwrite).
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("traject")
        verbose_name_plural = _("trajecten")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=~models.Q(state="closed"),
                name="one_open_trajectory_per_student",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["clarifying", "active"])
                | models.Q(coordinator__isnull=False),
                name="coordinator_while_clarifying_or_active",
            ),
            models.CheckConstraint(
                condition=models.Q(student_rating__isnull=True)
                | models.Q(student_rating__gte=1, student_rating__lte=10),
                name="student_rating_1_to_10",
            ),
            models.CheckConstraint(
                condition=(models.Q(state="closed") & ~models.Q(close_reason=""))
                | (~models.Q(state="closed") & models.Q(close_reason="")),
                name="close_reason_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.get_state_display()} ({self.get_tier_display()})"

    @property
    def life_domain_labels(self) -> list[str]:
        return [str(LifeDomain(d).label) for d in LifeDomain.values if d in self.life_domains]


class TrajectoryEventKind(models.TextChoices):
    OPENED = "opened", _("Traject geopend")
    STATE = "state", _("Fase gewijzigd")
    TIER = "tier", _("Zwaarte gewijzigd")
    COORDINATOR = "coordinator", _("Regisseur gewijzigd")
    DOMAINS = "domains", _("Leefgebieden gewijzigd")
    PLAN = "plan", _("Plan opgeslagen")


class TrajectoryEvent(models.Model):
    """One change of a trajectory, with old and new value and the reason. Never edited."""

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, related_name="events", verbose_name=_("traject")
    )
    kind = models.CharField(_("soort"), max_length=20, choices=TrajectoryEventKind.choices)
    old_value = models.CharField(_("oud"), max_length=200, blank=True)
    new_value = models.CharField(_("nieuw"), max_length=200, blank=True)
    reason = models.TextField(_("reden"), blank=True)
    # The day it took effect (a tier change may be recorded afterwards).
    effective_on = models.DateField(_("met ingang van"), default=timezone.localdate)
    at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("door"),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("trajectgebeurtenis")
        verbose_name_plural = _("trajectgebeurtenissen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.old_value} → {self.new_value}"


class SupportPlan(models.Model):
    """The one plan of a trajectory, made with the student. Each save is a new version."""

    trajectory = models.OneToOneField(
        Trajectory, on_delete=models.CASCADE, related_name="plan", verbose_name=_("traject")
    )
    wishes = models.TextField(_("wensen van de student"), blank=True)
    agreements = models.TextField(_("afspraken met ouders en netwerk"), blank=True)
    review_on = models.DateField(_("evalueren op"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versie"), default=0)
    updated_at = models.DateTimeField(_("bijgewerkt op"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("bijgewerkt door"),
    )

    class Meta:
        verbose_name = _("ondersteuningsplan")
        verbose_name_plural = _("ondersteuningsplannen")

    def __str__(self) -> str:
        return f"{self.trajectory.student} v{self.version}"


class PlanGoal(models.Model):
    plan = models.ForeignKey(
        SupportPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    life_domain = models.CharField(_("leefgebied"), max_length=20, choices=LifeDomain.choices)
    # In the student's own words.
    text = models.TextField(_("doel"))
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")

    def __str__(self) -> str:
        return self.text[:60]


class PlanAction(models.Model):
    """An agreed action: who does what before when, and whether it is done."""

    plan = models.ForeignKey(
        SupportPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    description = models.TextField(_("actie"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("eigenaar"),
    )
    # When the owner is not a user: "de student", "moeder", ...
    owner_name = models.CharField(_("eigenaar (naam)"), max_length=100, blank=True)
    due_on = models.DateField(_("uiterlijk op"))
    done_on = models.DateField(_("gedaan op"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(owner_name=""),
                name="plan_action_has_an_owner",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def owner_display(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and self.due_on < today


class PlanVersion(models.Model):
    """A snapshot of the whole plan as it was saved; earlier versions stay readable."""

    plan = models.ForeignKey(
        SupportPlan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan")
    )
    number = models.PositiveIntegerField(_("versie"))
    content = models.JSONField(_("inhoud"))
    saved_at = models.DateTimeField(_("opgeslagen op"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opgeslagen door"),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("planversie")
        verbose_name_plural = _("planversies")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} versie {self.number}"


class ContactKind(models.TextChoices):
    CONVERSATION = "conversation", _("Gesprek")
    PHONE = "phone", _("Telefoon")
    MESSAGE = "message", _("Bericht of e-mail")
    HOME_VISIT = "home_visit", _("Huisbezoek")
    MEETING = "meeting", _("Overleg")


class ContactNote(models.Model):
    """A conversation or contact (or, dated in the future, an appointment)."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("student"),
    )
    kind = models.CharField(_("soort"), max_length=20, choices=ContactKind.choices)
    happened_on = models.DateField(_("datum"))
    participants = models.CharField(_("met wie"), max_length=200, blank=True)
    summary = models.TextField(_("korte notitie"), blank=True)
    # How long it took: the school's own support hours in the monitor's cost overview.
    minutes = models.PositiveSmallIntegerField(_("duur (minuten)"), null=True, blank=True)
    # The student sees shared contacts and appointments in their own view.
    shared_with_student = models.BooleanField(_("zichtbaar voor de student"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    created_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacten")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


class StudentContribution(models.Model):
    """Something the student added to their own plan, in their own words."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("student"),
    )
    text = models.TextField(_("tekst"))
    created_at = models.DateTimeField(_("toegevoegd op"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inbreng van de student")
        verbose_name_plural = _("inbreng van studenten")

    def __str__(self) -> str:
        return self.text[:60]


class HelpRequest(models.Model):
    """A student asks for help; the care team of their location picks it up."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="help_requests",
        verbose_name=_("student"),
    )
    text = models.TextField(_("vraag"))
    created_at = models.DateTimeField(_("gevraagd op"), default=timezone.now)
    picked_up_at = models.DateTimeField(_("opgepakt op"), null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opgepakt door"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hulpvraag")
        verbose_name_plural = _("hulpvragen")

    def __str__(self) -> str:
        return self.text[:60]
