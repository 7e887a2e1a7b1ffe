"""Forms of the student's requests: plain Dutch for the student, short for the coordinator.
The rules themselves (required, lengths, objectable) are the services' in requests.py; the
forms say the same earlier, next to the field."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from schakelpunt.access.parts import Part
from schakelpunt.accounts.forms import ErrorSummaryMixin
from schakelpunt.students.own_file import PART_WORDS

from .models import RequestStatus
from .register import ACTIVITIES
from .requests import ANSWER_MAX, TEXT_MAX


def _text(label: Any, required: Any, maximum: int, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=maximum,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required,
            "max_length": _("Gebruik hoogstens %(limit_value)d tekens (nu %(show_value)d)."),
        },
    )


class CorrectionRequestForm(ErrorSummaryMixin, forms.Form):
    """The parts of the file in the student's own words (students.own_file); the coordinator
    reads the part's name."""

    part = forms.ChoiceField(
        label=_("Over welk deel gaat het?"),
        error_messages={
            "required": _("Kies over welk deel van je gegevens het gaat."),
            "invalid_choice": _("Kies over welk deel van je gegevens het gaat."),
        },
    )
    wrong = _text(_("Wat klopt er niet?"), _("Schrijf op wat er niet klopt."), TEXT_MAX)
    should_be = _text(_("Wat moet het wel zijn?"), _("Schrijf op wat het wel moet zijn."), TEXT_MAX)

    def __init__(self, *args: Any, parts: Iterable[Part], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shown = set(parts)
        field = self.fields["part"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("Kies een deel"))] + [
            (p.value, capfirst(PART_WORDS[p])) for p in Part if p in shown
        ]


class ObjectionForm(ErrorSummaryMixin, forms.Form):
    activity = forms.ChoiceField(
        label=_("Waar maak je bezwaar tegen?"),
        choices=[(a.activity.value, a.plain) for a in ACTIVITIES.values() if a.objectable],
        error_messages={
            "required": _("Kies waar je bezwaar tegen maakt."),
            "invalid_choice": _(
                "Tegen dit gebruik van je gegevens kun je geen bezwaar maken. Dat moet van de "
                "wet, of je kunt je toestemming intrekken."
            ),
        },
    )
    reason = _text(_("Waarom maak je bezwaar?"), _("Schrijf op waarom je bezwaar maakt."), TEXT_MAX)


class CorrectionAnswerForm(ErrorSummaryMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Besluit"),
        widget=forms.RadioSelect,
        choices=[
            (RequestStatus.GRANTED.value, _("Toegewezen: de gegevens zijn verbeterd")),
            (RequestStatus.PARTLY.value, _("Deels toegewezen")),
            (RequestStatus.REFUSED.value, _("Afgewezen")),
        ],
        error_messages={"required": _("Kies: toegewezen, deels of afgewezen.")},
    )
    answer = _text(
        _("Antwoord aan de student"),
        _("Schrijf het antwoord aan de student."),
        ANSWER_MAX,
        _("De student leest dit. Schrijf wat u hebt aangepast in het dossier, of waarom niet."),
    )


class ObjectionDecisionForm(ErrorSummaryMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Besluit"),
        widget=forms.RadioSelect,
        choices=[
            (
                RequestStatus.GRANTED.value,
                _("Bezwaar toewijzen: de verwerking stopt voor deze student"),
            ),
            (RequestStatus.REFUSED.value, _("Bezwaar afwijzen: de verwerking gaat door")),
        ],
        error_messages={"required": _("Kies: bezwaar toewijzen of afwijzen.")},
    )
    decision = _text(
        _("Besluit en reden voor de student"),
        _("Schrijf het besluit en de reden op."),
        ANSWER_MAX,
        _("De student leest dit."),
    )
