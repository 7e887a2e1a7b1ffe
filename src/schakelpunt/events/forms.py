from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.accounts.models import ApiClient

from .models import DeliveryStatus, EventType


class SubscriptionForm(forms.Form):
    api_client = forms.ModelChoiceField(
        label=_("Koppeling"),
        queryset=ApiClient.objects.none(),
        help_text=_(
            "Het systeem dat de gebeurtenissen ontvangt. Het hoort alleen wat deze koppeling "
            "via de API ook mag lezen."
        ),
    )
    name = forms.CharField(label=_("Naam"), max_length=200)
    callback_url = forms.URLField(
        label=_("Adres van de ontvanger"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Een https-adres waar Schakelpunt de gebeurtenissen naartoe stuurt."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Soorten gebeurtenissen"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, clients=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if clients is not None:
            field = cast(forms.ModelChoiceField, self.fields["api_client"])
            field.queryset = clients


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Alle")), *DeliveryStatus.choices],
        required=False,
    )
