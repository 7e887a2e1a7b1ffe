"""Two earlier school years for the monitor, so that its trends mean something.

The region's story, as in the seeds: support moves earlier and closer. Over the two years
before this one, more students get help (reach up), more of it stays light (basis and breedte)
and fewer students are referred to specialist care; fewer leave without a diploma. The
students who left in those years are added as former students with their trajectories,
referrals, ratings and aftercare. Prices for the services and the school's own hours come too.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from faker import Faker

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.demo.names import split_surname
from schakelpunt.directory.models import Law, Service
from schakelpunt.funding.models import FundingStream, ServiceFunding, SupportRate, Unit
from schakelpunt.monitor.periods import Period, previous, school_year_of
from schakelpunt.referrals.models import Outcome, Referral, ReferralStatus
from schakelpunt.students.models import Student
from schakelpunt.support.models import CloseReason, LifeDomain, Tier, Trajectory, TrajectoryState
from schakelpunt.transitions.models import (
    AftercareContact,
    AftercareOutcome,
    Departure,
    Destination,
    LeavingReason,
)

from .schooldays import on_school_day, school_day_near


@dataclass(frozen=True)
class YearStory:
    leavers: float  # former students who left in the year, as a share of today's students
    early_leavers: float  # of them, without a startkwalificatie
    reach: float  # students with a trajectory
    tiers: tuple[float, float, float]  # basis, breedte, diepte
    referred: tuple[float, float]  # of the breedte and diepte trajectories, also referred


# Two years ago, then last year. Last year's support comes mostly from the trajectories the
# demo builds for this year, many of which started before the summer; the history adds a few.
STORIES = (
    YearStory(0.22, 0.10, 0.18, (0.50, 0.32, 0.18), (0.05, 0.6)),
    YearStory(0.22, 0.08, 0.02, (0.58, 0.30, 0.12), (0.03, 0.5)),
)
DOMAINS = list(LifeDomain.values)
RATINGS = [5, 6, 6, 7, 7, 7, 8, 8, 8, 8, 9, 9, 10]
# Unit prices of the demo's services, by the law that pays for them.
PRICES: dict[str, tuple[str, str, Decimal, Decimal | None]] = {
    Law.JEUGDWET: ("jeugdwet", Unit.TRAJECTORY, Decimal(2400), None),
    Law.WMO: ("wmo", Unit.HOUR, Decimal(78), Decimal(16)),
    Law.PARTICIPATIEWET: ("participatiewet", Unit.TRAJECTORY, Decimal(1500), None),
    Law.ZVW: ("zvw", Unit.HOUR, Decimal(105), Decimal(10)),
    Law.SCHOOL: ("school", Unit.YEAR, Decimal(900), None),
    Law.VSV_RMC: ("vsv", Unit.TRAJECTORY, Decimal(1100), None),
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def _day_in(rng: random.Random, period: Period, *, latest: date | None = None) -> date:
    last = min(period.end, latest) if latest else period.end
    return period.start + timedelta(days=rng.randrange(max((last - period.start).days, 1)))


def build_history(
    *,
    rng: random.Random,
    fake: Faker,
    today: date,
    students: list[Student],
    services: list[Service],
    coordinators: list[User],
) -> int:
    """Former students and the support of the two school years before this one; how many
    trajectories it made."""
    this_year = school_year_of(today)
    years = [previous(previous(this_year)), previous(this_year)]
    roc = students[0].institution
    made = 0
    for number, (year, story) in enumerate(zip(years, STORIES, strict=True)):
        former = _former_students(rng, fake, roc, students, year, story, number)
        enrolled = [
            s
            for s in [*students, *former]
            if s.enrolled_on <= year.end and (s.left_on is None or s.left_on >= year.start)
        ]
        made += _support(rng, year, story, enrolled, services, coordinators, today)
        _aftercare(rng, [s for s in former if not s.has_basic_qualification], today)
    return made


def _former_students(
    rng: random.Random,
    fake: Faker,
    roc: Organisation,
    students: list[Student],
    year: Period,
    story: YearStory,
    number: int,
) -> list[Student]:
    rows = []
    for i in range(int(len(students) * story.leavers)):
        like = rng.choice(students)
        left = _day_in(rng, year)
        early = rng.random() < story.early_leavers
        age = rng.randrange(17, 21)
        prefix, last = split_surname(fake.last_name())
        rows.append(
            Student(
                institution=roc,
                location=like.location,
                programme=like.programme,
                student_number=f"{8_000_000 + number * 100_000 + i}",
                first_name=fake.first_name(),
                name_prefix=prefix,
                last_name=last,
                date_of_birth=left - timedelta(days=age * 365 + rng.randrange(365)),
                postcode=like.postcode,
                residence_municipality=like.residence_municipality,
                prior_education=like.prior_education,
                has_basic_qualification=not early,
                enrolled_on=date(left.year - rng.randrange(1, 4), 9, 1),
                left_on=left,
            )
        )
    Student.objects.bulk_create(rows, batch_size=2000)
    return list(Student.objects.filter(student_number__in=[r.student_number for r in rows]))


def _support(
    rng: random.Random,
    year: Period,
    story: YearStory,
    enrolled: list[Student],
    services: list[Service],
    coordinators: list[User],
    today: date,
) -> int:
    helped = rng.sample(enrolled, int(len(enrolled) * story.reach))
    trajectories: list[Trajectory] = []
    referrals: list[Referral] = []
    accounts: dict[int, int] = {
        s.pk: s.organisation.account_id for s in services if s.organisation.account_id
    }
    with_account = [s for s in services if s.pk in accounts]
    for student in helped:
        latest = min(student.left_on or year.end, year.end)
        opened = _day_in(rng, year, latest=latest)
        closed = min(opened + timedelta(days=rng.randrange(30, 200)), latest)
        tier = rng.choices(list(Tier.values), weights=story.tiers)[0]
        domains = rng.sample(DOMAINS, rng.choice([1, 1, 2, 2, 3, 4]))
        left_early = student.left_on is not None and student.left_on <= year.end
        reason = (
            CloseReason.LEFT_SCHOOL
            if left_early
            else rng.choice(
                [CloseReason.GOAL_REACHED] * 4 + [CloseReason.OTHER_HELP, CloseReason.DECLINED]
            )
        )
        rated = reason == CloseReason.GOAL_REACHED and rng.random() < 0.45
        trajectories.append(
            Trajectory(
                student=student,
                state=TrajectoryState.CLOSED,
                tier=tier,
                life_domains=[d for d in DOMAINS if d in domains],
                coordinator=rng.choice(coordinators),
                opened_at=_at(opened),
                closed_at=_at(closed),
                close_reason=reason,
                student_rating=rng.choice(RATINGS) if rated else None,
                student_rated_at=_at(min(closed + timedelta(days=rng.randrange(1, 20)), today))
                if rated
                else None,
            )
        )
        if with_account and (
            (tier == Tier.BREEDTE and rng.random() < story.referred[0])
            or (tier == Tier.DIEPTE and rng.random() < story.referred[1])
        ):
            service = rng.choice(with_account)
            sent = opened + timedelta(days=rng.randrange(3, 20))
            accepted = sent + timedelta(days=rng.randrange(1, 6))
            contact = school_day_near(
                accepted + timedelta(days=rng.randrange(2, 14)), earliest=accepted
            )
            successful = rng.random() < 0.72
            ended = min(contact + timedelta(days=rng.randrange(40, 240)), today)
            referrals.append(
                Referral(
                    student=student,
                    to_organisation_id=accounts[service.pk],
                    service=service,
                    service_name=service.name,
                    status=ReferralStatus.ENDED,
                    created_at=_at(sent),
                    sent_at=_at(sent),
                    received_at=_at(sent),
                    accepted_on=accepted,
                    first_contact_days=service.first_contact_days or 8,
                    first_contact_due=accepted + timedelta(days=service.first_contact_days or 8),
                    first_contact_on=contact,
                    help_started_on=contact,
                    ended_on=ended,
                    outcome=Outcome.SUCCESSFUL if successful else Outcome.NOT_SUCCESSFUL,
                    end_reason=""
                    if successful
                    else rng.choice(
                        ["student_declined", "unreachable", "no_longer_needed", "other"]
                    ),
                    updated_at=_at(ended),
                )
            )
    Trajectory.objects.bulk_create(trajectories, batch_size=2000)
    Referral.objects.bulk_create(referrals, batch_size=2000)
    return len(trajectories)


def _aftercare(rng: random.Random, early_leavers: list[Student], today: date) -> None:
    departures = Departure.objects.bulk_create(
        Departure(
            student=s,
            left_on=s.left_on,
            reason=rng.choice([LeavingReason.DROPOUT] * 3 + [LeavingReason.SWITCH]),
            destination=rng.choice(
                [Destination.NONE, Destination.WORK, Destination.UNKNOWN, Destination.MBO]
            ),
        )
        for s in early_leavers
        if s.left_on
    )
    contacts = []
    outcomes = list(AftercareOutcome.values)
    for departure in departures:
        for months in (1, 3, 6):
            due = departure.left_on + timedelta(days=30 * months)
            if due > today:
                continue
            done = on_school_day(
                due + timedelta(days=rng.randrange(0, 10)), earliest=due, latest=today
            )
            outcome = rng.choices(outcomes, weights=[4, 4, 3, 2, 2, 1])[0]
            contacts.append(
                AftercareContact(
                    departure=departure,
                    months=months,
                    due_on=due,
                    done_on=done,  # None: due in a holiday that still lasts
                    outcome=outcome if done else "",
                )
            )
    AftercareContact.objects.bulk_create(contacts, batch_size=2000)


def build_funding(roc: Organisation, services: list[Service]) -> int:
    """Prices for the services by the law that pays them (a service under two laws is paid
    half by each), and the hourly cost of the school's own support."""
    streams = {s.code: s for s in FundingStream.objects.all()}
    rows = []
    for service in services:
        laws = [law for law in service.laws if law in PRICES][:2]
        for law in laws:
            code, unit, cost, hours = PRICES[law]
            rows.append(
                ServiceFunding(
                    service=service,
                    stream=streams[code],
                    unit=unit,
                    unit_cost=cost,
                    hours_per_trajectory=hours,
                    share=100 // len(laws),
                )
            )
    ServiceFunding.objects.bulk_create(rows)
    SupportRate.objects.create(institution=roc, hourly_cost=Decimal("68.50"))
    return len(rows)
