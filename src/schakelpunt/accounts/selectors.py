"""Reads about accounts and organisations."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, User


def user_has_confirmed_device(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def memberships_for(*, user: User) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation", "location", "programme_team")
        .order_by("organisation__name", "role")
    )
