"""The municipal advisor's dashboard in a real browser: charts and tables about the residents
of their municipality, the report and the calculator, and no way to any student's name."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schakelpunt.accounts.models import Location, Programme
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_advisor_sees_charts_and_tables_for_residents_and_no_names(live_server, page, world):
    base = live_server.url
    Student.objects.update(residence_municipality=municipality("GM0141"))
    enschede = municipality("GM0153")
    programme = Programme.objects.filter(team__location=Location.objects.get(name="L1")).first()
    start = timezone.localdate() - timedelta(days=500)
    residents = [
        StudentFactory(
            programme=programme,
            residence_municipality=enschede,
            enrolled_on=start,
            first_name="Zichtbaarnooit",
            last_name=f"Geheimnaam{i}",
        )
        for i in range(30)
    ]
    # 15 in basis, 10 in breedte: at most 4 off, both stay well above "<5" whatever the
    # keys (the ids differ per database and run), so the chart is always drawn.
    for i, student in enumerate(residents[:25]):
        Trajectory.objects.create(
            student=student,
            state="active",
            tier="basis" if i < 15 else "breedte",
            life_domains=["home", "finances"],
            coordinator=world.users["care_l1"],
            opened_at=timezone.now() - timedelta(days=30),
        )
    names = [s.last_name for s in Student.objects.all()]

    log_in(page, base, "municipal@example.nl")
    page.get_by_role("link", name="Monitor").click()
    page.get_by_role("heading", name="Gemeentedashboard: Gemeente Enschede").wait_for()
    # Key figures, a chart with its title as its name, and the table behind it.
    # 30 residents enrolled, published with the cell-key perturbation (at most 3 per group).
    assert 20 <= int(page.locator(".tile-value").first.inner_text()) <= 40
    chart = page.get_by_role("img", name=re.compile("Ondersteuning naar zwaarte"))
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Ondersteuning naar zwaarte"))
    # Published perturbed (never 1–4), each row there.
    assert (
        table.get_by_role("row", name=re.compile(r"Basis \(coach\) (\d\d|[5-9]|0|<5)")).count() == 1
    )
    assert table.get_by_role("row", name=re.compile(r"Breedte .* (\d\d|[5-9]|0|<5)")).count() == 1
    # Another period and breakdown through the filters.
    page.get_by_label("Uitsplitsen naar").select_option(label="Niveau")
    page.get_by_role("button", name="Tonen").click()
    page.get_by_role("heading", name="Uitgesplitst naar niveau").wait_for()
    # The report, from the screen.
    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    # Nothing on these pages names a student, and their files stay closed.
    html = page.content()
    assert not any(name in html for name in names)
    assert "Zichtbaarnooit" not in html
    page.goto(f"{base}/studenten/{residents[0].pk}/")
    assert "Geheimnaam0" not in page.content()
    page.goto(f"{base}/financiering/")
    page.get_by_label("Een vast bedrag per student per jaar voor de woongemeente").check()
    page.get_by_label("Bedrag per student per jaar (€)").fill("150")
    page.get_by_role("button", name="Uitrekenen").click()
    contribution = page.get_by_role("table", name="Bijdrage per woongemeente")
    expect(
        contribution.get_by_role("row", name=re.compile(r"Enschede \d+ € [\d.]+,00"))
    ).to_have_count(1)
    assert "Geheimnaam" not in page.content()
