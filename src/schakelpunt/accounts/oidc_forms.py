from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IdentityProvider
from .oidc import SIGNING_ALGORITHMS


class IdentityProviderForm(forms.Form):
    """The institution's own identity provider; the secret is never shown back."""

    name = forms.CharField(
        label=_("Tekst op de knop"),
        max_length=200,
        help_text=_("Bijvoorbeeld: Inloggen met je ROC-account."),
    )
    issuer = forms.URLField(
        assume_scheme="https",
        label=_("Issuer"),
        max_length=500,
        help_text=_(
            "Het adres van de identiteitsprovider. Met 'Gegevens ophalen' vult Schakelpunt de "
            "adressen hieronder uit de OpenID-configuratie van de provider."
        ),
    )
    client_id = forms.CharField(label=_("Client-id"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client-secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    authorization_endpoint = forms.URLField(
        assume_scheme="https", label=_("Authorization endpoint"), max_length=500, required=False
    )
    token_endpoint = forms.URLField(
        assume_scheme="https", label=_("Token endpoint"), max_length=500, required=False
    )
    jwks_uri = forms.URLField(
        assume_scheme="https", label=_("JWKS-adres"), max_length=500, required=False
    )
    userinfo_endpoint = forms.URLField(
        assume_scheme="https", label=_("Userinfo endpoint"), max_length=500, required=False
    )
    end_session_endpoint = forms.URLField(
        assume_scheme="https", label=_("Uitlog-adres"), max_length=500, required=False
    )
    signing_algorithm = forms.ChoiceField(
        label=_("Ondertekening"), choices=[(a, a) for a in SIGNING_ALGORITHMS], initial="RS256"
    )
    scopes = forms.CharField(label=_("Scopes"), max_length=300, initial="openid email profile")
    mfa_values = forms.CharField(
        label=_("Waarden voor tweestapsverificatie (amr/acr)"),
        max_length=300,
        initial="mfa hwk swk otp",
        help_text=_(
            "Zegt de provider met een van deze waarden dat iemand met een tweede factor "
            "inlogde, dan vraagt Schakelpunt geen code uit de authenticator-app meer."
        ),
    )
    enabled = forms.BooleanField(label=_("Inloggen via deze provider staat aan"), required=False)
    password_login = forms.BooleanField(
        label=_("Mensen van deze instelling mogen ook met een wachtwoord inloggen"),
        required=False,
        help_text=_(
            "Zet dit pas uit als inloggen via de provider werkt. Wie alleen bij deze instelling "
            "een rol heeft, kan dan niet meer met een wachtwoord inloggen."
        ),
    )

    def __init__(self, *args: Any, has_secret: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        if has_secret:
            self.fields["client_secret"].help_text = _(
                "Er is een secret opgeslagen. Laat dit leeg om het te houden."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_secret and not data.get("client_secret"):
            self.add_error("client_secret", _("Vul het client-secret in."))
        return data

    @staticmethod
    def initial_for(provider: IdentityProvider | None, password_login: bool) -> dict[str, Any]:
        if provider is None:
            return {"enabled": True, "password_login": password_login}
        fields = [
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
            "enabled",
        ]
        initial = {f: getattr(provider, f) for f in fields}
        initial["password_login"] = password_login
        return initial
