"""The privacy officer's log pages refuse a date far outside the log's years with a clear
message and show nothing, instead of failing (9999-12-31 used to overflow the day's end)."""

import pytest

from tests.world import World, client_for

pytestmark = pytest.mark.django_db

PAGES = ["/privacy/toegangslog/", "/privacy/toegangslog/geweigerd/"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "query",
    [{"date_until": "9999-12-31"}, {"date_from": "0001-01-01"}, {"date_from": "1999-12-31"}],
)
def test_a_date_far_outside_the_log_gets_a_message_and_shows_nothing(
    world: World, page: str, query: dict[str, str]
) -> None:
    anna, bram = world.students["t1"], world.students["t2"]
    assert client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/").status_code == 200
    assert client_for(world.users["coach"]).get(f"/studenten/{bram.pk}/").status_code == 404
    officer = client_for(world.users["privacy"])
    # Without the date the page shows the coach's read or refusal.
    assert "coach@example.nl" in officer.get(page).content.decode()
    response = officer.get(page, {**query, "student_number": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kies een datum tussen 01-01-2000 en" in html
    assert "coach@example.nl" not in html
