from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MarkReportedForm(forms.Form):
    reported_on = forms.DateField(
        label=_("Gemeld op"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = forms.CharField(label=_("Kenmerk DUO"), max_length=50)
