"""The morning run: factors for every student, one signal each in the triage queue."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from tests.world import client_for

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.signals.config import signal_settings_update
from schakelpunt.signals.daily import (
    daily_signals_compute,
    early_warnings_compute,
    morning_compute,
    morning_load,
)
from schakelpunt.signals.models import (
    AbsenceRecord,
    AbsenceReport,
    Concern,
    EarlyWarning,
    SignalSettings,
)
from schakelpunt.signals.triage import concern_close, triage_queue
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

TODAY = date(2025, 11, 28)  # a Friday


def absent(student, days, hours=Decimal(6), reason="unauthorised"):  # type: ignore[no-untyped-def]
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=student, day=d, scheduled_hours=Decimal(6), absent_hours=hours, reason=reason
        )
        for d in days
    )


def last_school_days(n: int) -> list[date]:
    days, d = [], TODAY
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return days


def test_student_absent_for_days_is_flagged_with_reasons_and_queued_once(school, officer):
    roc, _admin, minor, adult = school
    absent(minor, last_school_days(4))
    run = early_warnings_compute(institution=roc, today=TODAY)
    assert (run.students, run.new_signals) == (2, 1)
    warning = EarlyWarning.objects.get(student=minor)
    assert warning.flagged
    codes = {f["code"] for f in warning.factors}
    assert {"consecutive_days", "rising_absence"} <= codes
    explanation = next(f for f in warning.factors if f["code"] == "consecutive_days")
    assert explanation["explanation"] == "4 schooldagen achter elkaar afwezig."
    assert not EarlyWarning.objects.filter(student=adult, flagged=True).exists()
    # The next morning the same signal is updated, not repeated.
    absent(minor, [TODAY + timedelta(days=3)])
    again = early_warnings_compute(institution=roc, today=TODAY + timedelta(days=3))
    assert again.new_signals == 0
    signal = Concern.objects.get(student=minor)
    assert "5 schooldagen achter elkaar afwezig." in signal.text
    assert list(triage_queue(officer)) == [signal]


def test_a_closed_signal_stays_closed_until_something_new_fires(school, officer):
    roc, _admin, minor, _adult = school
    absent(minor, last_school_days(4))
    early_warnings_compute(institution=roc, today=TODAY)
    signal = Concern.objects.get(student=minor)
    concern_close(actor=officer, concern_id=signal.pk, reason="Ziek thuis, moeder belde.")
    early_warnings_compute(institution=roc, today=TODAY)
    assert Concern.objects.filter(student=minor).count() == 1
    # A weekday pattern is new: a new signal.
    mondays = [TODAY - timedelta(days=4 + 7 * w) for w in range(1, 8)]
    absent(minor, mondays, hours=Decimal(2))
    early_warnings_compute(institution=roc, today=TODAY)
    assert Concern.objects.filter(student=minor, status="new").count() == 1


def test_thresholds_come_from_the_institution(school):
    roc, admin, minor, _adult = school
    absent(minor, last_school_days(3))
    early_warnings_compute(institution=roc, today=TODAY)
    assert "consecutive_days" in {
        f["code"] for f in EarlyWarning.objects.get(student=minor).factors
    }
    signal_settings_update(
        actor=admin, institution=roc, expected_version=0, values={"consecutive_days": 5}
    )
    early_warnings_compute(institution=roc, today=TODAY)
    assert "consecutive_days" not in {
        f["code"] for f in EarlyWarning.objects.get(student=minor).factors
    }


def test_settings_page_refuses_a_stale_form_and_keeps_the_newer_values(school):
    roc, admin, *_ = school
    client = client_for(admin)
    page = client.get(reverse("signals:settings"))
    assert (
        "16 uur in 4 weken ook melden voor studenten van 18 jaar en ouder" in page.content.decode()
    )
    form = {
        "version": 0,
        "holiday_region": "midden",
        "sixteen_in_four_for_adults": "on",
        "follow_up_school_days": 3,
        "recent_weeks": 4,
        "recent_rate_min": 5,
        "rise_factor": "2.0",
        "consecutive_days": 3,
        "chronic_share": 10,
        "weekday_share": 50,
        "weekday_min_days": 4,
        "first_weeks": 10,
        "birthday_months_ahead": 3,
    }
    assert client.post(reverse("signals:settings"), form).status_code == 302
    saved = SignalSettings.objects.get(institution=roc)
    # The holiday region is chosen on the school calendar, not here: a posted one is ignored.
    assert (saved.holiday_region, saved.sixteen_in_four_for_adults, saved.version) == (
        "noord",
        True,
        1,
    )
    assert 'id="id_holiday_region"' not in page.content.decode()
    assert f'href="{reverse("calendar:overview")}"' in page.content.decode()
    stale = client.post(reverse("signals:settings"), {**form, "follow_up_school_days": 9})
    assert "Iemand anders heeft de instellingen intussen gewijzigd" in stale.content.decode()
    assert SignalSettings.objects.get(institution=roc).follow_up_school_days == 3
    bad = client.post(reverse("signals:settings"), {**form, "version": 1, "recent_weeks": 0})
    assert bad.status_code == 200
    assert SignalSettings.objects.get(institution=roc).recent_weeks == 4
    # A weekday pattern of no absent days at all is no pattern.
    no_days = client.post(
        reverse("signals:settings"), {**form, "version": 1, "weekday_min_days": 0}
    )
    assert "Minstens 1." in no_days.content.decode()
    assert SignalSettings.objects.get(institution=roc).weekday_min_days == 4


def test_only_the_functional_administrator_changes_settings(school, officer):
    assert client_for(officer).get(reverse("signals:settings")).status_code == 404


def test_adult_sixteen_in_four_only_when_the_region_agreed(school):
    roc, admin, _minor, adult = school
    # The adult misses 4 hours on 4 Fridays in a row: 16 hours in 4 weeks.
    absent(adult, [TODAY - timedelta(weeks=w) for w in range(4)], hours=Decimal(4))
    assert daily_signals_compute(institution=roc, today=TODAY).reports == 0
    signal_settings_update(
        actor=admin,
        institution=roc,
        expected_version=0,
        values={"sixteen_in_four_for_adults": True},
    )
    assert daily_signals_compute(institution=roc, today=TODAY).reports == 1


def test_signal_left_without_follow_up_marks_the_student(school):
    roc, admin, minor, _adult = school
    with time_machine.travel(date(2025, 11, 17), tick=False):
        Concern.objects.create(student=minor, raised_by=admin, text="Slaapt in de les.")
    early_warnings_compute(institution=roc, today=TODAY)
    warning = EarlyWarning.objects.get(student=minor)
    assert warning.flagged
    assert {"code": "open_concerns", "explanation": "1 open zorgmelding."} in warning.factors
    assert any(f["code"] == "no_follow_up" for f in warning.factors)
    # It is already in the queue as a concern: no second item for the same thing.
    assert Concern.objects.filter(student=minor).count() == 1


def test_attendance_coordinator_gets_only_the_signals_about_attendance(school, officer):
    roc, _admin, minor, _adult = school
    nearly_23 = StudentFactory(
        programme=minor.programme,
        date_of_birth=date(2003, 1, 10),
        enrolled_on=date(2024, 9, 1),
        has_basic_qualification=False,
    )
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, organisation=roc, role=Role.CARE_COORDINATOR)
    absent(minor, last_school_days(4))
    early_warnings_compute(institution=roc, today=TODAY)
    age_signal = Concern.objects.get(student=nearly_23)
    assert [f["code"] for f in age_signal.factors if f["code"] == "turns_23"] == ["turns_23"]
    assert {c.student_id for c in triage_queue(officer)} == {minor.pk}
    assert {c.student_id for c in triage_queue(coordinator)} == {minor.pk, nearly_23.pk}
    with pytest.raises(PermissionDenied):
        concern_close(actor=officer, concern_id=age_signal.pk, reason="Niet mijn taak")


def varied_absence(minor):  # type: ignore[no-untyped-def]
    """25 students with more or less absence and, among them (by primary key), one of
    another institution who is absent every day."""
    rng = random.Random(4)
    school_days = [d for d in last_school_days(60) if d >= date(2025, 8, 25)]
    students = [minor]
    for n in range(25):
        if n == 12:
            absent(StudentFactory(date_of_birth=date(2009, 1, 1)), school_days)
            continue
        students.append(
            StudentFactory(
                programme=minor.programme,
                date_of_birth=date(2006, 1, 1) + timedelta(days=rng.randrange(0, 1500)),
                enrolled_on=date(2025, 8, 25),
            )
        )
    for student in students:
        chance = rng.choice([0.02, 0.1, 0.4, 0.9])
        days = [d for d in school_days if rng.random() < chance]
        absent(student, days, hours=Decimal(rng.choice([2, 6])))


def test_a_large_institution_split_into_shards_gets_the_same_signals(school):
    """The morning run splits an institution into shards of students, each computed and
    written on its own: every report and every factor must be the same as when one process
    does all students at once."""
    roc, _admin, minor, _adult = school
    varied_absence(minor)
    alone = morning_compute(morning_load(roc, TODAY))
    assert alone.reports and alone.warnings  # something to compare
    assert {r[0] for r in alone.reports} | {w[0] for w in alone.warnings} <= {
        s.pk for s in Student.objects.filter(institution=roc)
    }
    run = daily_signals_compute(institution=roc, today=TODAY, shard_size=4)
    assert run.flagged == sum(1 for _, flagged, _ in alone.warnings if flagged)
    assert run.students == alone.enrolled == 26
    assert sorted(
        AbsenceReport.objects.filter(student__institution=roc).values_list(
            "student_id", "kind", "start_date", "threshold_on", "end_date", "unauthorised_hours"
        )
    ) == sorted(r[:6] for r in alone.reports)
    assert sorted(
        EarlyWarning.objects.filter(student__institution=roc).values_list(
            "student_id", "flagged", "factors"
        )
    ) == sorted(alone.warnings)
