"""The forms of the school-calendar screen (signals/calendar_views.py)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.core.spreadsheets import UPLOAD_ACCEPT
from schakelpunt.refdata.models import RegionalHoliday

from .models import HolidayRegion

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalendarVersionForm(forms.Form):
    """Carries the calendar version the page showed: a stale form is refused."""

    calendar_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class RegionForm(forms.Form):
    holiday_region = forms.ChoiceField(
        label=_("Kies de vakantieregio"),
        # Nothing preselected: a school that has not chosen sees "kies een regio".
        choices=[("", _("— kies een regio —")), *HolidayRegion.choices],
        error_messages={"required": _("Kies een vakantieregio.")},
        help_text=_(
            "De regio waarvan de officiële schoolvakanties (Rijksoverheid) gelden. Uw eigen "
            "vrije dagen en verplaatste vakanties blijven staan."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class OwnDaysForm(CalendarVersionForm):
    name = forms.CharField(
        label=_("Naam"),
        max_length=100,
        help_text=_("Bijvoorbeeld 'Studiedag' of 'Extra vrije dagen rond Pasen'."),
    )
    start = forms.DateField(label=_("Eerste dag"), widget=DATE_WIDGET)
    end = forms.DateField(
        label=_("Laatste dag"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leeg laten voor één dag."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "eigen")
        super().__init__(*args, **kwargs)


class MoveForm(CalendarVersionForm):
    """The institution's own dates for one of its region's periods."""

    period = forms.ChoiceField(label=_("Regionale vakantie"))
    start = forms.DateField(label=_("Nieuwe eerste dag"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("Nieuwe laatste dag"), widget=DATE_WIDGET)
    name = forms.CharField(
        label=_("Naam"),
        max_length=100,
        required=False,
        help_text=_("Leeg laten: de naam van de regionale vakantie met '(eigen data)'."),
    )

    def __init__(self, *args: Any, regional: list[RegionalHoliday], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "verplaats")
        super().__init__(*args, **kwargs)
        self.regional = {f"{h.school_year}:{h.name}": h for h in regional}
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            (key, f"{h.get_name_display()} {h.school_year} ({h.start:%d-%m-%Y} – {h.end:%d-%m-%Y})")
            for key, h in self.regional.items()
        ]

    def chosen(self) -> RegionalHoliday:
        return self.regional[self.cleaned_data["period"]]


class RemoveForm(CalendarVersionForm):
    pass


class HolidayImportForm(forms.Form):
    max_kilobytes = 512
    file = forms.FileField(
        label=_("Bestand met vrije dagen (CSV of Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        help_text=_(
            "Kolommen: naam, eerste dag, laatste dag en eventueel vervangt (de regionale "
            "vakantie die deze periode vervangt: herfstvakantie, kerstvakantie, "
            "voorjaarsvakantie, meivakantie of zomervakantie)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "import")
        super().__init__(*args, **kwargs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_kilobytes * 1024:
            raise forms.ValidationError(
                _("Het bestand is groter dan %(kb)s kB.") % {"kb": self.max_kilobytes}
            )
        return upload
