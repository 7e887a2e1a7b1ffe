"""The filter forms of the work lists: GET forms, so a filtered list can be bookmarked.

A form only parses what the person chose; the selectors do the filtering, always on a
queryset the access policy has already scoped. The location, school and municipality
choices come from that scoped set, so a list never names a place the user has no student in.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from schakelpunt.support.models import LifeDomain, Tier, TrajectoryState
from schakelpunt.support.selectors import CaseloadFilter

from .models import Student
from .selectors import StudentFilter, place_choices

ALL = ("", _("Alle"))


class ListFilterForm(forms.Form):
    """Search by name or student number, and where the student studies and lives.

    `places` names the place filters a list offers: "locatie", "school", "gemeente".
    """

    q = forms.CharField(
        label=_("Zoek op naam of studentnummer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        students: QuerySet[Student],
        places: tuple[str, ...] = ("locatie", "gemeente"),
        **kwargs: Any,
    ) -> None:
        # Bound only when the URL carries a filter: an empty list page shows no errors.
        chosen = data if data is not None and any(k != "pagina" for k in data) else None
        super().__init__(chosen, auto_id="filter-%s", **kwargs)
        choices = place_choices(students)
        if "school" in places:
            self.fields["school"] = forms.ChoiceField(
                label=_("School"), required=False, choices=[ALL, *choices.schools]
            )
        if "locatie" in places:
            self.fields["locatie"] = forms.ChoiceField(
                label=_("Locatie"), required=False, choices=[ALL, *choices.locations]
            )
        if "gemeente" in places:
            self.fields["gemeente"] = forms.ChoiceField(
                label=_("Woongemeente"), required=False, choices=[ALL, *choices.municipalities]
            )

    def chosen(self) -> dict[str, Any]:
        """The valid choices; an invalid field is shown with its error and left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}

    def student_filter(self) -> StudentFilter:
        chosen = self.chosen()
        return StudentFilter(
            text=chosen.get("q", "").strip(),
            location_id=_number(chosen.get("locatie")),
            institution_id=_number(chosen.get("school")),
            municipality_id=_number(chosen.get("gemeente")),
        )

    @property
    def active(self) -> bool:
        return bool(self.chosen())


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def query_without_page(data: QueryDict) -> str:
    """The list's query string without the page, ending in `&` for `_pagination.html`."""
    params = data.copy()
    params.pop("pagina", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


class CaseloadFilterForm(ListFilterForm):
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
    tier = forms.ChoiceField(label=_("Zwaarte"), required=False, choices=[ALL, *Tier.choices])
    domain = forms.ChoiceField(
        label=_("Leefgebied"), required=False, choices=[ALL, *LifeDomain.choices]
    )
    overdue = forms.BooleanField(label=_("Met acties te laat"), required=False)
    review_soon = forms.BooleanField(label=_("Evaluatie binnen 2 weken"), required=False)

    def caseload_filter(self) -> CaseloadFilter:
        chosen = self.chosen()
        return CaseloadFilter(
            students=self.student_filter(),
            mine=chosen.get("mine", False),
            state=chosen.get("state", ""),
            tier=chosen.get("tier", ""),
            domain=chosen.get("domain", ""),
            overdue=chosen.get("overdue", False),
            review_soon=chosen.get("review_soon", False),
        )
