"""The functional administrator's screens for event subscriptions and their delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from schakelpunt.access.policy import organisations_user_may_manage
from schakelpunt.accounts.models import User

from .forms import DeliveryFilterForm, SubscriptionForm
from .models import DeliveryStatus
from .selectors import (
    api_clients_for_admin,
    deliveries_of,
    subscription_get_for_admin,
    subscriptions_for_admin,
)
from .services import SIGNATURE_HEADER, delivery_retry, subscription_create, subscription_end

PAGE_SIZE = 50
# The signing key between the POST that made it and the one page that shows it: popped there,
# so a reload, the back button or another tab never shows it again (as for API tokens).
_SECRET_KEY = "schakelpunt_event_subscription_secret"  # noqa: S105 (a session key)


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not organisations_user_may_manage(user):
        raise Http404
    return user


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    return render(
        request,
        "events/subscription_list.html",
        {"subscriptions": subscriptions_for_admin(actor).order_by("ended_at", "name", "pk")},
    )


@login_required
def subscription_create_view(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = SubscriptionForm(request.POST or None, clients=api_clients_for_admin(actor))
    if request.method == "POST" and form.is_valid():
        try:
            issued = subscription_create(
                actor=actor,
                api_client_id=form.cleaned_data["api_client"].pk,
                name=form.cleaned_data["name"],
                callback_url=form.cleaned_data["callback_url"],
                event_types=form.cleaned_data["event_types"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            request.session[_SECRET_KEY] = {
                "subscription": issued.subscription.pk,
                "secret": issued.secret,
            }
            return redirect("events:secret", subscription_id=issued.subscription.pk)
    return render(request, "events/subscription_form.html", {"form": form})


@login_required
@require_http_methods(["GET"])  # not HEAD: a HEAD would pop the secret and show nothing
def subscription_secret(request: HttpRequest, subscription_id: int) -> HttpResponse:
    actor = _admin(request)
    subscription = subscription_get_for_admin(user=actor, subscription_id=subscription_id)
    handed = request.session.get(_SECRET_KEY)
    secret = None
    if isinstance(handed, dict) and handed.get("subscription") == subscription.pk:
        secret = request.session.pop(_SECRET_KEY)["secret"]
    response = render(
        request,
        "events/subscription_secret.html",
        {"subscription": subscription, "secret": secret, "header": SIGNATURE_HEADER},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    actor = _admin(request)
    subscription = subscription_get_for_admin(user=actor, subscription_id=subscription_id)
    filter_form = DeliveryFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    page = Paginator(deliveries_of(subscription, status), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "events/subscription_detail.html",
        {
            "subscription": subscription,
            "filter_form": filter_form,
            "page": page,
            "status": status,
            "query": f"status={status}&" if status else "",
            "failed": DeliveryStatus.FAILED,
        },
    )


@login_required
@require_POST
def subscription_end_view(request: HttpRequest, subscription_id: int) -> HttpResponse:
    actor = _admin(request)
    subscription = subscription_get_for_admin(user=actor, subscription_id=subscription_id)
    try:
        subscription_end(actor=actor, subscription_id=subscription.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Het abonnement is beëindigd; er gaat niets meer heen."))
    return redirect("events:detail", subscription_id=subscription.pk)


@login_required
@require_POST
def delivery_retry_view(
    request: HttpRequest, subscription_id: int, delivery_id: int
) -> HttpResponse:
    actor = _admin(request)
    subscription = subscription_get_for_admin(user=actor, subscription_id=subscription_id)
    if not subscription.deliveries.filter(pk=delivery_id).exists():
        raise Http404
    try:
        delivery_retry(actor=actor, delivery_id=delivery_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De aflevering wordt binnen een minuut opnieuw verstuurd."))
    return redirect("events:detail", subscription_id=subscription.pk)
