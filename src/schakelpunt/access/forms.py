from django import forms
from django.utils.translation import gettext_lazy as _


class AccessLogSearchForm(forms.Form):
    student_id = forms.IntegerField(label=_("Student (intern nummer)"), required=False, min_value=1)
    user_query = forms.CharField(
        label=_("Gebruiker (naam of e-mail)"), required=False, max_length=100
    )
    date_from = forms.DateField(
        label=_("Vanaf"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Set by the link "hele lijst" of a list event: every student that one page showed.
    event_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    date_until = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_until")
        if start and end and start > end:
            raise forms.ValidationError(_("De begindatum ligt na de einddatum."))
        return data
