"""Which municipality, which law, which entry point — under 18, turning 18, 18+, outside the region."""

from datetime import date, timedelta

import time_machine
from tests.world import World

from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.directory.models import Law
from schakelpunt.directory.responsibility import birthday_at, responsibility_for
from schakelpunt.referrals.models import Referral, ReferralStatus
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

from .factories import ServiceFactory

DAY = date(2026, 11, 24)


def _teams() -> None:
    ServiceFactory(
        name="Jeugdteam Hengelo", is_entry_point=True, laws=[Law.JEUGDWET], area_codes=["GM0164"]
    )
    ServiceFactory(
        name="Wijkteam Hengelo", is_entry_point=True, laws=[Law.WMO], area_codes=["GM0164"]
    )
    ServiceFactory(
        name="Sociaal Team Deventer",
        is_entry_point=True,
        laws=[Law.JEUGDWET, Law.WMO],
        area_codes=["GM0150"],
    )


def _student(born: date, cbs: str = "GM0164"):  # type: ignore[no-untyped-def]
    return StudentFactory(date_of_birth=born, residence_municipality=municipality(cbs))


@time_machine.travel(DAY, tick=False)
def test_under_18_the_jeugdwet_and_the_youth_team(world: World) -> None:
    _teams()
    student = _student(date(2009, 6, 1))
    r = responsibility_for(student, DAY)
    assert r.municipality.name == "Hengelo (O.)"
    assert [a.law for a in r.laws] == [Law.JEUGDWET]
    assert [s.name for s in r.entry_points] == ["Jeugdteam Hengelo"]
    assert r.eighteenth_birthday == date(2027, 6, 1)
    assert r.in_region


@time_machine.travel(DAY, tick=False)
def test_turning_18_switches_to_the_wmo_on_the_birthday(world: World) -> None:
    _teams()
    student = _student(date(2008, 11, 25))
    assert [a.law for a in responsibility_for(student, DAY).laws] == [Law.JEUGDWET]
    on_birthday = responsibility_for(student, DAY + timedelta(days=1))
    assert [a.law for a in on_birthday.laws] == [Law.WMO, Law.PARTICIPATIEWET]
    assert [s.name for s in on_birthday.entry_points] == ["Wijkteam Hengelo"]
    assert on_birthday.eighteenth_birthday is None


def test_a_leap_day_birthday_counts_from_1_march() -> None:
    assert birthday_at(date(2008, 2, 29), 18) == date(2026, 3, 1)
    student = Student(date_of_birth=date(2008, 2, 29))
    assert student.age_on(date(2026, 2, 28)) == 17
    assert student.age_on(date(2026, 3, 1)) == 18


@time_machine.travel(DAY, tick=False)
def test_from_18_youth_help_continues_only_with_a_valid_decision(world: World) -> None:
    _teams()
    student = _student(date(2006, 1, 1))
    youth = ServiceFactory(name="Ambulante jeugdhulp", laws=[Law.JEUGDWET])
    referral = Referral.objects.create(
        student=student,
        to_organisation=Organisation.objects.get(name="Zorg Een"),
        service=youth,
        status=ReferralStatus.HELP_STARTED,
        decision_until=DAY + timedelta(days=100),
    )
    r = responsibility_for(student, DAY)
    assert r.continued_youth_care
    assert [a.law for a in r.laws] == [Law.JEUGDWET, Law.WMO, Law.PARTICIPATIEWET]
    Referral.objects.filter(pk=referral.pk).update(decision_until=DAY - timedelta(days=1))
    assert [a.law for a in responsibility_for(student, DAY).laws] == [
        Law.WMO,
        Law.PARTICIPATIEWET,
    ]
    # At 23 the Jeugdwet stops altogether.
    Referral.objects.filter(pk=referral.pk).update(decision_until=date(2030, 1, 1))
    later = date(2029, 1, 2)
    assert Law.JEUGDWET not in [a.law for a in responsibility_for(student, later).laws]


@time_machine.travel(DAY, tick=False)
def test_outside_the_region_the_student_goes_to_their_own_municipality(world: World) -> None:
    _teams()
    student = _student(date(2009, 6, 1), cbs="GM0150")  # Deventer: not in Twente
    r = responsibility_for(student, DAY)
    assert not r.in_region
    assert r.municipality.name == "Deventer"
    assert [s.name for s in r.entry_points] == ["Sociaal Team Deventer"]


@time_machine.travel(DAY, tick=False)
def test_without_a_residence_nobody_is_named(world: World) -> None:
    student = StudentFactory(residence_municipality=None)
    r = responsibility_for(student, DAY)
    assert r.municipality is None and r.entry_points == []
    assert "Woongemeente onbekend" in r.summary
