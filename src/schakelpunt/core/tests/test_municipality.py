"""The municipal advisor's page: students living in the municipality, as counts only."""

from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.accounts.models import Programme
from schakelpunt.accounts.tests.factories import municipality
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
    assert "Enschede: 7 studenten" in html
    # ROC Twee has 1: hidden; and ROC Een's 6 too, or 7 - 6 would tell.
    assert '<th scope="row">ROC Een</th><td class="num">&lt;5</td>' in html
    assert '<th scope="row">ROC Twee</th><td class="num">&lt;5</td>' in html
    assert '<td class="num">1</td>' not in html and '<td class="num">6</td>' not in html
    assert "Geheim" not in html


def test_only_the_municipal_advisor_sees_it(world: World) -> None:
    for who in ("coach", "care_l1", "worker_p1", "governance"):
        assert client_for(world.users[who]).get(reverse("core:municipality")).status_code == 404
