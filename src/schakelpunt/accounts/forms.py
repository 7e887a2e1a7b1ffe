from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Location, Organisation, ProgrammeTeam
from .roles import Role


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mailadres"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "Dit e-mailadres en wachtwoord horen niet bij elkaar. Let op: na %(limit)s "
            "mislukte pogingen wordt inloggen tijdelijk geblokkeerd."
        ),
        "inactive": _("Dit account is niet actief."),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


def _code_input() -> forms.TextInput:
    return forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code uit uw authenticator-app"), min_length=6, max_length=8, widget=_code_input()
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("De code bestaat alleen uit cijfers."))
        return token


class EmailCodeForm(TokenForm):
    """The one-time code sent by e-mail before a first authenticator app is set up."""

    token = forms.CharField(
        label=_("Code uit de e-mail"), min_length=6, max_length=6, widget=_code_input()
    )


class UserInviteForm(forms.Form):
    """Offers only the organisations, roles, locations and teams the actor may grant."""

    email = forms.EmailField(label=_("E-mailadres"))
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Rol"), choices=())
    location = forms.ModelChoiceField(
        label=_("Locatie"),
        required=False,
        queryset=Location.objects.none(),
        help_text=_("Voor het zorgteam van één locatie. Leeg: alle locaties."),
    )
    programme_team = forms.ModelChoiceField(
        label=_("Opleidingsteam"),
        required=False,
        queryset=ProgrammeTeam.objects.none(),
        help_text=_("Verplicht voor een studieloopbaanbegeleider."),
    )

    def __init__(self, *args: Any, grantable: dict[int, frozenset[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_ids = sorted(grantable)
        roles = set().union(*grantable.values()) if grantable else set()
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=org_ids
        ).order_by("name")
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in roles]  # type: ignore[attr-defined]
        self.fields["location"].queryset = (  # type: ignore[attr-defined]
            Location.objects.filter(institution_id__in=org_ids)
            .select_related("institution")
            .order_by("name")
        )
        self.fields["programme_team"].queryset = (  # type: ignore[attr-defined]
            ProgrammeTeam.objects.filter(location__institution_id__in=org_ids)
            .select_related("location")
            .order_by("name")
        )
