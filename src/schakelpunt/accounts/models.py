"""People, organisations and the memberships through which people hold a role."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.core.append_only import AppendOnlyError as AppendOnlyError  # re-exported
from schakelpunt.core.append_only import AppendOnlyModel, AppendOnlyQuerySet

from .roles import OrganisationKind, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in. Signs in with the e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mailadres"), unique=True)
    email_notifications = models.BooleanField(_("meldingen ook per e-mail"), default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Organisation(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=OrganisationKind.choices)
    brin = models.CharField(_("BRIN"), max_length=4, blank=True)
    # The municipality an organisation is (kind municipality) or is seated in.
    municipality = models.ForeignKey(
        "refdata.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("gemeente"),
    )
    # The region an RMC office serves.
    rmc_region = models.ForeignKey(
        "refdata.RmcRegion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("RMC-regio"),
    )
    # A provider, municipality or RMC office whose people are kept by the functional
    # administrator of this institution; set by the operator (`schakelpunt organisation`).
    managed_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_organisations",
        verbose_name=_("beheerd door"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A site of an MBO institution; its care team serves the students enrolled there."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="locations",
        verbose_name=_("instelling"),
    )
    name = models.CharField(_("naam"), max_length=200)
    municipality = models.ForeignKey(
        "refdata.Municipality", on_delete=models.PROTECT, verbose_name=_("gemeente")
    )
    # The day it stopped (last day in use); ended parts are kept for history.
    ended_on = models.DateField(_("beëindigd op"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")

    def __str__(self) -> str:
        return self.name


class ProgrammeTeam(models.Model):
    """The team of coaches that runs a group of programmes at one location."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="teams", verbose_name=_("locatie")
    )
    name = models.CharField(_("naam"), max_length=200)
    # The day it stopped (last day in use); ended parts are kept for history.
    ended_on = models.DateField(_("beëindigd op"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("opleidingsteam")
        verbose_name_plural = _("opleidingsteams")

    def __str__(self) -> str:
        return self.name


class Level(models.IntegerChoices):
    ENTREE = 1, _("Entree")
    LEVEL_2 = 2, _("Niveau 2")
    LEVEL_3 = 3, _("Niveau 3")
    LEVEL_4 = 4, _("Niveau 4")


class Pathway(models.TextChoices):
    BOL = "BOL", _("BOL (beroepsopleidende leerweg)")
    BBL = "BBL", _("BBL (beroepsbegeleidende leerweg)")


class Programme(models.Model):
    team = models.ForeignKey(
        ProgrammeTeam, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("team")
    )
    crebo = models.CharField(_("crebo"), max_length=5)
    name = models.CharField(_("naam"), max_length=200)
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)
    pathway = models.CharField(_("leerweg"), max_length=3, choices=Pathway.choices)
    # The day it stopped (last day in use); ended parts are kept for history.
    ended_on = models.DateField(_("beëindigd op"), null=True, blank=True)

    class Meta:
        ordering = ["name", "level"]
        verbose_name = _("opleiding")
        verbose_name_plural = _("opleidingen")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()}, {self.pathway})"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        today = timezone.localdate()
        return self.filter(valid_from__lte=today).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today)
        )


class Membership(models.Model):
    """A person holds a role in an organisation, optionally for one location or team."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("gebruiker")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisatie"),
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    # For the care team of one location; empty means every location of the institution.
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("locatie")
    )
    # For a coach: the programme team whose students they coach.
    programme_team = models.ForeignKey(
        ProgrammeTeam, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("team")
    )
    # A separate permission: share with a provider without consent in an emergency.
    emergency_sharing = models.BooleanField(
        _("mag in een noodsituatie delen zonder toestemming"), default=False
    )
    valid_from = models.DateField(_("geldig vanaf"), default=timezone.localdate)
    valid_until = models.DateField(_("geldig tot en met"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "location", "programme_team"],
                name="membership_unique_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"


class GrantOutcome(models.TextChoices):
    GRANTED = "granted", _("toegekend")
    REFUSED = "refused", _("geweigerd")
    # The role stops on a day (`Membership.valid_until`); the reason names the last day.
    ENDED = "ended", _("beëindigd")
    # The whole account is blocked or opened again; one row per role the person held.
    SUSPENDED = "suspended", _("account geblokkeerd")
    RESTORED = "restored", _("account weer open")
    # The person's authenticator app was removed by an administrator (a lost phone); they
    # set up a new one at their next login, after proving their mailbox again.
    OTP_RESET = "otp_reset", _("tweestapsverificatie opnieuw ingesteld")


class RoleGrant(AppendOnlyModel):
    """Append-only: who gave (or tried to give) which role to whom, in which organisation."""

    at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    # Empty: the operator on the command line (`schakelpunt invite`).
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    actor_display = models.CharField(_("door (naam)"), max_length=300)
    # Empty when a refused invitation was for an address without an account.
    grantee = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aan"),
    )
    grantee_email = models.EmailField(_("aan (e-mailadres)"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    # Kept as written: the location or team the role is for.
    scope_display = models.CharField(_("locatie of team"), max_length=300, blank=True)
    outcome = models.CharField(_("uitkomst"), max_length=10, choices=GrantOutcome.choices)
    reason = models.CharField(_("reden"), max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("toegekende rol")
        verbose_name_plural = _("toegekende rollen")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_display} {self.role} {self.grantee_email}"


class SecondFactorSetupCode(models.Model):
    """A one-time code sent by e-mail before a first authenticator app may be set up."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("gebruiker")
    )
    # A keyed hash of the code; the code itself is only in the e-mail.
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("code voor tweestapsverificatie")
        verbose_name_plural = _("codes voor tweestapsverificatie")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
