from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.core.forms import InstitutionUploadForm
from schakelpunt.students.filters import ALL, ListFilterForm
from schakelpunt.support.models import LifeDomain

from .config import EDITABLE
from .models import (
    AbsenceReportKind,
    ConcernSource,
    FollowUpStatus,
    SignalSettings,
    Urgency,
)
from .selectors import (
    ItemAge,
    LeaverFilter,
    ReportFilter,
    ReportState,
    TriageFilter,
)


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
    withheld_reason = forms.CharField(
        label=_("Niet tonen aan de student, omdat"),
        required=False,
        max_length=500,
        help_text=_(
            "Leeg laten: de student ziet deze melding in de eigen tijdlijn. Alleen invullen "
            "als tonen de student of iemand anders in gevaar kan brengen (bijvoorbeeld de "
            "meldcode huiselijk geweld). De zorgcoördinator beoordeelt dit."
        ),
    )


class HoldBackForm(forms.Form):
    reason = forms.CharField(label=_("Niet tonen aan de student, omdat"), max_length=500)


class ContactStudentForm(forms.Form):
    message = forms.CharField(
        label=_("Bericht aan de student"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseConcernForm(forms.Form):
    reason = forms.CharField(label=_("Geen actie nodig, omdat"), max_length=500)


class AbsenceImportForm(InstitutionUploadForm):
    max_megabytes = 100
    file = forms.FileField(
        label=_("Verzuimbestand (CSV of Excel)"),
        help_text=_(
            "Kolommen: studentnummer, datum, geroosterde_uren, afwezige_uren, geoorloofd "
            "(ja/nee), reden (ziek, geschorst, geoorloofd, ongeoorloofd)."
        ),
    )


# The holiday region is chosen on the school calendar (signals/calendar_views.py), not here.
SETTINGS_PAGE_FIELDS = [name for name in EDITABLE if name != "holiday_region"]


class SignalSettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput())

    class Meta:
        model = SignalSettings
        fields = SETTINGS_PAGE_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in (
            "recent_weeks",
            "follow_up_school_days",
            "consecutive_days",
            "weekday_min_days",
        ):
            if data.get(name) is not None and data[name] < 1:
                self.add_error(name, _("Minstens 1."))
        for name in ("recent_rate_min", "chronic_share", "weekday_share"):
            if data.get(name) is not None and not 0 < data[name] <= 100:
                self.add_error(name, _("Een percentage tussen 1 en 100."))
        if data.get("rise_factor") is not None and data["rise_factor"] < 1:
            self.add_error("rise_factor", _("Minstens 1."))
        return data


class TriageFilterForm(ListFilterForm):
    urgentie = forms.ChoiceField(
        label=_("Urgentie"), required=False, choices=[ALL, *Urgency.choices]
    )
    bron = forms.ChoiceField(label=_("Bron"), required=False, choices=[ALL, *ConcernSource.choices])
    leefgebied = forms.ChoiceField(
        label=_("Leefgebied"), required=False, choices=[ALL, *LifeDomain.choices]
    )
    open_sinds = forms.ChoiceField(
        label=_("Open sinds"),
        required=False,
        choices=[
            ALL,
            (ItemAge.TODAY, _("Vandaag gemeld")),
            (ItemAge.WEEK, _("Langer dan een week")),
            (ItemAge.MONTH, _("Langer dan vier weken")),
        ],
    )

    def triage_filter(self) -> TriageFilter:
        chosen = self.chosen()
        return TriageFilter(
            students=self.student_filter(),
            urgency=chosen.get("urgentie", ""),
            source=chosen.get("bron", ""),
            life_domain=chosen.get("leefgebied", ""),
            age=chosen.get("open_sinds", ""),
        )


class ReportFilterForm(ListFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        initial=ReportState.OPEN,
        choices=[
            (ReportState.OPEN, _("Nog te melden")),
            (ReportState.REPORTED, _("Gemeld")),
            (ReportState.ALL, _("Alle")),
        ],
    )
    soort = forms.ChoiceField(
        label=_("Soort melding"), required=False, choices=[ALL, *AbsenceReportKind.choices]
    )
    opvolging = forms.ChoiceField(
        label=_("Opvolging"), required=False, choices=[ALL, *FollowUpStatus.choices]
    )

    def report_filter(self) -> ReportFilter:
        chosen = self.chosen()
        return ReportFilter(
            students=self.student_filter(),
            state=chosen.get("status") or ReportState.OPEN,
            kind=chosen.get("soort", ""),
            follow_up=chosen.get("opvolging", ""),
        )


class LeaverFilterForm(ListFilterForm):
    opvolging = forms.ChoiceField(
        label=_("Opvolging"), required=False, choices=[ALL, *FollowUpStatus.choices]
    )

    def leaver_filter(self) -> LeaverFilter:
        return LeaverFilter(
            students=self.student_filter(), follow_up=self.chosen().get("opvolging", "")
        )
