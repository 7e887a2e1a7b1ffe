"""No response with personal data may be kept by a browser or proxy (Cache-Control: no-store)."""

import pytest
from django.test import Client
from django.urls import reverse
from tests.test_plan_pdf import make_plan
from tests.world import World, client_for


def _not_stored(response) -> None:  # type: ignore[no-untyped-def]
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= cache_control, response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("care_l1", "students:list"),
        ("care_l1", "students:export"),
        ("care_l1", "signals:export"),
        ("care_l1", "referrals:worklist"),
        ("privacy", "access:log_search"),
        ("student", "notifications:inbox"),
        ("municipal", "monitor:monitor"),
    ],
)
def test_pages_and_exports_are_not_stored(world: World, who: str, url: str) -> None:
    response = client_for(world.users[who]).get(reverse(url))
    assert response.status_code == 200
    _not_stored(response)


def test_the_file_the_plan_pdf_the_api_and_the_monitor_excel_are_not_stored(world: World) -> None:
    anna = make_plan(world)
    care = client_for(world.users["care_l1"])
    for url in (
        reverse("students:detail", args=[anna.pk]),
        reverse("support:plan", args=[anna.pk]),
        reverse("support:plan_pdf", args=[anna.pk]),
        "/api/v1/students",
        f"/api/v1/students/{anna.pk}",
        "/api/v1/referrals",
    ):
        response = care.get(url)
        assert response.status_code == 200, url
        _not_stored(response)
    excel = client_for(world.users["municipal"]).get(
        reverse("monitor:monitor"), {"formaat": "xlsx"}
    )
    assert excel.status_code == 200
    _not_stored(excel)
    # A refusal and the login page are not stored either.
    refused = client_for(world.users["coach"]).get(reverse("students:detail", args=[99999]))
    _not_stored(refused)
    _not_stored(Client().get(reverse("accounts:login")))


def test_static_files_keep_their_own_caching(db) -> None:
    response = Client().get("/static/css/schakelpunt.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
