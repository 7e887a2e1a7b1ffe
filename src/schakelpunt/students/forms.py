from django import forms
from django.utils.translation import gettext_lazy as _

from schakelpunt.core.forms import InstitutionUploadForm
from schakelpunt.students.models import GuardianRelation
from schakelpunt.support.models import LifeDomain, Tier, TrajectoryState


class CaseloadFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Alleen waar ik regisseur ben"), required=False)
    state = forms.ChoiceField(
        label=_("Fase"),
        required=False,
        choices=[
            ("", _("Alle studenten")),
            ("any", _("Met lopend traject")),
            *[(s, label) for s, label in TrajectoryState.choices if s != "closed"],
        ],
    )
    tier = forms.ChoiceField(label=_("Zwaarte"), required=False, choices=[("", "—"), *Tier.choices])
    domain = forms.ChoiceField(
        label=_("Leefgebied"), required=False, choices=[("", "—"), *LifeDomain.choices]
    )
    overdue = forms.BooleanField(label=_("Met acties te laat"), required=False)
    review_soon = forms.BooleanField(label=_("Evaluatie binnen 2 weken"), required=False)


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
