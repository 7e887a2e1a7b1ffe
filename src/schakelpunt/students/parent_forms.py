"""The student's choice of what each parent sees (from 16)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.access.policy import ParentPart


class SharingForm(forms.Form):
    parts = forms.MultipleChoiceField(
        label=_("Wat mag deze ouder zien?"),
        choices=ParentPart.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Vink niets aan, dan ziet deze ouder niets van je dossier."),
    )
    # When the sharing was last changed, as the form saw it: a stale form is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)
