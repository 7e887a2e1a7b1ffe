from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import SHAREABLE_PARTS
from schakelpunt.directory.models import Service, ServiceStatus
from schakelpunt.directory.selectors import ReferralChoices

from .consent import Signers
from .models import EndReason, Outcome, ReferralStatus, Urgency

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def service_label(service: Service) -> str:
    label = f"{service.organisation.name} — {service.name}"
    if service.needs_decision:
        label += " " + str(_("(beschikking nodig)"))
    return label


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Aanbod op de sociale kaart"),
        queryset=Service.objects.none(),
        empty_label=_("— kies aanbod —"),
    )
    question = forms.CharField(
        label=_("Hulpvraag"),
        help_text=_("In de woorden van de student: wat is er aan de hand, wat is de vraag?"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgentie"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    parts = forms.MultipleChoiceField(
        label=_("Wat deelt u met de ontvangende organisatie?"),
        help_text=_("Alleen wat nodig is. Persoonsgegevens (naam, geboortedatum) gaan altijd mee."),
        choices=[(p.value, p.label) for p in Part if p in SHAREABLE_PARTS],
        initial=[Part.CONTACT.value, Part.SUPPORT.value],
        widget=forms.CheckboxSelectMultiple,
    )
    student_agrees = forms.BooleanField(
        label=_("De student stemt in met het delen van deze onderdelen met deze organisatie"),
        required=False,
    )
    parent_name = forms.CharField(
        label=_("Naam van de ouder of voogd die instemt"),
        help_text=_("Nodig als de student jonger is dan 16."),
        required=False,
        max_length=200,
    )
    expires_on = forms.DateField(
        label=_("Toestemming geldig tot en met (mag leeg)"), required=False, widget=DATE_WIDGET
    )

    def __init__(
        self,
        *args: Any,
        emergency: bool = False,
        signers: Signers | None = None,
        choices: ReferralChoices | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if signers is not None:
            self.fields["student_agrees"].help_text = " ".join(
                [
                    signers.text,
                    str(
                        _(
                            "Leg dit pas vast als de student weet wat er wordt gedeeld, met wie "
                            "en waarom. De student kan de toestemming altijd intrekken."
                        )
                    ),
                ]
            )
            if not signers.parent:
                del self.fields["parent_name"]
        self.fields["service"].queryset = (  # type: ignore[attr-defined]
            Service.objects.filter(status=ServiceStatus.ACTIVE)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        self.fields["service"].label_from_instance = service_label  # type: ignore[attr-defined]
        if choices is not None:
            # The services serving the student's region first, the rest below.
            empty = self.fields["service"].empty_label  # type: ignore[attr-defined]
            here = (
                _("In de regio van de student (%(region)s)") % {"region": choices.region_name}
                if choices.region_name
                else _("In de regio van de student")
            )
            self.fields["service"].choices = [  # type: ignore[attr-defined]
                ("", empty),
                (here, [(s.pk, service_label(s)) for s in choices.in_region]),
                (_("Buiten de regio"), [(s.pk, service_label(s)) for s in choices.elsewhere]),
            ]
            self.fields["service"].help_text = _(
                "Aanbod met 'beschikking nodig' start pas als de woongemeente van de student "
                "een beschikking heeft gegeven."
            )
        if emergency:
            self.fields["emergency_reason"] = forms.CharField(
                label=_("Noodsituatie: delen zonder toestemming"),
                help_text=_(
                    "Alleen bij acuut gevaar. Vul de reden in; dit wordt vastgelegd en is "
                    "zichtbaar voor de privacyfunctionaris. Geldig voor 14 dagen."
                ),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(choices=ReferralStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    first_contact_on = forms.DateField(
        label=_("Datum eerste contact"), required=False, widget=DATE_WIDGET
    )
    help_started_on = forms.DateField(
        label=_("Hulp gestart op"), required=False, widget=DATE_WIDGET
    )
    outcome = forms.ChoiceField(
        label=_("Uitkomst"), choices=[("", "—"), *Outcome.choices], required=False
    )
    end_reason = forms.ChoiceField(
        label=_("Reden (als het niet geslaagd is)"),
        choices=[("", "—"), *EndReason.choices],
        required=False,
    )


class AdviceForm(forms.Form):
    text = forms.CharField(
        label=_("Uw advies aan school"),
        help_text=_("Wat kan school doen om de student te steunen? Dit komt in het plan."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
