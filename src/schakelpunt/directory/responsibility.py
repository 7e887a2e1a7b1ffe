"""Which municipality is responsible for a student, under which law, and where to go.

The residence municipality is responsible (woonplaatsbeginsel). Under 18 youth help falls
under the Jeugdwet. From 18 support falls under the Wmo 2015 and work and income under the
Participatiewet; youth help may continue under the Jeugdwet up to 23 where the municipality
decided so (a beschikking that is still valid). The entry point is the municipality's
neighbourhood or youth team on the sociale kaart — also for students living outside the
school's region, who are routed to their own municipality.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from schakelpunt.refdata.models import Municipality
from schakelpunt.students.models import Student

from .models import Law, Service
from .selectors import entry_points_for, law_token

ADULT_AGE = 18
CONTINUED_YOUTH_CARE_UNTIL = 23
# The laws under which a municipality decides (beschikt) on help.
MUNICIPAL_LAWS = frozenset({Law.JEUGDWET, Law.WMO, Law.PARTICIPATIEWET})


@dataclass(frozen=True)
class LawApplies:
    law: Law
    what: str


@dataclass(frozen=True)
class Responsibility:
    municipality: Municipality | None
    in_region: bool
    age: int
    laws: list[LawApplies] = field(default_factory=list)
    entry_points: list[Service] = field(default_factory=list)
    eighteenth_birthday: date | None = None  # while under 18
    continued_youth_care: bool = False

    @property
    def summary(self) -> str:
        if self.municipality is None:
            return _("Woongemeente onbekend: vul de postcode van de student in.")
        return _("Gemeente %(name)s is verantwoordelijk (%(laws)s).") % {
            "name": self.municipality.name,
            "laws": ", ".join(str(a.law.label) for a in self.laws),
        }


def birthday_at(born: date, age: int) -> date:
    """The day one turns `age`, as `Student.age_on` counts it: 29 February on 1 March."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def _continued_youth_care(student: Student, day: date) -> bool:
    """Youth help under the Jeugdwet that the municipality extended past 18 (up to 23)."""
    from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES

    return student.referrals.filter(
        status__in=REFERRAL_ACTIVE_STATUSES,
        decision_until__gte=day,
        service__search_text__contains=law_token(Law.JEUGDWET),
    ).exists()


def laws_for(age: int, continued: bool) -> list[LawApplies]:
    if age < ADULT_AGE:
        return [LawApplies(Law.JEUGDWET, _("jeugdhulp"))]
    laws = []
    if continued and age < CONTINUED_YOUTH_CARE_UNTIL:
        laws.append(LawApplies(Law.JEUGDWET, _("verlengde jeugdhulp (beschikking)")))
    laws.append(LawApplies(Law.WMO, _("ondersteuning en begeleiding")))
    laws.append(LawApplies(Law.PARTICIPATIEWET, _("werk en inkomen")))
    return laws


def responsibility_for(student: Student, day: date) -> Responsibility:
    age = student.age_on(day)
    home = student.residence_municipality
    region = student.location.municipality.rmc_region_id if student.location_id else None
    continued = age >= ADULT_AGE and _continued_youth_care(student, day)
    laws = laws_for(age, continued)
    birthday = None
    if age < ADULT_AGE:
        birthday = birthday_at(student.date_of_birth, ADULT_AGE)
    entry: list[Service] = []
    if home is not None:
        entry = list(entry_points_for(home, laws[0].law))
    return Responsibility(
        municipality=home,
        in_region=home is not None and home.rmc_region_id == region,
        age=age,
        laws=laws,
        entry_points=entry,
        eighteenth_birthday=birthday,
        continued_youth_care=continued,
    )


@dataclass(frozen=True)
class DecisionNeeded:
    """A service that starts only after a beschikking: who gives it and under which law."""

    service: Service
    municipality: Municipality | None
    law: Law | None
    entry_points: list[Service]
    youth_law_after_18: bool  # a Jeugdwet service for an adult without extended youth help

    @property
    def summary(self) -> str:
        if self.municipality is None:
            return _(
                "Voor %(service)s is een beschikking nodig van de woongemeente van de student. "
                "Die is nog onbekend: vul eerst de postcode van de student in."
            ) % {"service": self.service.name}
        values = {
            "service": self.service.name,
            "name": self.municipality.name,
            "law": self.law.label if self.law else _("de wet die hier geldt"),
        }
        return (
            _(
                "Voor %(service)s is een beschikking nodig. Die geeft de gemeente %(name)s, de "
                "woongemeente van de student (%(law)s). De hulp start pas als de beschikking er is."
            )
            % values
        )


def decision_needed(service: Service, responsibility: Responsibility) -> DecisionNeeded | None:
    """None when the service starts without a beschikking."""
    if not service.needs_decision:
        return None
    applying = [a.law for a in responsibility.laws]
    law = next((code for code in applying if code in service.laws), None)
    if law is None:
        law = next((Law(code) for code in service.laws if code in MUNICIPAL_LAWS), None)
    youth_after_18 = (
        Law.JEUGDWET in service.laws
        and responsibility.age >= ADULT_AGE
        and not responsibility.continued_youth_care
    )
    entry: list[Service] = []
    if responsibility.municipality is not None:
        entry = entry_points_for(responsibility.municipality, law)
    return DecisionNeeded(
        service=service,
        municipality=responsibility.municipality,
        law=law,
        entry_points=entry,
        youth_law_after_18=youth_after_18,
    )
