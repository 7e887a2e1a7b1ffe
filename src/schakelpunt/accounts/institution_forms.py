"""Forms of the institution structure screen; the rules themselves are in institution.py."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.refdata.models import Municipality

from .institution import in_use
from .models import Level, Location, Organisation, Pathway, ProgrammeTeam, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LocationForm(forms.Form):
    institution = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), widget=forms.HiddenInput()
    )
    name = forms.CharField(label=_("Naam van de locatie"), max_length=200)
    municipality = forms.ModelChoiceField(
        label=_("Gemeente"),
        queryset=Municipality.objects.order_by("name"),
        help_text=_("De gemeente waar de locatie staat."),
    )

    def __init__(self, *args: Any, institutions: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[i.pk for i in institutions]
        )


class TeamForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Locatie"), queryset=Location.objects.none())
    name = forms.CharField(label=_("Naam van het team"), max_length=200)

    def __init__(self, *args: Any, institutions: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            in_use(), institution__in=institutions
        ).order_by("name")


class ProgrammeForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=ProgrammeTeam.objects.none(),
        help_text=_("De opleiding hoort bij de locatie van het team."),
    )
    crebo = forms.RegexField(
        label=_("Crebo"),
        regex=r"^\d{5}$",
        error_messages={"invalid": _("Een crebo bestaat uit vijf cijfers.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
    )
    name = forms.CharField(label=_("Naam van de opleiding"), max_length=200)
    level = forms.TypedChoiceField(label=_("Niveau"), choices=Level.choices, coerce=int)
    pathway = forms.ChoiceField(label=_("Leerweg"), choices=Pathway.choices)

    def __init__(self, *args: Any, institutions: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = (  # type: ignore[attr-defined]
            ProgrammeTeam.objects.filter(in_use(), location__institution__in=institutions)
            .filter(location__in=Location.objects.filter(in_use()))
            .select_related("location")
            .order_by("location__name", "name")
        )
        self.fields["team"].label_from_instance = lambda t: f"{t.name} ({t.location.name})"  # type: ignore[attr-defined]


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Nieuwe naam"), max_length=200)
    # The name as the form showed it: a rename from a stale page is refused.
    expected_name = forms.CharField(widget=forms.HiddenInput(), max_length=200)


class ProgrammeTeamForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Ander team"),
        queryset=ProgrammeTeam.objects.none(),
        help_text=_(
            "Een team op dezelfde locatie. Daarna zien de begeleiders van dat team de "
            "studenten van deze opleiding."
        ),
    )
    # The team as the form showed it: a change from a stale page is refused.
    expected_team = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = (  # type: ignore[attr-defined]
            ProgrammeTeam.objects.filter(in_use(), location_id=programme.team.location_id)
            .exclude(pk=programme.team_id)
            .order_by("name")
        )
        self.fields["expected_team"].initial = programme.team_id


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Laatste dag"), widget=DATE, initial=timezone.localdate)


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Medewerker"), queryset=User.objects.none())

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff  # type: ignore[attr-defined]


class MemberEndForm(forms.Form):
    last_day = forms.DateField(label=_("Laatste dag in het team"), widget=DATE)
