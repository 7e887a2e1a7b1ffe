"""Costs from the use of services and the school's own hours, on a small hand-made case
(school year 2025-2026: 1 August 2025 – 31 July 2026, 365 days)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from schakelpunt.accounts.tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.funding.costs import (
    euros,
    in_house_support,
    protected_use,
    published_in_house,
    service_use,
)
from schakelpunt.funding.models import FundingStream, ServiceFunding, SupportRate
from schakelpunt.monitor.periods import parse_period
from schakelpunt.monitor.suppression import forget_atoms
from schakelpunt.referrals.models import Referral, ReferralStatus
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import ContactNote

YEAR = parse_period("2025-2026")
HEADINGS = ["Stroom", "Aanbod", "Verwijzingen", "Eenheden", "Kosten"]


def stream(code: str) -> FundingStream:
    return FundingStream.objects.get(code=code)


@pytest.fixture
def case(refdata: None):  # type: ignore[no-untyped-def]
    programme = ProgrammeFactory()
    provider = OrganisationFactory(provider=True)
    coaching = ServiceFactory(name="Jongerencoaching")
    therapy = ServiceFactory(name="Kortdurende therapie")
    housing = ServiceFactory(name="Begeleid wonen")
    ServiceFunding.objects.create(
        service=coaching, stream=stream("jeugdwet"), unit="trajectory", unit_cost=1200
    )
    for code in ("zvw", "wmo"):
        ServiceFunding.objects.create(
            service=therapy,
            stream=stream(code),
            unit="hour",
            unit_cost=90,
            hours_per_trajectory=10,
            share=50,
        )
    ServiceFunding.objects.create(
        service=housing, stream=stream("school"), unit="year", unit_cost=3650
    )
    students = [StudentFactory(programme=programme, enrolled_on=date(2024, 8, 1)) for _ in range(8)]

    def refer(student: Student, service, started: date, ended: date | None = None) -> None:  # type: ignore[no-untyped-def]
        Referral.objects.create(
            student=student,
            to_organisation=provider,
            service=service,
            status=ReferralStatus.ENDED if ended else ReferralStatus.HELP_STARTED,
            sent_at=datetime(started.year, started.month, 1, tzinfo=UTC),
            first_contact_on=started,
            ended_on=ended,
        )

    for s in students[:5]:
        refer(s, coaching, date(2025, 10, 1))
    refer(students[5], coaching, date(2025, 3, 1))  # started before the year, still running
    refer(students[6], coaching, date(2024, 3, 1), date(2025, 6, 1))  # ended before the year
    refer(students[6], therapy, date(2026, 2, 1))
    refer(students[7], housing, date(2025, 1, 1))  # runs the whole year
    author = UserFactory()
    for s in students[:5]:
        ContactNote.objects.create(
            student=s, kind="conversation", happened_on=date(2025, 9, 15), minutes=60, author=author
        )
    ContactNote.objects.create(
        student=students[0], kind="phone", happened_on=date(2025, 9, 16), author=author
    )
    SupportRate.objects.create(institution=programme.team.location.institution, hourly_cost=70)
    return Student.objects.filter(pk__in=[s.pk for s in students])


def test_use_and_cost_per_stream(case) -> None:  # type: ignore[no-untyped-def]
    uses = {(u.stream, u.service): u for u in service_use(case, YEAR)}
    coaching = uses[("Jeugdwet", "Jongerencoaching")]
    # Six ran in the year; five started in it and are priced per trajectory: 5 × 1200.
    assert (coaching.referrals, coaching.units, coaching.cost) == (6, 5, Decimal(6000))
    therapy = uses[("Zorgverzekeringswet", "Kortdurende therapie")]
    # 10 hours × € 90, half of it for each of the two streams.
    assert (therapy.referrals, therapy.units, therapy.cost) == (1, 10, Decimal(450))
    assert uses[("Wmo 2015", "Kortdurende therapie")].cost == Decimal(450)
    housing = uses[("Eigen budget school / passend onderwijs", "Begeleid wonen")]
    assert (housing.units, housing.cost) == (1, Decimal(3650))  # 365 of 365 days
    semester = {(u.stream, u.service): u for u in service_use(case, parse_period("2025-2026-S1"))}
    # August–January: 184 days of a year's price.
    assert semester[("Eigen budget school / passend onderwijs", "Begeleid wonen")].cost == Decimal(
        "1840.00"
    )


def test_what_an_aggregate_role_sees_of_the_costs(case) -> None:  # type: ignore[no-untyped-def]
    uses = service_use(case, YEAR)
    table = protected_use(uses, HEADINGS, "Subtotaal")
    rows = {(r[0], r[1]): r[2:] for r in table.rows}
    # Published counts (decision 0020): never 1–4, and the same on every request.
    assert not {r[2] for r in table.rows} & {"1", "2", "3", "4"}
    assert protected_use(uses, HEADINGS, "Subtotaal") == table
    coaching = rows[("Jeugdwet", "Jongerencoaching")]
    if coaching[0] == "<5":
        assert coaching[1:] == ["—", "—"]
    else:
        # The cost goes with the published count: € 1000 per referral (5 × 1200 over 6).
        assert coaching[2] == euros(Decimal(1000) * int(coaching[0]))
    # One referral: read as "<5" or 0, and its cost never (€ 450 would tell 450 / 90 / 10 = 1).
    therapy = rows[("Zorgverzekeringswet", "Kortdurende therapie")]
    assert therapy[0] in {"<5", "0"} and therapy[1:] == ["—", "—"]
    assert rows[("Zorgverzekeringswet", "Subtotaal")][2] == "—"
    assert table.hidden
    assert ("Zorgverzekeraars", "€ 450,00") not in table.per_payer


def test_the_schools_own_hours(case) -> None:  # type: ignore[no-untyped-def]
    own = in_house_support(case, YEAR)
    assert (own.students, own.contacts, own.timed, own.hours) == (5, 6, 5, Decimal("5.0"))
    assert own.cost == Decimal("350.00") and euros(own.cost) == "€ 350,00"
    assert own.shown


def test_publishing_the_costs_asks_nothing_more_of_the_database(  # type: ignore[no-untyped-def]
    case, django_assert_num_queries
) -> None:
    """The students' atoms come with their referrals and contacts (issue 16: the funding page
    looked them up again by id for every published count); the published counts are the same
    as when they are looked up."""
    uses = service_use(case, YEAR)
    with django_assert_num_queries(0):
        table = protected_use(uses, HEADINGS, "Subtotaal")
    own = in_house_support(case, YEAR)
    with django_assert_num_queries(0):
        published = published_in_house(own)
    forget_atoms()
    assert protected_use(uses, HEADINGS, "Subtotaal") == table
    forget_atoms()
    assert published_in_house(own) == published
