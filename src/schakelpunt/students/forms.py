from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.core.forms import InstitutionUploadForm
from schakelpunt.students.models import GuardianRelation


class StudentImportForm(InstitutionUploadForm):
    file = forms.FileField(
        label=_("CSV-bestand uit het studentvolgsysteem"),
        help_text=_(
            "Kolommen: studentnummer, voornaam, tussenvoegsel, achternaam, roepnaam, "
            "geboortedatum, bsn, email, telefoon, postcode, locatie, crebo, leerweg, "
            "startdatum, vooropleiding, startkwalificatie, uitschrijfdatum."
        ),
    )


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200)
    relation = forms.ChoiceField(label=_("Relatie"), choices=GuardianRelation.choices)
    phone = forms.CharField(label=_("Telefoonnummer"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mailadres"), required=False)
