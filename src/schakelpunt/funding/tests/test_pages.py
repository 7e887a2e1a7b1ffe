"""The funding screens: the advisor's overview and calculator, the administrator's prices."""

from decimal import Decimal

from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.funding.models import FundingStream, ServiceFunding, SupportRate
from schakelpunt.students.models import Student


def test_the_advisor_calculates_contributions_without_small_numbers(world: World) -> None:
    Student.objects.update(residence_municipality=municipality("GM0141"))
    Student.objects.filter(pk__in=Student.objects.values("pk")[:3]).update(
        residence_municipality=municipality("GM0153")
    )
    advisor = client_for(world.users["municipal"])
    url = reverse("funding:overview")
    page = advisor.get(url)
    assert page.status_code == 200 and "Gebruik van aanbod" in page.content.decode()
    # The world's few Enschede residents are fewer than 5: no amount that would tell how many.
    result = advisor.get(url, {"model": "per_student", "rate": "150"}).content.decode()
    # (published as "<5" or, perturbed, as 0: either way no amount of 1–4 students)
    assert "Bijdrage per woongemeente" in result
    for amount in ("€ 150,00", "€ 300,00", "€ 450,00", "€ 600,00"):
        assert amount not in result
    shared = advisor.get(
        url,
        {
            "model": "verdeling",
            "budget": "90000",
            "share_municipalities": "50",
            "share_insurer": "25",
            "share_school": "25",
        },
    ).content.decode()
    assert "€ 45.000,00" in shared and "€ 22.500,00" in shared
    wrong = advisor.get(
        url,
        {
            "model": "verdeling",
            "budget": "90000",
            "share_municipalities": "50",
            "share_insurer": "25",
            "share_school": "20",
        },
    ).content.decode()
    assert "De aandelen tellen op tot 95%; samen moeten ze precies 100% zijn." in wrong
    csv = advisor.get(url, {"formaat": "csv"})
    assert csv["Content-Type"].startswith("text/csv")


def test_only_aggregate_roles_see_costs_and_only_the_administrator_sets_prices(
    world: World,
) -> None:
    for who in ("coach", "care_l1", "worker_p1", "student"):
        assert client_for(world.users[who]).get(reverse("funding:overview")).status_code == 404
    assert client_for(world.users["municipal"]).get(reverse("funding:prices")).status_code == 404
    service = ServiceFactory(name="Jongerencoaching")
    post = client_for(world.users["municipal"]).post(
        reverse("funding:add"),
        {"service": service.pk, "stream": 1, "unit": "trajectory", "unit_cost": "10", "share": 100},
    )
    assert post.status_code == 404 and not ServiceFunding.objects.exists()


def test_the_administrator_links_streams_and_is_stopped_by_the_rules(world: World) -> None:
    admin = client_for(world.users["admin"])
    service = ServiceFactory(name="Kortdurende therapie")
    zvw = FundingStream.objects.get(code="zvw")
    wmo = FundingStream.objects.get(code="wmo")

    def add(stream: FundingStream, share: int, unit: str = "hour", hours: str = "10") -> str:
        response = admin.post(
            reverse("funding:add"),
            {
                "service": service.pk,
                "stream": stream.pk,
                "unit": unit,
                "unit_cost": "90",
                "hours_per_trajectory": hours,
                "share": share,
            },
            follow=True,
        )
        return response.content.decode()

    assert "De financiering is vastgelegd." in add(zvw, 60)
    assert "Samen zouden de stromen 110% van dit aanbod betalen" in add(wmo, 50)
    assert "betaalt dit aanbod al" in add(zvw, 10)
    assert "Geef bij een uurprijs op hoeveel uren" in add(wmo, 40, hours="")
    assert list(ServiceFunding.objects.values_list("stream__code", "share")) == [("zvw", 60)]
    page = admin.get(reverse("funding:prices")).content.decode()
    assert "Kortdurende therapie" in page and "60%" in page
    # The hourly rate of the school's own support, with a check on concurrent edits.
    roc = Organisation.objects.get(name="ROC Een")
    rate_url = reverse("funding:rate", args=[roc.pk])
    prefix = f"i{roc.pk}"
    admin.post(rate_url, {f"{prefix}-hourly_cost": "68.50", f"{prefix}-version": "0"})
    assert SupportRate.objects.get(institution=roc).hourly_cost == Decimal("68.50")
    stale = admin.post(
        rate_url, {f"{prefix}-hourly_cost": "99", f"{prefix}-version": "0"}, follow=True
    ).content.decode()
    assert "Iemand anders heeft het uurtarief intussen gewijzigd" in stale
    assert SupportRate.objects.get(institution=roc).hourly_cost == Decimal("68.50")
