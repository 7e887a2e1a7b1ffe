"""The student's choice of what each parent sees (from 16), and from 18 whether they involve
that parent at all."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.access.policy import ParentPart

INVOLVE_CHOICES = [
    ("ja", _("Ja, betrek deze ouder: die ziet wat ik hieronder aanvink")),
    ("nee", _("Nee, deze ouder ziet niets")),
]


class SharingForm(forms.Form):
    # Only from 18 (see __init__): without "ja" the parent sees nothing, whatever is ticked.
    involves = forms.ChoiceField(
        label=_("Betrek deze ouder"),
        choices=INVOLVE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies of je deze ouder erbij betrekt.")},
    )
    parts = forms.MultipleChoiceField(
        label=_("Wat mag deze ouder zien?"),
        choices=ParentPart.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Vink niets aan, dan ziet deze ouder niets van je dossier."),
    )
    # When the sharing was last changed, as the form saw it: a stale form is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, adult: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not adult:
            del self.fields["involves"]

    def involves_choice(self) -> bool | None:
        """From 18 the student's answer; None under 18 (no such choice)."""
        if "involves" not in self.fields:
            return None
        return bool(self.cleaned_data["involves"] == "ja")
