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
