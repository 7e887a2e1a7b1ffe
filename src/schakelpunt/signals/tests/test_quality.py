"""'How good is our signalling?' on a hand-made school year with known answers."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.world import client_for

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.signals.config import signal_settings_update
from schakelpunt.signals.models import AbsenceRecord, Concern
from schakelpunt.signals.quality import follow_through, quality_compute, quality_row
from schakelpunt.signals.views import last_school_year
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

START, END = date(2025, 8, 1), date(2026, 7, 31)


def whole_days(student, first: date, n: int) -> None:  # type: ignore[no-untyped-def]
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=student,
            day=first + timedelta(days=i),
            scheduled_hours=Decimal(6),
            absent_hours=Decimal(6),
            reason="unauthorised",
        )
        for i in range(n)
    )


@pytest.fixture
def year(db):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Terugblik")
    location = LocationFactory(institution=roc, name="Hengelo")
    programme = ProgrammeFactory(team=ProgrammeTeamFactory(location=location), level=3)

    def student(name: str, **extra):  # type: ignore[no-untyped-def]
        return StudentFactory(
            programme=programme,
            first_name=name,
            date_of_birth=date(2008, 5, 1),
            enrolled_on=date(2025, 8, 25),
            has_basic_qualification=False,
            **extra,
        )

    a = student("Ayla", left_on=date(2026, 1, 15))  # absent a week in October, then left
    whole_days(a, date(2025, 10, 6), 5)
    student("Bas", left_on=date(2026, 3, 1))  # left without any warning sign
    c = student("Cas")  # absent four days in November, and stayed
    whole_days(c, date(2025, 11, 3), 4)
    student("Dana")  # at school every day
    return roc


def test_replay_finds_who_was_flagged_and_how_early(year):
    run = quality_compute(institution=year, start=START, end=END)
    # Ayla: flagged on Friday 10 October (5 days in a row), left 15 January: 97 days earlier.
    # Cas: flagged on Friday 7 November, stayed. Bas left unflagged. Dana: nothing.
    assert run.groups["overall"] == {
        "students": 4,
        "flagged": 2,
        "leavers": 2,
        "flagged_leavers": 1,
        "median_lead_days": 97,
    }
    assert run.groups["level"]["3"] == run.groups["overall"]
    assert run.groups["location"]["Hengelo"] == run.groups["overall"]


def test_stricter_thresholds_flag_fewer(year):
    admin = UserFactory()
    MembershipFactory(user=admin, organisation=year, role=Role.FUNCTIONAL_ADMIN)
    signal_settings_update(
        actor=admin,
        institution=year,
        expected_version=0,
        values={"consecutive_days": 5, "recent_rate_min": 100, "chronic_share": 100},
    )
    run = quality_compute(institution=year, start=START, end=END)
    assert (run.groups["overall"]["flagged"], run.groups["overall"]["flagged_leavers"]) == (1, 1)


def test_rows_never_show_small_numbers_or_rates_built_on_them():
    small = quality_row(
        "Locatie",
        {"students": 40, "flagged": 3, "leavers": 2, "flagged_leavers": 1, "median_lead_days": 30},
    )
    assert (small.students, small.flagged, small.leavers) == ("40", "<5", "<5")
    assert (small.recall, small.precision, small.lead) == ("—", "—", "—")
    big = quality_row(
        "Instelling",
        {
            "students": 900,
            "flagged": 60,
            "leavers": 40,
            "flagged_leavers": 30,
            "median_lead_days": 45.5,
        },
    )
    assert (big.recall, big.precision, big.lead) == ("75%", "50%", "46")


def test_follow_through_counts_signals_acted_on_within_the_follow_up_days(year):
    student = Student.objects.filter(institution=year).first()
    raised = timezone.make_aware(datetime(2025, 11, 3, 9))  # noqa: DTZ001 - made aware here
    for i, acted_days in enumerate([1, 2, 4, 6, None, 3]):
        Concern.objects.create(
            student=student,
            text=f"signaal {i}",
            source="early_warning",
            status="closed" if acted_days else "new",
            created_at=raised,
            first_action_at=raised + timedelta(days=acted_days) if acted_days else None,
        )
    result = follow_through(institution=year, start=START, end=END)
    # Monday 3 November + 1, 2, 4 and 3 calendar days are within 5 school days; +6 (Sunday
    # 9 November) is 5 school days too; one was never acted on: 5 of 6.
    assert (result.signals, result.in_time) == (6, 5)
    assert result.share == "83%"


def test_care_coordinator_and_governance_see_the_page_others_do_not(year):
    coordinator, board, coach = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=coordinator, organisation=year, role=Role.CARE_COORDINATOR)
    MembershipFactory(user=board, organisation=year, role=Role.GOVERNANCE)
    MembershipFactory(
        user=coach,
        organisation=year,
        role=Role.COACH,
        programme_team=ProgrammeTeamFactory(location=LocationFactory(institution=year)),
    )
    start, end = last_school_year(timezone.localdate())
    quality_compute(institution=year, start=start, end=end)
    page = client_for(board).get(reverse("signals:quality"))
    text = page.content.decode()
    assert "Hoe goed signaleren we?" in text and "Hengelo" in text
    assert "Ayla" not in text and "Cas" not in text  # counts only
    assert client_for(coordinator).get(reverse("signals:quality")).status_code == 200
    assert client_for(coach).get(reverse("signals:quality")).status_code == 404
