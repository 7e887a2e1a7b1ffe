"""The monitor page and its CSV: counts for the municipality's residents, never 1–4, no names."""

import csv
import io
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.models import Location, Programme
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.monitor.suppression import MAX_NOISE
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

SMALL = {"1", "2", "3", "4"}


def _residents(world: World) -> None:
    Student.objects.update(residence_municipality=municipality("GM0141"))
    enschede = municipality("GM0153")
    l1 = Programme.objects.filter(team__location=Location.objects.get(name="L1")).first()
    l2 = Programme.objects.filter(team__location=Location.objects.get(name="L2")).first()
    start = timezone.localdate() - timedelta(days=30)
    for i in range(20):
        StudentFactory(
            programme=l1, residence_municipality=enschede, enrolled_on=start, last_name=f"Geheim{i}"
        )
    for i in range(3):
        StudentFactory(
            programme=l2,
            residence_municipality=enschede,
            enrolled_on=start,
            last_name=f"Verborgen{i}",
        )


def test_the_municipal_advisor_sees_protected_counts_and_no_names(world: World) -> None:
    _residents(world)
    advisor = client_for(world.users["municipal"])
    page = advisor.get(reverse("monitor:monitor"), {"uitsplitsing": "locatie"})
    html = page.content.decode()
    assert "Gemeentedashboard: Gemeente Enschede" in html
    # L1 has 20, L2 3: published near the truth, never as 1–4, and the table adds up, so
    # 23 minus L1 gives L2's published value, not its true one.
    section = re.search(r'id="uitsplitsing-kop".*?</section>', html, re.S)
    assert section
    table = section.group(0)
    l1 = re.search(r'<th scope="row">L1</th><td class="num">(\d+)</td>', table)
    l2 = re.search(r'<th scope="row">L2</th><td class="num">(&lt;5|\d+)</td>', table)
    total = re.search(r'<th scope="row">Totaal</th><td class="num"><strong>(\d+)</strong>', table)
    assert l1 and l2 and total
    assert abs(int(l1.group(1)) - 20) <= MAX_NOISE and l2.group(1) not in SMALL
    if l2.group(1).isdigit():
        assert int(l1.group(1)) + int(l2.group(1)) == int(total.group(1))
    else:
        assert 1 <= int(total.group(1)) - int(l1.group(1)) <= 4
    assert "Geheim" not in html and "Verborgen" not in html
    exported = advisor.get(
        reverse("monitor:monitor"), {"uitsplitsing": "locatie", "formaat": "csv"}
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    counts = [cell for row in rows[1:] for cell in row[1:6]]
    assert not any(cell in SMALL for cell in counts)
    assert rows[-1][:2] == ["Totaal", total.group(1)]  # the same as on the page


def test_other_periods_and_breakdowns(world: World) -> None:
    _residents(world)
    advisor = client_for(world.users["municipal"])
    year = timezone.localdate().year
    first = year if timezone.localdate().month >= 8 else year - 1
    earlier = advisor.get(
        reverse("monitor:monitor"),
        {"periode": f"{first - 2}-{first - 1}", "uitsplitsing": "niveau"},
    )
    assert earlier.status_code == 200
    # Nobody of them was enrolled two years ago.
    assert "<strong>0</strong>" in earlier.content.decode()
    bad = advisor.get(reverse("monitor:monitor"), {"periode": "ooit", "uitsplitsing": "iets"})
    assert bad.status_code == 200  # falls back to this year, by location


def test_only_aggregate_roles_open_the_monitor(world: World) -> None:
    for who in ("coach", "care_l1", "worker_p1", "rmc", "student"):
        assert client_for(world.users[who]).get(reverse("monitor:monitor")).status_code == 404
    assert client_for(world.users["governance"]).get(reverse("monitor:monitor")).status_code == 200


def test_a_period_that_has_not_begun_is_refused_and_nothing_is_computed(world: World) -> None:
    from schakelpunt.monitor.models import MonitorSnapshot
    from schakelpunt.monitor.periods import school_year_of

    _residents(world)
    advisor = client_for(world.users["municipal"])
    today = timezone.localdate()
    this_year = school_year_of(today)
    next_year = school_year_of(this_year.end + timedelta(days=1))
    url = reverse("monitor:monitor")
    for code in (next_year.code, f"{next_year.code}-S1"):
        for extra in ({}, {"formaat": "csv"}, {"formaat": "pdf"}):
            page = advisor.get(url, {"periode": code, **extra})
            assert page.status_code == 400, (code, extra)
            html = page.content.decode()
            assert "nog geen cijfers" in html and "begint pas op" in html
            assert 'class="tile-value"' not in html and "Kerncijfers" not in html
            assert "Hoe we de cijfers beschermen" in html  # what the page says still reads
    assert not MonitorSnapshot.objects.exists()
    # Not offered either: only periods that have begun are in the list.
    html = advisor.get(url).content.decode()
    offered = re.findall(r'<option value="(\d{4}-\d{4}(?:-S\d)?)"', html)
    assert offered and next_year.code not in offered
    second = f"{this_year.code}-S2"
    assert (second in offered) == (today.month < 8 and today.month >= 2)
    # Nor computed by a refresh or the report command.
    assert (
        advisor.post(reverse("monitor:refresh") + f"?periode={next_year.code}").status_code == 302
    )
    assert not MonitorSnapshot.objects.exists()


def test_the_report_is_named_after_its_period(world: World) -> None:
    from pypdf import PdfReader

    from schakelpunt.monitor.periods import school_year_of

    _residents(world)
    advisor = client_for(world.users["municipal"])
    year = school_year_of(timezone.localdate())
    for code, kind, other in (
        (year.code, "Jaarrapportage", "Halfjaarrapportage"),
        (f"{year.code}-S1", "Halfjaarrapportage", "Jaarrapportage voor"),
    ):
        pdf = advisor.get(reverse("monitor:monitor"), {"periode": code, "formaat": "pdf"})
        cover = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert kind in cover and other not in cover, code
