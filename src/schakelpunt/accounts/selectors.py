"""Reads about accounts and organisations."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from schakelpunt.access.policy import role_grants_visible_to

from .models import Membership, RoleGrant, User


def user_has_confirmed_device(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def memberships_for(*, user: User) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation", "location", "programme_team")
        .order_by("organisation__name", "role")
    )


def role_grants_for(*, user: User) -> list[RoleGrant]:
    """The recorded role grants this privacy officer may read, newest first."""
    return list(
        RoleGrant.objects.filter(role_grants_visible_to(user))
        .select_related("organisation")
        .distinct()
        .order_by("-at", "-pk")[:500]
    )
