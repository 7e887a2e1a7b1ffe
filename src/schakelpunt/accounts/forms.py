from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from schakelpunt.students.models import Guardian

from .institution import in_use
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
        "password_login_off": _(
            "Uw organisatie laat u niet met een wachtwoord inloggen. Gebruik de knop onder "
            "'Inloggen via je school of organisatie' op deze pagina."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        """Only after the right password (an unknown address reads the same as a wrong
        password): someone whose every role is in an organisation that logs in through its
        identity provider is sent to its button."""
        from .oidc import password_login_refused

        super().confirm_login_allowed(user)
        if user.is_api_client:  # a connected system has a token, never a password login
            raise self.get_invalid_login_error()
        if password_login_refused(user=user):
            raise forms.ValidationError(
                self.error_messages["password_login_off"], code="password_login_off"
            )

    def get_invalid_login_error(self) -> forms.ValidationError:
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


class ForgottenPasswordForm(PasswordResetForm):
    """Django's reset skips an account without a usable password; someone invited who never
    chose one gets the invitation again instead. The screen says the same either way."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .second_factor import invitation_for_forgotten_password

        super().save(*args, **kwargs)
        request = kwargs.get("request")
        if request is not None:
            invitation_for_forgotten_password(
                email=self.cleaned_data["email"], base_url=request.build_absolute_uri("/")
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


class ErrorSummaryMixin:
    """The field errors for a summary at the top of the form, each with the field's id.
    (Errors about the whole form are shown by _form_fields.html already.)"""

    def summary_errors(self) -> list[tuple[str, str, str]]:
        rows = []
        for field in self.visible_fields():  # type: ignore[attr-defined]
            for error in field.errors:
                rows.append((field.id_for_label, str(field.label), str(error)))
        return rows


class UserInviteForm(ErrorSummaryMixin, forms.Form):
    """Offers only the organisations, roles, locations and teams the actor may grant."""

    email = forms.EmailField(label=_("E-mailadres"))
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.none(), empty_label=_("— kies —")
    )
    role = forms.ChoiceField(label=_("Rol"), choices=())
    # Only staff roles use these; without JavaScript the label says so, and a parent's or
    # student's invitation does not show them once the role is known.
    location = forms.ModelChoiceField(
        label=_("Locatie (alleen voor medewerkers)"),
        required=False,
        queryset=Location.objects.none(),
        empty_label=_("— kies —"),
        help_text=_("Voor het zorgteam van één locatie. Leeg: alle locaties."),
    )
    programme_team = forms.ModelChoiceField(
        label=_("Opleidingsteam (alleen voor medewerkers)"),
        required=False,
        queryset=ProgrammeTeam.objects.none(),
        empty_label=_("— kies —"),
        help_text=_("Verplicht voor een studieloopbaanbegeleider."),
    )
    _STAFF_FIELDS = ("location", "programme_team")
    student_number = forms.CharField(
        label=_("Studentnummer"),
        required=False,
        max_length=20,
        help_text=_(
            "Bij de rol Student: het account hoort bij het dossier van de student met dit "
            "nummer. Bij de rol Ouder of verzorger: het nummer van het kind; daarna kiest u "
            "welke ouder of verzorger uit het dossier dit is."
        ),
    )
    # A second step for a parent: the guardians in the record of the student named above
    # (offered by the view; the service checks the one chosen belongs to that student).
    guardian = forms.IntegerField(
        label=_("Welke ouder of verzorger is dit?"), required=False, widget=forms.RadioSelect
    )
    _NAME_FIELDS = ("email", "first_name", "last_name")

    def __init__(self, *args: Any, grantable: dict[int, frozenset[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_ids = sorted(grantable)
        roles = set().union(*grantable.values()) if grantable else set()
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=org_ids
        ).order_by("name")
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in roles]  # type: ignore[attr-defined]
        if len(org_ids) == 1:
            # One organisation to choose from: chosen already.
            self.fields["organisation"].initial = org_ids[0]
            self.fields["organisation"].empty_label = None  # type: ignore[attr-defined]
        # Ended locations and teams are kept for history but no longer offered.
        self.fields["location"].queryset = (  # type: ignore[attr-defined]
            Location.objects.filter(in_use(), institution_id__in=org_ids)
            .select_related("institution")
            .order_by("name")
        )
        self.fields["programme_team"].queryset = (  # type: ignore[attr-defined]
            ProgrammeTeam.objects.filter(in_use(), location__institution_id__in=org_ids)
            .filter(location__in=Location.objects.filter(in_use()))
            .select_related("location")
            .order_by("name")
        )
        if self.is_bound and self.data.get("role") in {Role.PARENT, Role.STUDENT}:
            for name in self._STAFF_FIELDS:
                if not self.data.get(name):
                    self.fields[name].widget = forms.HiddenInput()
        if self.is_parent:
            # A parent's address and name may come from the guardian record.
            for name in self._NAME_FIELDS:
                self.fields[name].required = False
                self.fields[name].help_text = _("Leeg laten: zoals in het dossier.")
            self.fields["email"].help_text = _(
                "Het e-mailadres dat bij de ouder of verzorger in het dossier staat; leeg "
                "laten vult het in."
            )
        else:
            del self.fields["guardian"]

    @property
    def is_parent(self) -> bool:
        return self.is_bound and self.data.get("role") == Role.PARENT

    def offer_guardians(self, guardians: list[Guardian]) -> None:
        """The second step for a parent: the guardians of the student to choose from."""
        widget = self.fields["guardian"].widget
        widget.choices = [(g.pk, _guardian_label(g)) for g in guardians]

    def hide_guardians(self) -> None:
        self.fields.pop("guardian", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = (data.get("student_number") or "").strip()
        role = data.get("role")
        if role == Role.STUDENT and not number:
            self.add_error(
                "student_number",
                _("Kies bij de rol Student het studentdossier: vul het studentnummer in."),
            )
        elif role == Role.PARENT and not number:
            self.add_error(
                "student_number",
                _("Vul bij de rol Ouder of verzorger het studentnummer van het kind in."),
            )
        elif number and role and role not in {Role.STUDENT, Role.PARENT}:
            self.add_error(
                "student_number",
                _("Een studentnummer hoort alleen bij de rol Student of Ouder of verzorger."),
            )
        # The rules the service checks, in the same pass: every mistake shown at once.
        team = data.get("programme_team")
        location = data.get("location")
        organisation = data.get("organisation")
        if role == Role.COACH and team is None and "programme_team" not in self.errors:
            self.add_error(
                "programme_team",
                _("Een studieloopbaanbegeleider hoort bij een opleidingsteam."),
            )
        if organisation is not None:
            if location is not None and location.institution_id != organisation.pk:
                self.add_error("location", _("Deze locatie hoort niet bij de gekozen organisatie."))
            if team is not None and team.location.institution_id != organisation.pk:
                self.add_error(
                    "programme_team", _("Dit team hoort niet bij de gekozen organisatie.")
                )
        if role == Role.PARENT and (data.get("location") or data.get("programme_team")):
            self.add_error(
                None, _("Een ouder of verzorger hoort niet bij een locatie of opleidingsteam.")
            )
        return data


def _guardian_label(guardian: Guardian) -> str:
    parts = [f"{guardian.name} ({guardian.get_relation_display()})"]
    parts.append(guardian.email or str(_("geen e-mailadres in het dossier")))
    if guardian.user_id is not None:
        parts.append(str(_("heeft al een account")))
    return ", ".join(parts)


# --- the functional administrator's people screens ----------------------------------------

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeopleFilterForm(forms.Form):
    """Search and filter the list of people (GET)."""

    q = forms.CharField(label=_("Zoek op naam of e-mailadres"), required=False, max_length=100)
    rol = forms.ChoiceField(label=_("Rol"), required=False, choices=())
    team = forms.TypedChoiceField(
        label=_("Opleidingsteam"), required=False, coerce=int, empty_value=None, choices=()
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[str, str]],
        teams: list[tuple[int, str]],
        statuses: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rol"].choices = [("", _("Alle rollen")), *roles]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("Alle teams")), *teams]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Iedereen")), *statuses]  # type: ignore[attr-defined]


class _VersionedForm(forms.Form):
    """Carries the marker of the person as shown; a stale form is refused, never applied."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PersonVersionForm(_VersionedForm):
    pass


class MembershipChangeForm(_VersionedForm):
    role = forms.ChoiceField(label=_("Rol"), choices=())
    # Only staff roles use these; without JavaScript the label says so, and a parent's or
    # student's invitation does not show them once the role is known.
    location = forms.ModelChoiceField(
        label=_("Locatie (alleen voor medewerkers)"),
        required=False,
        queryset=Location.objects.none(),
        empty_label=_("— kies —"),
        help_text=_("Voor het zorgteam van één locatie. Leeg: alle locaties."),
    )
    programme_team = forms.ModelChoiceField(
        label=_("Opleidingsteam (alleen voor medewerkers)"),
        required=False,
        queryset=ProgrammeTeam.objects.none(),
        empty_label=_("— kies —"),
        help_text=_("Verplicht voor een studieloopbaanbegeleider."),
    )
    _STAFF_FIELDS = ("location", "programme_team")

    def __init__(
        self, *args: Any, organisation: Organisation, roles: frozenset[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (v, label)
            for v, label in Role.choices
            if v in roles and v not in {Role.STUDENT, Role.PARENT}
        ]
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            institution=organisation, ended_on__isnull=True
        ).order_by("name")
        self.fields["programme_team"].queryset = (  # type: ignore[attr-defined]
            ProgrammeTeam.objects.filter(location__institution=organisation, ended_on__isnull=True)
            .select_related("location")
            .order_by("location__name", "name")
        )


class MembershipEndForm(_VersionedForm):
    last_day = forms.DateField(
        label=_("Laatste dag"),
        widget=_DATE,
        help_text=_(
            "Tot en met deze dag houdt de persoon deze rol en wat daarbij hoort. Kies gisteren "
            "om de toegang meteen te beëindigen."
        ),
    )


class InvitationImportForm(forms.Form):
    max_megabytes = 5
    file = forms.FileField(
        label=_("CSV-bestand met uitnodigingen"),
        help_text=_(
            "Kolommen: email, voornaam, achternaam, rol, organisatie, en waar nodig locatie, "
            "team, studentnummer en ouder."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_megabytes * 1024 * 1024:
            raise forms.ValidationError(
                _("Het bestand is groter dan %(mb)s MB.") % {"mb": self.max_megabytes}
            )
        return upload
