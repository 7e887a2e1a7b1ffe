"""Writes about accounts: memberships and the second factor."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from schakelpunt.access.policy import may_open_student_files

from .models import Location, Membership, Organisation, ProgrammeTeam, User
from .roles import ROLE_ORGANISATION_KINDS, Role


def second_factor_required(*, user: User) -> bool:
    """Every role that can open another person's student file must use a second factor."""
    return may_open_student_files(user)


def membership_create(
    *,
    user: User,
    organisation: Organisation,
    role: Role,
    location: Location | None = None,
    programme_team: ProgrammeTeam | None = None,
    valid_from: date | None = None,
) -> Membership:
    """Give a person a role in an organisation, refusing combinations that make no sense."""
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
            defaults={"valid_from": valid_from} if valid_from else {},
        )
    return membership


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
