from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AftercareOutcome, Destination, LeavingReason

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DepartureForm(forms.Form):
    left_on = forms.DateField(label=_("Uitgeschreven op"), widget=DATE, initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("Reden"), choices=LeavingReason.choices)
    destination = forms.ChoiceField(label=_("Bestemming"), choices=Destination.choices)
    with_basic_qualification = forms.BooleanField(
        label=_("Met startkwalificatie (diploma niveau 2 of hoger, havo of vwo)"), required=False
    )
    note = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=AftercareOutcome.choices)
    note = forms.CharField(label=_("Toelichting"), required=False, max_length=1000)


class ReturnForm(forms.Form):
    enrolled_on = forms.DateField(
        label=_("Weer ingeschreven op"), widget=DATE, initial=timezone.localdate
    )
