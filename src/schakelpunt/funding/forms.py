from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.directory.models import Service

from .models import FundingStream, Unit

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class FundingForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Aanbod"), queryset=Service.objects.order_by("name"), empty_label=_("Kies…")
    )
    stream = forms.ModelChoiceField(
        label=_("Betaald uit"), queryset=FundingStream.objects.all(), empty_label=_("Kies…")
    )
    unit = forms.ChoiceField(label=_("Eenheid"), choices=Unit.choices)
    unit_cost = forms.DecimalField(
        label=_("Kosten per eenheid (€)"), min_value=Decimal(0), max_digits=10, decimal_places=2
    )
    hours_per_trajectory = forms.DecimalField(
        label=_("Uren per traject"),
        required=False,
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=1,
        help_text=_("Alleen bij een uurprijs: hoeveel uren een traject gemiddeld kost."),
    )
    share = forms.IntegerField(
        label=_("Aandeel (%)"),
        initial=100,
        min_value=1,
        max_value=100,
        help_text=_("Betaalt deze stroom een deel, geef dan het percentage."),
    )


class RateForm(forms.Form):
    hourly_cost = forms.DecimalField(
        label=_("Kosten per uur eigen ondersteuning (€)"),
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        help_text=_(
            "Loonkosten van coach, ondersteuningsteam en SMW per uur, met werkgeverslasten."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


MODELS = [
    ("verdeling", _("Een budget verdelen over gemeenten, zorgverzekeraar en school")),
    ("per_student", _("Een vast bedrag per student per jaar voor de woongemeente")),
]


def _percentage(label: "str | _StrPromise", initial: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        initial=Decimal(initial),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
    )


class ContributionForm(forms.Form):
    model = forms.ChoiceField(
        label=_("Bijdragemodel"), choices=MODELS, widget=forms.RadioSelect, initial="verdeling"
    )
    budget = forms.DecimalField(
        label=_("Budget per jaar (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        initial=Decimal(300000),
    )
    share_municipalities = _percentage(_("Aandeel gemeenten (%)"), "33.33")
    share_insurer = _percentage(_("Aandeel zorgverzekeraar (%)"), "33.33")
    share_school = _percentage(_("Aandeel school (%)"), "33.34")
    rate = forms.DecimalField(
        label=_("Bedrag per student per jaar (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
        initial=Decimal(150),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("model") == "per_student":
            if data.get("rate") is None:
                self.add_error("rate", _("Vul het bedrag per student in."))
            return data
        if data.get("budget") is None:
            self.add_error("budget", _("Vul het budget in."))
        shares = [data.get(f) for f in ("share_municipalities", "share_insurer", "share_school")]
        if None in shares:
            self.add_error(None, _("Vul alle drie de aandelen in (0 mag)."))
        elif sum(shares) != 100:  # type: ignore[arg-type]
            self.add_error(
                None,
                _("De aandelen tellen op tot %(sum)s%%; samen moeten ze precies 100%% zijn.")
                % {"sum": f"{sum(shares):n}".replace(".", ",")},  # type: ignore[arg-type]
            )
        return data
