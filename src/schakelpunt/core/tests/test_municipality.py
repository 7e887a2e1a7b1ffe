"""The municipal advisor's page: students living in the municipality, as counts only."""

import re

from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.accounts.models import Programme
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.monitor.suppression import MAX_NOISE
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory, born_years_ago


def test_counts_by_school_and_age_with_small_numbers_hidden(world: World) -> None:
    enschede = municipality("GM0153")
    Student.objects.update(residence_municipality=municipality("GM0141"))
    one = Programme.objects.filter(team__location__institution__name="ROC Een").first()
    two = Programme.objects.filter(team__location__institution__name="ROC Twee").first()
    for age in (16, 17, 17, 19, 20, 24):
        StudentFactory(
            programme=one,
            residence_municipality=enschede,
            date_of_birth=born_years_ago(age),
            last_name="Geheim",
        )
    StudentFactory(programme=two, residence_municipality=enschede, last_name="Geheim")
    page = client_for(world.users["municipal"]).get(reverse("core:municipality"))
    html = page.content.decode()
    # Published counts (decision 0020): near the truth, never 1–4, adding up, so that the
    # total minus ROC Een gives ROC Twee's published count, not its true 1.
    total = re.search(r"Enschede: (\S+) studenten", html)
    een = re.search(r'<th scope="row">ROC Een</th><td class="num">([^<]+)</td>', html)
    twee = re.search(r'<th scope="row">ROC Twee</th><td class="num">([^<]+)</td>', html)
    assert total and een and twee
    cells = [*re.findall(r'<td class="num">([^<]+)</td>', html), total.group(1)]
    assert not {"1", "2", "3", "4"} & set(cells)
    if total.group(1).isdigit() and een.group(1).isdigit() and twee.group(1).isdigit():
        assert int(een.group(1)) + int(twee.group(1)) == int(total.group(1))
    if een.group(1).isdigit():
        assert abs(int(een.group(1)) - 6) <= MAX_NOISE
    assert "Geheim" not in html


def test_only_the_municipal_advisor_sees_it(world: World) -> None:
    for who in ("coach", "care_l1", "worker_p1", "governance"):
        assert client_for(world.users[who]).get(reverse("core:municipality")).status_code == 404


def test_the_overview_and_the_monitor_count_the_same_students(world: World) -> None:
    """Issue 16: the overview counted 4,766 Enschede students, the monitor 4,885 for the same
    year (the overview left out who left during the school year). One definition now: living
    in the municipality and enrolled on at least one day of the running school year."""
    from datetime import timedelta

    from django.utils import timezone

    from schakelpunt.monitor.periods import school_year_of

    enschede = municipality("GM0153")
    Student.objects.update(residence_municipality=municipality("GM0141"))
    one = Programme.objects.filter(team__location__institution__name="ROC Een").first()
    today = timezone.localdate()
    year = school_year_of(today)
    left_this_year = year.start + (today - year.start) / 2
    for i in range(30):
        StudentFactory(
            programme=one,
            residence_municipality=enschede,
            enrolled_on=year.start - timedelta(days=400),
            left_on=left_this_year if i >= 20 else None,
        )
    for _i in range(5):  # left before this school year: counted by neither
        StudentFactory(
            programme=one,
            residence_municipality=enschede,
            enrolled_on=year.start - timedelta(days=700),
            left_on=year.start - timedelta(days=30),
        )
    advisor = client_for(world.users["municipal"])
    overview = advisor.get(reverse("core:municipality")).content.decode()
    total = re.search(r"Enschede: (\d+) studenten", overview)
    assert total and f"Schooljaar {year.code}" in overview
    monitor = advisor.get(reverse("monitor:monitor"), {"periode": year.code}).content.decode()
    tile = re.search(
        r'Ingeschreven studenten</span> <strong class="tile-value">(\d+)</strong>', monitor
    )
    assert tile
    assert total.group(1) == tile.group(1)
    assert abs(int(total.group(1)) - 30) <= MAX_NOISE  # one programme: one atom
    # The start page's levels are of the same students and the same school year.
    home = advisor.get("/").content.decode()
    assert f"Enschede, schooljaar {year.code}" in home
