"""Writes about accounts: memberships and the second factor."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from schakelpunt.access.policy import may_open_student_files
from schakelpunt.refdata.models import Municipality, RmcRegion

from .models import Location, Membership, Organisation, ProgrammeTeam, User
from .roles import ROLE_ORGANISATION_KINDS, Role
from .tasks import send_invitation_email


def second_factor_required(*, user: User) -> bool:
    """Every role that can open another person's student file must use a second factor."""
    return may_open_student_files(user)


def organisation_create(
    *,
    name: str,
    kind: str,
    municipality_code: str = "",
    rmc_region_code: str = "",
    brin: str = "",
) -> tuple[Organisation, bool]:
    """Add an organisation; the same name and kind twice is one organisation."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Een organisatie heeft een naam."))
    municipality = region = None
    if municipality_code:
        municipality = Municipality.objects.filter(cbs_code=municipality_code.upper()).first()
        if municipality is None:
            raise ValidationError(
                _("Gemeentecode %(code)s bestaat niet.") % {"code": municipality_code}
            )
    if rmc_region_code:
        region = RmcRegion.objects.filter(code=rmc_region_code.upper()).first()
        if region is None:
            raise ValidationError(_("RMC-regio %(code)s bestaat niet.") % {"code": rmc_region_code})
    with transaction.atomic():
        return Organisation.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={"municipality": municipality, "rmc_region": region, "brin": brin},
        )


def membership_create(
    *,
    user: User,
    organisation: Organisation,
    role: Role,
    location: Location | None = None,
    programme_team: ProgrammeTeam | None = None,
    valid_from: date | None = None,
    actor: User | None = None,
) -> Membership:
    """Give a person a role in an organisation, refusing combinations that make no sense."""
    role = Role(role)
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationError(
            _("De rol %(role)s past niet bij een organisatie van deze soort.")
            % {"role": role.label}
        )
    if role == Role.COACH and programme_team is None:
        raise ValidationError(_("Een studieloopbaanbegeleider hoort bij een opleidingsteam."))
    if location is not None and location.institution_id != organisation.pk:
        raise ValidationError(_("Deze locatie hoort niet bij de organisatie."))
    if programme_team is not None and programme_team.location.institution_id != organisation.pk:
        raise ValidationError(_("Dit team hoort niet bij de organisatie."))
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=role,
            location=location,
            programme_team=programme_team,
            defaults={"created_by": actor, **({"valid_from": valid_from} if valid_from else {})},
        )
    return membership


def user_invite(
    *,
    actor: User | None,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: Role,
    location: Location | None = None,
    programme_team: ProgrammeTeam | None = None,
    base_url: str,
) -> User:
    """Give a person a role; a new person gets an e-mail to choose a password (after commit).

    An address that already has an account gets the extra role and no new account.
    """
    email = User.objects.normalize_email(email).strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        is_new = user is None
        if user is None:
            user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
            user.set_unusable_password()
            user.save()
        membership_create(
            user=user,
            organisation=organisation,
            role=role,
            location=location,
            programme_team=programme_team,
            actor=actor,
        )
        if is_new or not user.has_usable_password():
            user_id = user.pk
            transaction.on_commit(lambda: send_invitation_email(user_id, base_url))
    return user


def user_set_email_notifications(*, user: User, enabled: bool) -> None:
    """A person chooses whether notifications also come by e-mail."""
    User.objects.filter(pk=user.pk).update(email_notifications=enabled)


def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device for setting up, created on first need."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    return device


def totp_device_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the device being set up when the code is right; None when it is not."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts this code, or None (attempts are throttled)."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None
