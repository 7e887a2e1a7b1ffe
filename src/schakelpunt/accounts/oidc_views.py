"""The institution's functional administrator sets its own identity provider. Writes go
through accounts.oidc."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import IdentityProvider, User
from .oidc import (
    ProviderSettings,
    identity_provider_discover,
    identity_provider_save,
    institutions_for_identity_provider_setup,
)
from .oidc_forms import IdentityProviderForm

_TEXT_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "userinfo_endpoint",
    "end_session_endpoint",
    "signing_algorithm",
    "scopes",
    "mfa_values",
)


@login_required
def provider_settings(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    institutions = institutions_for_identity_provider_setup(user=user)
    if not institutions:
        raise Http404
    chosen = request.GET.get("instelling") or request.POST.get("instelling")
    institution = next((i for i in institutions if str(i.pk) == chosen), institutions[0])
    provider = IdentityProvider.objects.filter(organisation=institution).first()
    has_secret = provider is not None and bool(provider.client_secret)
    action = request.POST.get("action")
    form: IdentityProviderForm
    if request.method == "POST" and action == "discover":
        form = _discovered(request, has_secret)
    elif request.method == "POST":
        form = IdentityProviderForm(request.POST, has_secret=has_secret)
        if form.is_valid():
            data = form.cleaned_data
            try:
                identity_provider_save(
                    actor=user,
                    organisation=institution,
                    values=ProviderSettings(
                        **{f: data[f] or "" for f in _TEXT_FIELDS},
                        client_secret=data["client_secret"] or "",
                        enabled=data["enabled"],
                    ),
                    password_login=data["password_login"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("De identiteitsprovider is opgeslagen."))
                return redirect(f"{reverse('oidc:settings')}?instelling={institution.pk}")
    else:
        form = IdentityProviderForm(
            initial=IdentityProviderForm.initial_for(provider, institution.password_login),
            has_secret=has_secret,
        )
    return render(
        request,
        "accounts/oidc/settings.html",
        {
            "form": form,
            "institution": institution,
            "institutions": institutions,
            "provider": provider,
            "redirect_uri": request.build_absolute_uri(reverse("oidc:callback")),
        },
    )


def _discovered(request: HttpRequest, has_secret: bool) -> IdentityProviderForm:
    """'Gegevens ophalen': the endpoints from the provider's discovery document, the rest
    as typed (except the secret, which is never sent back to the browser)."""
    initial: dict[str, Any] = {f: request.POST.get(f, "") for f in _TEXT_FIELDS}
    initial["enabled"] = request.POST.get("enabled") == "on"
    initial["password_login"] = request.POST.get("password_login") == "on"
    try:
        found = identity_provider_discover(issuer=initial["issuer"])
    except ValidationError as error:
        form = IdentityProviderForm(initial=initial, has_secret=has_secret)
        messages.error(request, " ".join(error.messages))
        return form
    initial.update(
        issuer=found.issuer,
        authorization_endpoint=found.authorization_endpoint,
        token_endpoint=found.token_endpoint,
        jwks_uri=found.jwks_uri,
        userinfo_endpoint=found.userinfo_endpoint,
        end_session_endpoint=found.end_session_endpoint,
        signing_algorithm=found.signing_algorithm,
    )
    messages.success(
        request,
        _("De adressen zijn opgehaald bij de identiteitsprovider. Controleer ze en sla op."),
    )
    return IdentityProviderForm(initial=initial, has_secret=has_secret)
