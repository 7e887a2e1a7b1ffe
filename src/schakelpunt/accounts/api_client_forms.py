"""Forms of the connected-systems screens; the rules themselves are in api_clients.py."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .api_client_selectors import scopes_for, scopes_not_for
from .api_clients import MAX_VALIDITY
from .forms import ErrorSummaryMixin
from .models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def a_year_from(day: date) -> date:
    """The same day next year (29 February: the 28th), the longest a key is valid."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class _ExpiryForm(ErrorSummaryMixin, forms.Form):
    expires_on = forms.DateField(
        label=_("Geldig tot en met"),
        widget=DATE,
        help_text=_(
            "Hoogstens een jaar vanaf vandaag. Daarna werkt de sleutel niet meer, ook als "
            "niemand eraan denkt; vernieuw hem op tijd."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = a_year_from(today)
        self.fields["expires_on"].widget.attrs.update(
            {"min": today.isoformat(), "max": (today + MAX_VALIDITY).isoformat()}
        )


class ApiClientCreateForm(_ExpiryForm):
    """For one organisation, chosen before: its kind decides which scopes are offered."""

    name = forms.CharField(
        label=_("Naam van het systeem"),
        max_length=200,
        help_text=_(
            "Zoals de mensen het kennen, bijvoorbeeld ‘Cliëntregistratie’ of ‘EduArte’. "
            "Deze naam staat in het toegangslog bij alles wat het systeem leest of wijzigt."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Rechten van het systeem"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies ten minste één recht.")},
    )
    field_order = ["name", "scopes", "expires_on"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["scopes"].choices = [  # type: ignore[attr-defined]
            (str(s.value), str(s.label)) for s in scopes_for(organisation)
        ]
        self.fields["scopes"].help_text = _scopes_help(organisation)


def _scopes_help(organisation: Organisation) -> str:
    """Why some scopes are not offered: each belongs to the work of another kind."""
    absent: dict[tuple[str, ...], list[str]] = {}
    for scope, kinds in scopes_not_for(organisation):
        absent.setdefault(tuple(kinds), []).append(str(scope.label))
    text = str(
        _(
            "Alleen de rechten die passen bij het werk van een organisatie van het soort "
            "‘%(kind)s’; andere rechten staan er daarom niet bij."
        )
        % {"kind": organisation.get_kind_display()}
    )
    for kind_labels, labels in absent.items():
        text += " " + str(
            _("%(scopes)s: alleen voor %(kinds)s.")
            % {"scopes": ", ".join(labels), "kinds": ", ".join(kind_labels)}
        )
    return text


class ApiClientRenewForm(_ExpiryForm):
    pass


class ChooseOrganisationForm(forms.Form):
    organisatie = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisatie"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
