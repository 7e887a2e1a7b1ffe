"""Enrolled but never came: the rule, the leerplicht/RMC work list and its follow-up."""

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.signals.models import AbsenceRecord, SchoolHoliday
from schakelpunt.students.models import Student
from schakelpunt.transitions.models import NonArrival
from schakelpunt.transitions.non_arrival import non_arrivals_detect

MONDAY = date(2026, 8, 31)
TODAY = date(2026, 9, 21)


def _enrol(world: World, key: str = "t1") -> Student:
    student = world.students[key]
    Student.objects.filter(pk=student.pk).update(enrolled_on=MONDAY)
    return Student.objects.get(pk=student.pk)


def _absent(
    student: Student, days: list[date], reason: str = "unauthorised", hours: str = "6"
) -> None:
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=student,
            day=d,
            scheduled_hours=Decimal("6"),
            absent_hours=Decimal(hours),
            reason=reason,
        )
        for d in days
    )


def _school_days(start: date, n: int = 14) -> list[date]:
    return [start + timedelta(i) for i in range(n) if (start + timedelta(i)).weekday() < 5]


def test_absent_every_school_day_of_the_first_two_weeks_is_a_non_arrival(world: World) -> None:
    anna = _enrol(world)
    _absent(anna, _school_days(MONDAY))
    assert non_arrivals_detect(TODAY) == 1
    assert non_arrivals_detect(TODAY) == 0
    item = NonArrival.objects.get()
    assert (item.student_id, item.enrolled_on, item.school_days) == (anna.pk, MONDAY, 10)


def test_one_day_at_school_or_all_days_sick_is_not(world: World) -> None:
    anna = _enrol(world, "t1")
    days = _school_days(MONDAY)
    _absent(anna, days[:-1])  # the last day has no row: attended
    bram = _enrol(world, "t2")
    _absent(bram, days, reason="illness")
    assert non_arrivals_detect(TODAY) == 0


def test_holidays_are_not_school_days_and_two_weeks_must_have_passed(world: World) -> None:
    anna = _enrol(world)
    SchoolHoliday.objects.create(
        institution=anna.institution,
        name="Studiedagen",
        start=MONDAY + timedelta(7),
        end=MONDAY + timedelta(11),
    )
    _absent(anna, _school_days(MONDAY, 7))  # only the first week: the second is a holiday
    assert non_arrivals_detect(MONDAY + timedelta(10)) == 0  # too early to tell
    assert non_arrivals_detect(TODAY) == 1


def test_leerplicht_of_the_residence_sees_it_and_records_follow_up(world: World) -> None:
    anna = _enrol(world)  # lives in Enschede (Twente): RMC Twente
    _absent(anna, _school_days(MONDAY))
    non_arrivals_detect(TODAY)
    item = NonArrival.objects.get()
    rmc = client_for(world.users["rmc"])
    html = rmc.get(reverse("transitions:non_arrivals")).content.decode()
    assert "Anna" in html
    rmc.post(
        reverse("transitions:non_arrival_follow_up", args=[item.pk]),
        {"status": "contacted", "note": "Moeder gebeld", "version": "0"},
    )
    item.refresh_from_db()
    assert item.follow_up_status == "contacted" and item.follow_up_note == "Moeder gebeld"
    stale = rmc.post(
        reverse("transitions:non_arrival_follow_up", args=[item.pk]),
        {"status": "work", "version": "0"},
        follow=True,
    )
    assert "Iemand anders heeft de opvolging intussen bijgewerkt" in stale.content.decode()
    # An RMC officer of another region and a provider do not see it.
    assert (
        "Anna"
        not in client_for(world.users["worker_p1"])
        .get(reverse("transitions:non_arrivals"))
        .content.decode()
    )


def test_handed_over_but_never_enrolled_goes_to_leerplicht_of_the_residence(world: World) -> None:
    from datetime import UTC, datetime

    from schakelpunt.accounts.models import Organisation
    from schakelpunt.accounts.tests.factories import municipality
    from schakelpunt.transitions.models import HandoverRecord, MatchStatus
    from schakelpunt.transitions.non_arrival import handed_over_not_enrolled

    roc = Organisation.objects.get(name="ROC Een")
    pupil = HandoverRecord.objects.create(
        institution=roc,
        source_school="Het Esch College",
        first_name="Zoë",
        last_name="Nieuw",
        date_of_birth=date(2010, 3, 4),
        postcode="7511 AA",
        residence_municipality=municipality("GM0153"),
        school_type="vmbo-k",
        diploma_expected="yes",
        consent=True,
        match_status=MatchStatus.NONE,
    )
    HandoverRecord.objects.filter(pk=pupil.pk).update(
        imported_at=datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
    )
    assert handed_over_not_enrolled(date(2026, 9, 10)) == 0  # too early in the year
    assert handed_over_not_enrolled(date(2026, 9, 16)) == 1
    assert handed_over_not_enrolled(date(2026, 9, 17)) == 0
    html = client_for(world.users["rmc"]).get(reverse("transitions:non_arrivals")).content.decode()
    assert "Zoë" in html and "nooit ingeschreven" in html
    # Not for a provider; and RMC does not see handed-over pupils who did enrol fine.
    assert (
        "Zoë"
        not in client_for(world.users["worker_p1"])
        .get(reverse("transitions:non_arrivals"))
        .content.decode()
    )
    item = NonArrival.objects.get(handover=pupil)
    client_for(world.users["rmc"]).post(
        reverse("transitions:non_arrival_follow_up", args=[item.pk]),
        {"status": "other_education", "note": "Zit op een andere mbo", "version": "0"},
    )
    item.refresh_from_db()
    assert item.follow_up_status == "other_education"
