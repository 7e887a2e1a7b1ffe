"""Students who live in one RMC region and study in another (issue 20, many regions in one
install). Leerplicht and RMC follow residence: the officer of the region (or municipality)
where the student lives sees them, the officer of the school's region does not; the school
reports to the residence municipality (Leerplichtwet 1969 art. 21 and 21b, WEB art. 8.3.2).
Checked on the policy, the file page, the API, the work lists, their filters and the CSV."""

import csv
import io

import pytest

from schakelpunt.access.policy import students_for_follow_up, students_for_user
from schakelpunt.accounts.tests.factories import municipality
from tests.world import VISIBLE, VISIBLE_ACROSS, World, add_second_region, client_for

ACROSS = ("commuter", "incomer")


@pytest.fixture
def regions(world: World) -> World:
    add_second_region(world)
    return world


def _seen(world: World, ids: set[int]) -> set[str]:
    return {k for k, s in world.students.items() if s.pk in ids}


@pytest.mark.parametrize("who", sorted(VISIBLE_ACROSS))
def test_policy_follows_residence_across_regions(regions, who):
    ids = set(students_for_user(regions.users[who]).values_list("pk", flat=True))
    # The second region adds the border crossers and changes nothing for the first.
    assert _seen(regions, ids) == VISIBLE.get(who, set()) | VISIBLE_ACROSS[who]


@pytest.mark.parametrize("who", sorted(VISIBLE_ACROSS))
def test_file_page_and_api_follow_residence_across_regions(regions, who):
    client = client_for(regions.users[who])
    for key in ACROSS:
        student = regions.students[key]
        expected = 200 if key in VISIBLE_ACROSS[who] else 404
        assert client.get(f"/studenten/{student.pk}/").status_code == expected, key
        assert client.get(f"/api/v1/students/{student.pk}").status_code == expected, key
    listed = client.get("/api/v1/students")
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert _seen(regions, ids) & set(ACROSS) == VISIBLE_ACROSS[who]


def test_follow_up_is_for_the_residence_officers_only(regions):
    def follow(who: str) -> set[str]:
        ids = set(students_for_follow_up(regions.users[who]).values_list("pk", flat=True))
        return _seen(regions, ids) & set(ACROSS)

    assert follow("rmc") == {"incomer"}
    assert follow("rmc_b") == {"commuter"}
    assert follow("leerplicht_b") == {"commuter"}
    assert follow("absence") == set()  # the school's coordinator follows up nothing here


def _page(world: World, who: str, url: str, **params: object) -> str:
    response = client_for(world.users[who]).get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _numbers(world: World, text: str) -> set[str]:
    return {k for k in ACROSS if world.students[k].student_number in text}


def test_reports_list_shows_the_commuter_to_his_home_region_not_his_schools(regions):
    assert _numbers(regions, _page(regions, "rmc_b", "/verzuim/")) == {"commuter"}
    assert _numbers(regions, _page(regions, "leerplicht_b", "/verzuim/")) == {"commuter"}
    twente = _page(regions, "rmc", "/verzuim/")
    assert _numbers(regions, twente) == set()
    # Filtering the Twente list on his school or his municipality does not bring him in.
    school = regions.students["commuter"].institution_id
    assert _numbers(regions, _page(regions, "rmc", "/verzuim/", school=school)) == set()
    zwolle = municipality("GM0193").pk
    assert _numbers(regions, _page(regions, "rmc", "/verzuim/", gemeente=zwolle)) == set()
    assert _numbers(regions, _page(regions, "rmc", "/verzuim/", q="Henk")) == set()


def test_rmc_list_shows_the_incomer_to_her_home_region_not_her_schools(regions):
    assert _numbers(regions, _page(regions, "rmc", "/verzuim/rmc-lijst/")) == {"incomer"}
    assert _numbers(regions, _page(regions, "rmc_b", "/verzuim/rmc-lijst/")) == set()
    school = regions.students["incomer"].institution_id
    on_school = _page(regions, "rmc_b", "/verzuim/rmc-lijst/", school=school, q="Ilse")
    assert _numbers(regions, on_school) == set()


def _csv(world: World, who: str) -> str:
    response = client_for(world.users[who]).get("/verzuim/export.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return "\n".join(";".join(row) for row in csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_export_follows_residence_across_regions(regions):
    assert _numbers(regions, _csv(regions, "rmc_b")) == {"commuter"}
    assert _numbers(regions, _csv(regions, "leerplicht_b")) == {"commuter"}
    assert _numbers(regions, _csv(regions, "rmc")) == set()
