from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.core.forms import InstitutionUploadForm
from schakelpunt.core.spreadsheets import UPLOAD_ACCEPT
from schakelpunt.students.models import GuardianRelation


class StudentImportForm(InstitutionUploadForm):
    file = forms.FileField(
        label=_("CSV-bestand uit het studentinformatiesysteem (of Excel, .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        help_text=_(
            "Kolommen: studentnummer, voornaam, tussenvoegsel, achternaam, roepnaam, "
            "geboortedatum, bsn, email, telefoon, postcode, locatie, crebo, leerweg, "
            "startdatum, vooropleiding, startkwalificatie, startkwalificatie_datum, "
            "uitschrijfdatum."
        ),
    )


class BasicQualificationForm(forms.Form):
    """The day a student obtained a startkwalificatie; `known` is the day the form showed
    (empty: none), so a change someone else made meanwhile is not overwritten."""

    obtained_on = forms.DateField(
        label=_("Startkwalificatie behaald op"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Ongeoorloofd verzuim vóór deze dag telt nog mee voor de wettelijke meldingen, "
            "verzuim vanaf deze dag niet meer."
        ),
    )
    known = forms.DateField(required=False, widget=forms.HiddenInput)


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200)
    relation = forms.ChoiceField(label=_("Relatie"), choices=GuardianRelation.choices)
    phone = forms.CharField(label=_("Telefoonnummer"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mailadres"), required=False)
