from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Attendance, MeetingKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _users_field(label: Any, users: list[Any], required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        required=required,
        choices=[("", "—"), *[(u.pk, str(u)) for u in users]],
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort overleg"), choices=MeetingKind.choices)
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        help_text=_(
            "Zonder naam van de student: de titel komt ook in agenda's buiten Schakelpunt."
        ),
    )
    day = forms.DateField(label=_("Datum"), widget=DATE)
    start = forms.TimeField(label=_("Begintijd"), widget=TIME, initial=time(10))
    duration_minutes = forms.IntegerField(
        label=_("Duur (minuten)"), min_value=15, max_value=480, initial=60
    )
    place = forms.CharField(label=_("Plaats of videolink"), max_length=300, required=False)
    question = forms.CharField(
        label=_("Vraag voor het overleg"),
        help_text=_("Waar zit het vast, wat moet het overleg opleveren?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    invite_student = forms.BooleanField(
        label=_("De student uitnodigen (met de jongere, niet over de jongere)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, chairs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"] = _users_field(_("Voorzitter"), chairs)
        self.fields["day"].initial = timezone.localdate() + timedelta(days=7)
        self.order_fields(["kind", "title", "day", "start", "duration_minutes", "place", "chair"])

    def starts_at(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"])
        )


class ParticipantForm(forms.Form):
    role_description = forms.CharField(
        label=_("Rol in het overleg"), max_length=200, required=False
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"] = _users_field(_("Deelnemer"), candidates)
        self.order_fields(["user", "role_description"])


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Besluit"), widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(
        label=_("Actie voor het plan (mag leeg)"), required=False, max_length=500
    )
    owner_name = forms.CharField(
        label=_("of: wie anders (bijv. de student)"), required=False, max_length=100
    )
    due_on = forms.DateField(label=_("Uiterlijk op"), required=False, widget=DATE)

    def __init__(self, *args: Any, owners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _users_field(_("Wie doet het"), owners, required=False)
        self.order_fields(["text", "action", "owner", "owner_name", "due_on"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action"):
            if not data.get("owner") and not data.get("owner_name"):
                self.add_error("owner", _("Kies wie de actie doet."))
            if not data.get("due_on"):
                self.add_error("due_on", _("Kies wanneer de actie af is."))
        return data


class NotesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Verslag (algemeen)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Alleen wat over geen enkele student in het bijzonder gaat. Wat over een student "
            "gaat, schrijft u bij die student: ieder leest alleen de studenten die hij mag zien."
        ),
    )


class NextMeetingForm(forms.Form):
    day = forms.DateField(label=_("Datum vervolgoverleg"), widget=DATE)
    start = forms.TimeField(label=_("Begintijd"), widget=TIME, initial=time(10))


ATTENDANCE_CHOICES = Attendance.choices
