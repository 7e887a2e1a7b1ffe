"""Reads for the functional administrator's screens, scoped to the organisations they keep."""

from django.db.models import QuerySet
from django.http import Http404

from schakelpunt.access.policy import organisations_user_may_manage
from schakelpunt.accounts.models import ApiClient, User

from .models import Delivery, Subscription


def subscriptions_for_admin(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        organisation_id__in=organisations_user_may_manage(user)
    ).select_related("organisation", "api_client")


def subscription_get_for_admin(*, user: User, subscription_id: int) -> Subscription:
    """The same 404 for absent and for another organisation's subscription."""
    subscription = subscriptions_for_admin(user).filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404
    return subscription


def api_clients_for_admin(user: User) -> QuerySet[ApiClient]:
    """The systems a subscription can belong to: live ones of the organisations they keep."""
    return (
        ApiClient.objects.filter(
            organisation_id__in=organisations_user_may_manage(user), revoked_at__isnull=True
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def deliveries_of(subscription: Subscription, status: str = "") -> QuerySet[Delivery]:
    deliveries = subscription.deliveries.all()
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")
