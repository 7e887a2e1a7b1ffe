"""The indicators on a small, hand-made school whose answers are worked out by hand here.

School year 2025-2026 runs from 1 August 2025 to 31 July 2026.
"""

from datetime import UTC, date, datetime

import pytest

from schakelpunt.accounts.tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from schakelpunt.monitor import indicators as ind
from schakelpunt.monitor.periods import PeriodError, parse_period, previous
from schakelpunt.referrals.models import Referral, ReferralEvent, ReferralStatus
from schakelpunt.signals.models import AbsenceRecord, AbsenceReport, Concern, SchoolHoliday
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory
from schakelpunt.transitions.models import AftercareContact, Departure

YEAR = parse_period("2025-2026")


def at(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def school(refdata: None):  # type: ignore[no-untyped-def]
    programme = ProgrammeFactory()
    roc = programme.team.location.institution
    coordinator = UserFactory()

    def student(
        name: str,
        enrolled: date,
        left: date | None = None,
        *,
        born: date = date(2007, 1, 1),
        sk: bool = False,
    ) -> Student:
        return StudentFactory(
            programme=programme,
            first_name=name,
            enrolled_on=enrolled,
            left_on=left,
            date_of_birth=born,
            has_basic_qualification=sk,
        )

    s = {
        "A": student("A", date(2024, 9, 1)),
        "B": student("B", date(2025, 9, 1), date(2026, 2, 10)),  # early leaver, 19
        "C": student("C", date(2023, 9, 1), date(2025, 6, 30)),  # left before the year
        "D": student("D", date(2025, 9, 1), date(2026, 3, 1), sk=True),  # left qualified
        "E": student("E", date(2025, 9, 1), date(2026, 4, 1), born=date(2002, 1, 1)),  # 24
        "F": student("F", date(2026, 9, 1)),  # enrols after the year
    }
    OrganisationFactory(name="Andere school")  # nothing of it is in scope
    Trajectory.objects.create(
        student=s["A"],
        state="active",
        tier="breedte",
        coordinator=coordinator,
        life_domains=["home", "finances", "work"],
        opened_at=at(2025, 10, 1),
    )
    Trajectory.objects.create(
        student=s["B"],
        state="closed",
        close_reason="not_needed",
        opened_at=at(2024, 5, 1),
        closed_at=at(2025, 7, 15),
        life_domains=["home"],
    )
    Trajectory.objects.create(
        student=s["D"],
        state="closed",
        close_reason="left_school",
        tier="basis",
        life_domains=["mental_health"],
        opened_at=at(2026, 1, 10),
        closed_at=at(2026, 3, 1),
    )
    provider = OrganisationFactory(provider=True)
    Referral.objects.create(
        student=s["A"],
        to_organisation=provider,
        status=ReferralStatus.ENDED,
        sent_at=at(2025, 11, 1),
        accepted_on=date(2025, 11, 3),
        first_contact_days=8,
        first_contact_on=date(2025, 11, 14),
        ended_on=date(2026, 5, 1),
        outcome="successful",
    )
    Referral.objects.create(
        student=s["D"],
        to_organisation=provider,
        status=ReferralStatus.FIRST_CONTACT,
        sent_at=at(2026, 1, 15),
        accepted_on=date(2026, 1, 16),
        first_contact_days=8,
        first_contact_on=date(2026, 1, 20),
    )
    Concern.objects.create(
        student=s["A"],
        raised_by=coordinator,
        text="Zorg",
        created_at=at(2025, 10, 1, 9),
        first_action_at=at(2025, 10, 3, 9),
    )
    for student_, end in ((s["A"], date(2025, 12, 1)), (s["B"], date(2025, 7, 1))):
        AbsenceReport.objects.create(
            student=student_,
            kind="sixteen_in_four",
            start_date=end,
            threshold_on=end,
            end_date=end,
            unauthorised_hours=16,
            rules_version="test",
        )
    departure = Departure.objects.create(
        student=s["B"], left_on=date(2026, 2, 10), reason="dropout", destination="none"
    )
    AftercareContact.objects.create(
        departure=departure,
        months=1,
        due_on=date(2026, 3, 10),
        done_on=date(2026, 3, 12),
        outcome="in_work",
    )
    AftercareContact.objects.create(departure=departure, months=3, due_on=date(2026, 5, 10))
    return Student.objects.filter(institution=roc)


def test_enrolled_and_early_leavers(school) -> None:  # type: ignore[no-untyped-def]
    assert ind.enrolled(school, YEAR) == 4  # A, B, D, E
    assert ind.early_leavers(school, YEAR) == 1  # B: D had a startkwalificatie, E was 24
    assert ind.early_leaver_rate(school, YEAR).percent == "25,0%"
    assert ind.enrolled(school, parse_period("2025-2026-S2")) == 4
    assert ind.early_leavers(school, parse_period("2025-2026-S1")) == 0


def test_reach_tiers_domains_and_closing(school) -> None:  # type: ignore[no-untyped-def]
    assert ind.reach(school, YEAR) == ind.Ratio(2, 4)  # A and D; B's ended before August
    assert ind.support_by_tier(school, YEAR) == {"basis": 1, "breedte": 1, "diepte": 0}
    assert ind.closed_by_reason(school, YEAR) == {"left_school": 1}
    domains, many = ind.life_domains(school, YEAR)
    assert domains == {"home": 1, "finances": 1, "work": 1, "mental_health": 1}
    assert many == ind.Ratio(1, 2)


def test_referrals_first_contact_and_signals(school) -> None:  # type: ignore[no-untyped-def]
    assert ind.referred_share(school, YEAR) == ind.Ratio(2, 2)
    waiting = ind.first_contact(school, YEAR)
    assert waiting.count == 2 and waiting.median_days == 7.5  # 11 and 4 days
    assert waiting.within_agreement == ind.Ratio(1, 2)  # 11 > 8, 4 <= 8
    assert ind.referral_outcomes(school, YEAR) == {"successful": 1}
    declined = Referral.objects.create(
        student=school.get(first_name="E"),
        to_organisation=Referral.objects.first().to_organisation,
        status=ReferralStatus.DECLINED,
        sent_at=at(2026, 1, 30),
    )
    ReferralEvent.objects.create(
        referral=declined, from_status="received", to_status="declined", at=at(2026, 2, 1)
    )
    assert ind.referral_outcomes(school, YEAR) == {"successful": 1, "declined": 1}
    assert ind.referral_outcomes(school, parse_period("2025-2026-S1")) == {}
    assert ind.signal_to_action(school, YEAR) == (1, 2.0)
    assert ind.statutory_reports(school, YEAR) == {"sixteen_in_four": 1}
    assert ind.aftercare_outcomes(school, YEAR) == {"in_work": 1}


def test_periods() -> None:
    assert (YEAR.start, YEAR.end) == (date(2025, 8, 1), date(2026, 7, 31))
    assert parse_period("2025-2026-S1").end == date(2026, 1, 31)
    assert parse_period("2026-02").end == date(2026, 2, 28)
    assert previous(parse_period("2025-2026-S1")).code == "2024-2025-S2"
    assert previous(parse_period("2026-01")).code == "2025-12"
    with pytest.raises(PeriodError, match="twee opeenvolgende"):
        parse_period("2025-2027")
    with pytest.raises(PeriodError, match="Onbekende periode"):
        parse_period("vorig jaar")


@pytest.fixture
def absence_school(refdata: None):  # type: ignore[no-untyped-def]
    """March 2026 has 22 weekdays (Monday 2 to Tuesday 31); the school closes on Friday 27."""
    programme = ProgrammeFactory(pathway="BOL")
    roc = programme.team.location.institution
    SchoolHoliday.objects.create(
        institution=roc, name="Studiedag", start=date(2026, 3, 27), end=date(2026, 3, 27)
    )

    def student(name: str, enrolled: date = date(2025, 9, 1)) -> Student:
        return StudentFactory(programme=programme, first_name=name, enrolled_on=enrolled)

    def day(who: Student, d: int, scheduled: str, absent: str, reason: str) -> None:
        AbsenceRecord.objects.create(
            student=who,
            day=date(2026, 3, d),
            scheduled_hours=scheduled,
            absent_hours=absent,
            reason=reason,
        )

    a, b = student("A"), student("B")
    student("C")  # no records at all
    student("D", enrolled=date(2026, 3, 16))  # no records, from the third week
    day(a, 2, "8", "8", "unauthorised")
    day(a, 3, "8", "2", "illness")
    for d in (4, 5, 6):
        day(b, d, "6", "6", "unauthorised")
    return Student.objects.filter(institution=roc)


def test_attendance_counts_unrecorded_school_days_as_attended(absence_school) -> None:  # type: ignore[no-untyped-def]
    march = parse_period("2026-03")
    result = ind.attendance(absence_school, march, today=date(2026, 11, 24))
    # 21 school days (22 weekdays minus the study day).
    # A: usual 8 h; 2 recorded days (16 h) + 19 others × 8 = 168 h; absent 10 h = 6,0%.
    # B: usual 6 h; 3 recorded days (18 h) + 18 × 6 = 126 h; absent 18 h = 14,3%: chronic.
    # C: no records: the school's usual day, the median of 8, 8, 6, 6, 6 = 6 h; 21 × 6 = 126 h.
    # D: from Monday 16 March: 11 school days × 6 = 66 h.
    assert result.students == 4
    assert result.scheduled_hours == 168 + 126 + 126 + 66
    assert result.unauthorised_hours == 8 + 18
    assert result.chronic == 1
    assert round(result.unauthorised_rate or 0, 4) == round(26 / 486, 4)
    assert result.chronic_share == ind.Ratio(1, 4)


def test_attendance_stops_at_today_and_before_enrolment(absence_school) -> None:  # type: ignore[no-untyped-def]
    march = parse_period("2026-03")
    # Up to Friday 6 March: 5 school days; D not enrolled yet.
    result = ind.attendance(absence_school, march, today=date(2026, 3, 6))
    assert result.students == 3
    # A: 16 + 3 × 8; B: 18 + 2 × 6; C: 5 × 6. A (10 of 40 h) and B are chronic this early.
    assert result.scheduled_hours == (16 + 3 * 8) + (18 + 2 * 6) + 5 * 6
    assert result.chronic == 2
    assert ind.attendance(absence_school, march, today=date(2026, 2, 1)).students == 0
