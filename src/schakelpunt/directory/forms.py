from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.refdata.models import Municipality
from schakelpunt.support.models import LifeDomain

from .models import Contact, DirectoryLocation, DirectoryOrganisation, Law, Service, Weekday
from .services import EDITABLE_FIELDS, ORGANISATION_FIELDS


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False)
    domein = forms.ChoiceField(
        label=_("Leefgebied"), choices=[("", _("Alle")), *LifeDomain.choices], required=False
    )
    wet = forms.ChoiceField(
        label=_("Wet of financiering"), choices=[("", _("Alle")), *Law.choices], required=False
    )
    gemeente = forms.ModelChoiceField(
        label=_("Woongemeente"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("Alle"),
    )
    leeftijd = forms.IntegerField(label=_("Leeftijd"), min_value=0, max_value=99, required=False)
    nu = forms.BooleanField(
        label=_("Nu beschikbaar"),
        help_text=_("Plek vrij en hooguit een week wachten."),
        required=False,
    )

    def __init__(self, *args: Any, region_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = Municipality.objects.order_by("name")
        self.fields["gemeente"].queryset = municipalities  # type: ignore[attr-defined]


class ServiceForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    life_domains = forms.MultipleChoiceField(
        label=_("Leefgebieden"),
        choices=LifeDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    url = forms.URLField(label=_("Webpagina"), required=False, assume_scheme="https")
    laws = forms.MultipleChoiceField(
        label=_("Wet of financiering"),
        choices=Law.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Service
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "application_process": forms.Textarea(attrs={"rows": 2}),
        }


class ServiceCreateForm(ServiceForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=DirectoryOrganisation.objects.none()
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.order_fields(["organisation"])


class HoursForm(forms.Form):
    location = forms.ModelChoiceField(
        label=_("Locatie"),
        queryset=DirectoryLocation.objects.none(),
        empty_label=_("— kies locatie —"),
    )
    weekday = forms.ChoiceField(label=_("Dag"), choices=Weekday.choices)
    opens_at = forms.TimeField(label=_("Van"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label=_("Tot"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, locations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]


class OrganisationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = DirectoryOrganisation
        fields = ORGANISATION_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "email", "phone", "service"]

    def __init__(self, *args: Any, organisation: DirectoryOrganisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        service.queryset = organisation.services.order_by("name")  # type: ignore[attr-defined]
        service.empty_label = _("— de hele organisatie —")  # type: ignore[attr-defined]
        service.label = _("Voor aanbod")
