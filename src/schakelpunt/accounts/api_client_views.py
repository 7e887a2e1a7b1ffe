"""The functional administrator's connected systems: register one, see its secret once,
renew it, revoke it. Writes go through accounts.api_clients; the access policy decides, and
anyone else gets the same 404 as for a page that is not there."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .api_client_forms import ApiClientCreateForm, ApiClientRenewForm, ChooseOrganisationForm
from .api_client_selectors import (
    api_client_get_for_admin,
    api_client_rows,
    api_client_status,
    organisations_for_admin,
    scope_labels,
)
from .api_clients import IssuedClient, api_client_create, api_client_renew, api_client_revoke
from .models import Organisation, User

logger = logging.getLogger("schakelpunt.api_clients")

# The secret between the POST that made it and the one page that shows it: popped there,
# so a reload, the back button or another tab never shows it again.
_TOKEN_KEY = "schakelpunt_api_client_token"  # noqa: S105 (a session key, not a secret)


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not organisations_for_admin(actor=user):
        raise Http404
    return user


def _hand_over(request: HttpRequest, issued: IssuedClient) -> HttpResponse:
    request.session[_TOKEN_KEY] = {"client": issued.client.pk, "token": issued.token}
    return redirect("api_clients:token", client_id=issued.client.pk)


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    return render(
        request,
        "accounts/api_clients/list.html",
        {"rows": api_client_rows(actor=actor, today=timezone.localdate())},
    )


def _chosen(request: HttpRequest, organisations: list[Organisation]) -> Organisation | None:
    """The organisation the new system is for: the only one, or the one asked for."""
    wanted = request.GET.get("organisatie", "")
    if not wanted:
        return organisations[0] if len(organisations) == 1 else None
    for organisation in organisations:
        if str(organisation.pk) == wanted:
            return organisation
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def client_add(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    organisations = organisations_for_admin(actor=actor)
    organisation = _chosen(request, organisations)
    if organisation is None:
        return render(
            request,
            "accounts/api_clients/choose.html",
            {"form": ChooseOrganisationForm(organisations=organisations)},
        )
    form = ApiClientCreateForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = api_client_create(
                actor=actor,
                organisation=organisation,
                name=data["name"],
                scopes=data["scopes"],
                expires_on=data["expires_on"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logger.info("api client %s registered by user %s", issued.client.token_prefix, actor.pk)
            return _hand_over(request, issued)
    return render(
        request,
        "accounts/api_clients/add.html",
        {
            "form": form,
            "organisation": organisation,
            "more_organisations": len(organisations) > 1,
        },
    )


@login_required
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = _admin(request)
    client = api_client_get_for_admin(actor=actor, client_id=client_id)
    return render(
        request,
        "accounts/api_clients/detail.html",
        {
            "client": client,
            "scopes": scope_labels(client.scopes),
            "status": api_client_status(client),
        },
    )


@login_required
@require_http_methods(["GET"])  # not HEAD: a HEAD would pop the secret and show nothing
def client_token(request: HttpRequest, client_id: int) -> HttpResponse:
    """The secret, once. NoStoreMiddleware keeps it out of every cache (Cache-Control:
    no-store), and the session forgets it as soon as this page has it."""
    actor = _admin(request)
    client = api_client_get_for_admin(actor=actor, client_id=client_id)
    handed = request.session.get(_TOKEN_KEY)
    token = None
    if isinstance(handed, dict) and handed.get("client") == client.pk:
        token = request.session.pop(_TOKEN_KEY)["token"]
    return render(
        request,
        "accounts/api_clients/token.html",
        {"client": client, "token": token, "api_url": request.build_absolute_uri("/api/v1/")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_renew(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = _admin(request)
    client = api_client_get_for_admin(actor=actor, client_id=client_id)
    form = ApiClientRenewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_client_renew(
                actor=actor, client=client, expires_on=form.cleaned_data["expires_on"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Who renewed is not kept on the client (yet); the application log keeps it.
            logger.info("api client %s renewed by user %s", issued.client.token_prefix, actor.pk)
            return _hand_over(request, issued)
    return render(
        request,
        "accounts/api_clients/renew.html",
        {"client": client, "form": form, "status": api_client_status(client)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = _admin(request)
    client = api_client_get_for_admin(actor=actor, client_id=client_id)
    if request.method == "POST":
        try:
            revoked = api_client_revoke(actor=actor, client=client)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            logger.info("api client %s revoked by user %s", revoked.token_prefix, actor.pk)
            messages.success(
                request,
                _(
                    "%(name)s is ingetrokken: de sleutel werkt vanaf nu niet meer "
                    "(ingetrokken op %(when)s)."
                )
                % {
                    "name": revoked.name,
                    "when": date_format(timezone.localtime(revoked.revoked_at), "j F Y H:i"),
                },
            )
        return redirect("api_clients:detail", client_id=client.pk)
    return render(
        request,
        "accounts/api_clients/revoke.html",
        {"client": client, "status": api_client_status(client)},
    )
