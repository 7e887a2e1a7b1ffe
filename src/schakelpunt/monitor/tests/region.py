"""A small hand-made region for the attacker: one ROC with two locations and six programmes on
four levels, students living in three Twente municipalities and one outside, over the school
years 2024-2025 and 2025-2026; with deliberately many true counts of 1–4 (a programme with 2
early leavers in a level with 7, "7 first contacts, 5 on time", a municipality of 4 residents,
a single heavy trajectory, two absence reports of one kind …)."""

import random
from datetime import UTC, date, datetime, timedelta

from schakelpunt.access.policy import Scope, institution_scope, municipality_scope, region_scope
from schakelpunt.accounts.models import Programme
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    OrganisationFactory,
    ProgrammeTeamFactory,
    UserFactory,
    municipality,
)
from schakelpunt.refdata.models import RmcRegion
from schakelpunt.referrals.models import Referral, ReferralEvent, ReferralStatus
from schakelpunt.signals.models import AbsenceReport, Concern
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory
from schakelpunt.transitions.models import AftercareContact, Departure

TODAY = date(2026, 6, 30)
FIRST_YEAR, LAST_YEAR = "2024-2025", "2025-2026"

# programme → (location, level, students)
PROGRAMMES = {
    "Zorg": ("Noord", 2, 12),
    "Techniek": ("Noord", 2, 5),
    "Handel": ("Noord", 3, 8),
    "ICT": ("Zuid", 3, 7),
    "Bouw": ("Zuid", 4, 6),
    "Entree": ("Zuid", 1, 3),
}
# Where the 41 students live: Almelo 4, Amsterdam 1, Hengelo 11, the rest in Enschede.
HOMES = ["GM0141"] * 4 + ["GM0363"] + ["GM0164"] * 11


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def build_region() -> list[Scope]:
    """The region in the database; its populations (each municipality, the RMC region, the
    institution)."""
    rng = random.Random(15)
    roc = OrganisationFactory(name="ROC Proef")
    provider = OrganisationFactory(name="Zorg Proef", provider=True)
    locations = {
        name: LocationFactory(institution=roc, name=name, municipality=municipality(code))
        for name, code in (("Noord", "GM0153"), ("Zuid", "GM0164"))
    }
    coordinator = UserFactory()
    students: list[Student] = []
    homes = HOMES + ["GM0153"] * 100
    rng.shuffle(homes)
    for name, (location, level, size) in PROGRAMMES.items():
        programme = Programme.objects.create(
            team=ProgrammeTeamFactory(location=locations[location]),
            crebo=f"9{len(students):04d}",
            name=name,
            level=level,
        )
        for i in range(size):
            students.append(
                StudentFactory(
                    programme=programme,
                    residence_municipality=municipality(homes[len(students)]),
                    enrolled_on=date(2024, 8, 20) if i % 3 else date(2025, 8, 25),
                    date_of_birth=date(2007, 3, 1),
                )
            )
    by_programme = {name: [s for s in students if s.programme.name == name] for name in PROGRAMMES}

    # Early leavers: Zorg 5, Techniek 2 (level 2: 7), ICT 1, Entree 1; over both years.
    leave_days = [
        date(2024, 11, 4),
        date(2025, 3, 10),
        date(2025, 10, 6),
        date(2026, 1, 12),
        date(2026, 3, 2),
    ]
    leavers = (
        [(s, leave_days[i]) for i, s in enumerate(by_programme["Zorg"][1:6])]
        + [
            (by_programme["Techniek"][1], date(2025, 2, 3)),
            (by_programme["Techniek"][2], date(2026, 4, 13)),
        ]
        + [
            (by_programme["ICT"][1], date(2025, 12, 1)),
            (by_programme["Entree"][1], date(2026, 5, 4)),
        ]
    )
    for student, left in leavers:
        if student.enrolled_on > left:
            student.enrolled_on = date(2024, 8, 20)
        student.left_on = left
        student.save()
        departure = Departure.objects.create(
            student=student, left_on=left, reason="dropout", destination="none"
        )
        for months, outcome in ((1, "looking"), (3, "in_work")):
            done = left + timedelta(days=30 * months)
            if done <= TODAY:
                AftercareContact.objects.create(
                    departure=departure, months=months, due_on=done, done_on=done, outcome=outcome
                )

    # Trajectories: 22, mostly light, one heavy; some closed with a reason; domains.
    tiers = ["basis"] * 11 + ["breedte"] * 9 + ["diepte"] * 2
    reasons = ["goal_reached", "goal_reached", "other_help", "left_school", "not_needed"]
    domain_sets = [["education"], ["home", "finances", "work"], ["mental_health"], ["housing"]]
    supported = rng.sample(students, 22)
    trajectories = []
    for i, (student, tier) in enumerate(zip(supported, tiers, strict=True)):
        opened = date(2024, 9, 1) + timedelta(days=rng.randrange(0, 600))
        closed = opened + timedelta(days=rng.randrange(30, 200)) if i % 3 == 0 else None
        if closed and closed > TODAY:
            closed = None
        trajectories.append(
            Trajectory.objects.create(
                student=student,
                state="closed" if closed else "active",
                tier=tier,
                coordinator=None if closed else coordinator,
                close_reason=reasons[i % len(reasons)] if closed else "",
                opened_at=at(opened),
                closed_at=at(closed) if closed else None,
                life_domains=domain_sets[i % len(domain_sets)],
                student_rating=7 + i % 3 if closed else None,
                student_rated_at=at(closed + timedelta(days=3)) if closed else None,
            )
        )

    # Referrals: 9 from supported students; 7 first contacts in 2025-2026, 5 within 8 days.
    waits = [3, 5, 6, 7, 8, 12, 15]
    for i, trajectory in enumerate(trajectories[:9]):
        sent = max(trajectory.opened_at.date(), date(2025, 8, 1)) + timedelta(days=7 + i * 11)
        accepted = sent + timedelta(days=2)
        contact = accepted + timedelta(days=waits[i]) if i < len(waits) else None
        if contact and contact > TODAY:
            contact = None
        ended = contact + timedelta(days=60) if contact and i % 2 == 0 else None
        if ended and ended > TODAY:
            ended = None
        status = (
            ReferralStatus.ENDED
            if ended
            else (ReferralStatus.FIRST_CONTACT if contact else ReferralStatus.ACCEPTED)
        )
        if i == 8:
            status = ReferralStatus.DECLINED
        referral = Referral.objects.create(
            student=trajectory.student,
            to_organisation=provider,
            status=status,
            sent_at=at(sent),
            accepted_on=accepted if i < 8 else None,
            first_contact_days=8,
            first_contact_on=contact if i < 8 else None,
            ended_on=ended,
            outcome=("successful" if i % 4 == 0 else "not_successful") if ended else "",
            end_reason="" if not ended or i % 4 == 0 else "unreachable",
        )
        if i == 8:
            ReferralEvent.objects.create(
                referral=referral, from_status="received", to_status="declined", at=at(sent)
            )

    # Statutory reports: 6 of one kind, 2 of another; concerns taken up.
    kinds = ["16_in_4"] * 6 + ["long_relative"] * 2
    for i, kind in enumerate(kinds):
        end = date(2024, 10, 1) + timedelta(days=70 * i)
        AbsenceReport.objects.create(
            student=students[(i * 5) % len(students)],
            kind=kind,
            start_date=end - timedelta(days=27),
            threshold_on=end,
            end_date=end,
            unauthorised_hours=16,
            rules_version="test",
        )
    for i in range(6):
        raised = date(2025, 9, 15) + timedelta(days=40 * i)
        Concern.objects.create(
            student=students[i * 3],
            raised_by=coordinator,
            text="Zorg",
            created_at=at(raised, 9),
            first_action_at=at(raised + timedelta(days=1 + i), 9),
        )
    twente = RmcRegion.objects.get(code=municipality("GM0153").rmc_region.code)
    return [
        *[
            municipality_scope(municipality(code))
            for code in ("GM0153", "GM0164", "GM0141", "GM0363")
        ],
        region_scope(twente),
        institution_scope(roc),
    ]
