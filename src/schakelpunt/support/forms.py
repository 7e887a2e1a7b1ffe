from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CloseReason, ContactKind, LifeDomain, Tier, Trajectory, TrajectoryState
from .workflow import next_states


class TrajectoryOpenForm(forms.Form):
    life_domains = forms.MultipleChoiceField(
        label=_("Leefgebieden waar het om gaat"),
        choices=LifeDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Aanleiding"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TrajectoryMoveForm(_VersionedForm):
    to_state = forms.ChoiceField(label=_("Naar fase"))
    close_reason = forms.ChoiceField(
        label=_("Reden van afsluiten (bij afsluiten)"),
        choices=[("", "—"), *CloseReason.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, trajectory: Trajectory, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["to_state"].choices = [  # type: ignore[attr-defined]
            (s, TrajectoryState(s).label) for s in next_states(trajectory.state)
        ]


class TierForm(_VersionedForm):
    tier = forms.ChoiceField(label=_("Zwaarte"), choices=Tier.choices)
    reason = forms.CharField(label=_("Reden"), widget=forms.Textarea(attrs={"rows": 2}))
    effective_on = forms.DateField(
        label=_("Met ingang van"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CoordinatorForm(_VersionedForm):
    coordinator = forms.TypedChoiceField(label=_("Regisseur"), coerce=int)
    reason = forms.CharField(label=_("Toelichting"), required=False)


class PlanForm(_VersionedForm):
    wishes = forms.CharField(
        label=_("Wensen van de student"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In de woorden van de student."),
    )
    agreements = forms.CharField(
        label=_("Afspraken met ouders en netwerk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    review_on = forms.DateField(
        label=_("Evalueren op"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class GoalForm(forms.Form):
    life_domain = forms.ChoiceField(
        label=_("Leefgebied"), choices=[("", "—"), *LifeDomain.choices], required=False
    )
    text = forms.CharField(
        label=_("Doel (in de woorden van de student)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label=_("Actie"), required=False)
    owner = forms.TypedChoiceField(
        label=_("Wie (medewerker)"), coerce=int, required=False, empty_value=None
    )
    owner_name = forms.CharField(
        label=_("Of: wie anders"), required=False, help_text=_("Bijvoorbeeld: de student, moeder")
    )
    due_on = forms.DateField(
        label=_("Uiterlijk op"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    done = forms.BooleanField(label=_("Gedaan"), required=False)


class PlanActionAddForm(forms.Form):
    """One action added to the plan from the student file (the plan gets a new version)."""

    description = forms.CharField(label=_("Actie"), max_length=500)
    owner = forms.TypedChoiceField(
        label=_("Wie (medewerker)"), coerce=int, required=False, empty_value=None
    )
    owner_name = forms.CharField(
        label=_("Of: wie anders"),
        required=False,
        max_length=200,
        help_text=_("Bijvoorbeeld: de student, moeder"),
    )
    due_on = forms.DateField(
        label=_("Uiterlijk op"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


GoalFormSet = forms.formset_factory(GoalForm, extra=2)
ActionFormSet = forms.formset_factory(ActionForm, extra=2)


class ContributionForm(forms.Form):
    text = forms.CharField(
        label=_("Wat wil je toevoegen aan je plan?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HelpRequestForm(forms.Form):
    text = forms.CharField(
        label=_("Waar wil je hulp bij?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Iemand van het zorgteam van je locatie neemt contact met je op."),
    )


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=ContactKind.choices)
    happened_on = forms.DateField(
        label=_("Datum"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Een datum in de toekomst is een afspraak."),
    )
    participants = forms.CharField(label=_("Met wie"), required=False, max_length=200)
    minutes = forms.IntegerField(
        label=_("Duur (minuten)"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("Telt mee in de uren die de school zelf aan ondersteuning besteedt."),
    )
    summary = forms.CharField(
        label=_("Korte notitie"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    shared_with_student = forms.BooleanField(
        label=_("Zichtbaar voor de student"), required=False, initial=True
    )


class TeamMemberForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Wie"), coerce=int)
    role_description = forms.CharField(
        label=_("Rol in het team"), max_length=100, help_text=_("Bijvoorbeeld: mentor, SMW, GGZ")
    )
