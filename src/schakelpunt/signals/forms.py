from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.support.models import LifeDomain

from .models import Urgency


class MarkReportedForm(forms.Form):
    reported_on = forms.DateField(
        label=_("Gemeld op"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = forms.CharField(label=_("Kenmerk DUO"), max_length=50)


class ConcernForm(forms.Form):
    text = forms.CharField(label=_("Wat is uw zorg?"), widget=forms.Textarea(attrs={"rows": 3}))
    life_domains = forms.MultipleChoiceField(
        label=_("Leefgebieden"),
        choices=LifeDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgency = forms.ChoiceField(label=_("Urgentie"), choices=Urgency.choices)


class ContactStudentForm(forms.Form):
    message = forms.CharField(
        label=_("Bericht aan de student"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseConcernForm(forms.Form):
    reason = forms.CharField(label=_("Geen actie nodig, omdat"), max_length=500)
