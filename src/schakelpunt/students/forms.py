from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.support.models import LifeDomain, Tier, TrajectoryState


class CaseloadFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Alleen waar ik regisseur ben"), required=False)
    state = forms.ChoiceField(
        label=_("Fase"),
        required=False,
        choices=[
            ("", _("Alle studenten")),
            ("any", _("Met lopend traject")),
            *[(s, label) for s, label in TrajectoryState.choices if s != "closed"],
        ],
    )
    tier = forms.ChoiceField(label=_("Zwaarte"), required=False, choices=[("", "—"), *Tier.choices])
    domain = forms.ChoiceField(
        label=_("Leefgebied"), required=False, choices=[("", "—"), *LifeDomain.choices]
    )
    overdue = forms.BooleanField(label=_("Met acties te laat"), required=False)
    review_soon = forms.BooleanField(label=_("Evaluatie binnen 2 weken"), required=False)
