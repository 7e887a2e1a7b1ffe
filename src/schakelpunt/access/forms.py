from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.privacy.register import Activity


class _PeriodForm(forms.Form):
    student_number = forms.CharField(label=_("Studentnummer"), required=False, max_length=30)
    user_query = forms.CharField(
        label=_("Gebruiker (naam of e-mail)"), required=False, max_length=100
    )
    organisation = forms.CharField(
        label=_("Organisatie (namens)"),
        required=False,
        max_length=100,
        help_text=_("De organisatie waarvoor de gebruiker of de koppeling werkte."),
    )
    date_from = forms.DateField(
        label=_("Vanaf"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_until = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    # The log holds nothing from before Schakelpunt, nor from after next year: a date outside
    # is a typing error (and 9999-12-31 or 0001-01-01 would overflow the day's bounds).
    FIRST_DAY = date(2000, 1, 1)

    def _within_bounds(self, field: str) -> date | None:
        day: date | None = self.cleaned_data.get(field)
        last = timezone.localdate() + timedelta(days=365)
        if day is not None and not self.FIRST_DAY <= day <= last:
            raise forms.ValidationError(
                _("Kies een datum tussen %(first)s en %(last)s.")
                % {"first": f"{self.FIRST_DAY:%d-%m-%Y}", "last": f"{last:%d-%m-%Y}"}
            )
        return day

    def clean_date_from(self) -> date | None:
        return self._within_bounds("date_from")

    def clean_date_until(self) -> date | None:
        return self._within_bounds("date_until")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_until")
        if start and end and start > end:
            raise forms.ValidationError(_("De begindatum ligt na de einddatum."))
        return data


class AccessLogSearchForm(_PeriodForm):
    activity = forms.ChoiceField(
        label=_("Verwerking"),
        required=False,
        choices=[("", _("Alle verwerkingen")), *Activity.choices],
    )
    # Set by the link "hele lijst" of a list event: every student that one page showed.
    event_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    field_order = [
        "student_number",
        "user_query",
        "organisation",
        "activity",
        "date_from",
        "date_until",
    ]


class RefusalSearchForm(_PeriodForm):
    pass
