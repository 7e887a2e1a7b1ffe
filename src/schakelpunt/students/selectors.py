"""Reads about the student file."""

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from schakelpunt.access.policy import (
    ADULT_AGE,
    StudentAccess,
    guardian_may_be_involved,
    is_consent_only,
    may_see_guardian_contact,
)
from schakelpunt.accounts.models import Location
from schakelpunt.refdata.models import Municipality

from .models import Guardian, Student


@dataclass(frozen=True)
class GuardianView:
    guardian: Guardian
    involved: bool
    contact_shown: bool  # may the viewer see this person's phone and e-mail?


def guardians_for(student: Student, today: date, access: StudentAccess) -> list[GuardianView]:
    """The guardians the viewer may know of, with whether school may involve them today. A
    provider hears only of those whose contact details the student agreed to share."""
    views = []
    for g in student.guardians.all():
        involved = guardian_may_be_involved(student, g.student_consents, today)
        shown = may_see_guardian_contact(access, g.student_consents, involved)
        views.append(GuardianView(g, involved, shown))
    if is_consent_only(access):
        return [v for v in views if v.contact_shown]
    return views


def is_adult(student: Student, today: date) -> bool:
    return student.age_on(today) >= ADULT_AGE


# Work lists: search by name or number and filter on where the student lives and studies.
# Every function narrows a queryset that is already scoped by the access policy; none
# widens it. `through` is the path from the listed model to the student ("student__").

SEARCH_WORDS = 4


@dataclass(frozen=True)
class StudentFilter:
    text: str = ""
    location_id: int | None = None
    institution_id: int | None = None
    municipality_id: int | None = None


def student_search_q(text: str, *, through: str = "") -> Q:
    """Each word (up to four) must match a name part, or be the student number."""
    condition = Q()
    for word in text.split()[:SEARCH_WORDS]:
        condition &= (
            Q(**{f"{through}first_name__icontains": word})
            | Q(**{f"{through}last_name__icontains": word})
            | Q(**{f"{through}preferred_name__icontains": word})
            | Q(**{f"{through}student_number__iexact": word})
        )
    return condition


M = TypeVar("M", bound=Model)


def filter_by_student(items: QuerySet[M], f: StudentFilter, *, through: str = "") -> QuerySet[M]:
    """Narrow `items` to those whose student matches `f`."""
    if f.text.strip():
        items = items.filter(student_search_q(f.text, through=through))
    if f.location_id is not None:
        items = items.filter(**{f"{through}location_id": f.location_id})
    if f.institution_id is not None:
        items = items.filter(**{f"{through}institution_id": f.institution_id})
    if f.municipality_id is not None:
        items = items.filter(**{f"{through}residence_municipality_id": f.municipality_id})
    return items


@dataclass(frozen=True)
class PlaceChoices:
    """Where the students of a list study and live, as (value, label) choices."""

    schools: list[tuple[str, str]]
    locations: list[tuple[str, str]]
    municipalities: list[tuple[str, str]]


def place_choices(students: QuerySet[Student]) -> PlaceChoices:
    """The schools, locations and residence municipalities of these (already scoped)
    students: one pass over the students, then the few places by key."""
    triples = set(
        students.order_by()
        .values_list("institution_id", "location_id", "residence_municipality_id")
        .distinct()
    )
    locations = list(
        Location.objects.filter(pk__in={t[1] for t in triples})
        .select_related("institution")
        .order_by("institution__name", "name")
    )
    several = len({loc.institution_id for loc in locations}) > 1
    schools = {loc.institution_id: loc.institution for loc in locations}
    places = Municipality.objects.filter(pk__in={t[2] for t in triples if t[2]}).order_by("name")
    return PlaceChoices(
        schools=[
            (str(o.pk), o.name) for o in sorted(schools.values(), key=lambda o: (o.name, o.pk))
        ],
        locations=[
            (str(loc.pk), f"{loc.name} ({loc.institution.name})" if several else loc.name)
            for loc in locations
        ],
        municipalities=[(str(m.pk), m.name) for m in places],
    )
