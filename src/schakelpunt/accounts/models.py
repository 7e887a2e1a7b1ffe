"""People, organisations and the memberships through which people hold a role."""

from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

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
    # A connected system (ApiClient), not a person: never logs in on a screen, holds no
    # stored memberships, and is named as the system in the access log.
    is_api_client = models.BooleanField(_("gekoppeld systeem"), default=False)

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
    # Off when everyone of the organisation logs in through its own identity provider.
    password_login = models.BooleanField(_("inloggen met wachtwoord toegestaan"), default=True)

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

    @property
    def withdrawn_before_start(self) -> bool:
        """Ended before it began (a role given for later, then withdrawn)."""
        return self.valid_until is not None and self.valid_until < self.valid_from


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


class ApiClient(models.Model):
    """A system of an organisation (a student information system, a provider's client
    registration) that calls the API with a secret token. The token is shown once; only a
    SHA-256 hash is kept, found through its public prefix."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("organisatie"),
    )
    # The principal the access policy and the access log see; `is_api_client` is set.
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_client", verbose_name=_("account")
    )
    name = models.CharField(_("naam"), max_length=200)
    scopes = models.JSONField(_("rechten"), default=list)
    token_prefix = models.CharField(_("begin van de sleutel"), max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    # The last day the token works.
    expires_on = models.DateField(_("geldig tot en met"))
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ingetrokken door"),
    )
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("koppeling")
        verbose_name_plural = _("koppelingen")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def is_active(self, today: date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.revoked_at is None and day <= self.expires_on


class IdentityProvider(models.Model):
    """An organisation's own OpenID Connect provider (Entra ID, SURFconext, ...): its people
    log in there; Schakelpunt keeps their roles and teams."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="identity_provider",
        verbose_name=_("organisatie"),
    )
    # The words on the login button, e.g. "Inloggen met je ROC-account".
    name = models.CharField(_("naam op de knop"), max_length=200)
    issuer = models.URLField(_("issuer"), max_length=500)
    client_id = models.CharField(_("client-id"), max_length=255)
    client_secret = models.CharField(_("client-secret"), max_length=500)
    authorization_endpoint = models.URLField(_("authorization endpoint"), max_length=500)
    token_endpoint = models.URLField(_("token endpoint"), max_length=500)
    jwks_uri = models.URLField(_("JWKS-adres"), max_length=500)
    userinfo_endpoint = models.URLField(_("userinfo endpoint"), max_length=500, blank=True)
    end_session_endpoint = models.URLField(_("uitlog-adres"), max_length=500, blank=True)
    scopes = models.CharField(_("scopes"), max_length=300, default="openid email profile")
    signing_algorithm = models.CharField(_("ondertekening"), max_length=10, default="RS256")
    # The `amr` or `acr` values by which the provider says a second factor was used.
    mfa_values = models.CharField(
        _("waarden voor tweestapsverificatie (amr/acr)"), max_length=300, default="mfa hwk swk otp"
    )
    enabled = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        verbose_name = _("identiteitsprovider")
        verbose_name_plural = _("identiteitsproviders")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class ExternalIdentity(models.Model):
    """The stable subject (`sub`) of a person at an identity provider, linked once at the
    first login by the verified e-mail address of an invited person; never by name."""

    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.CASCADE,
        related_name="identities",
        verbose_name=_("identiteitsprovider"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("gebruiker"),
    )
    subject = models.CharField(_("subject"), max_length=255)
    linked_at = models.DateTimeField(_("gekoppeld op"), default=timezone.now)

    class Meta:
        verbose_name = _("externe identiteit")
        verbose_name_plural = _("externe identiteiten")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_unique_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="identity_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.subject}"


class IdentityProviderSecondFactor(Device):
    """The second factor an organisation's identity provider asserted at login (`amr` or
    `acr`, decision 0025). Only the OpenID Connect callback puts it in a session; it accepts
    no code, so it can never stand in for an authenticator app."""

    user: "models.ForeignKey[User, User]" = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("gebruiker")
    )
    provider: "models.ForeignKey[IdentityProvider, IdentityProvider]" = models.ForeignKey(
        IdentityProvider,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("identiteitsprovider"),
    )

    class Meta:
        verbose_name = _("tweestapsverificatie bij de identiteitsprovider")
        verbose_name_plural = _("tweestapsverificatie bij de identiteitsprovider")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "provider"], name="provider_second_factor_unique_user"
            )
        ]

    def verify_token(self, token: object) -> bool:
        return False
