"""The caseload: filters, sorting and counts, and only for people who may see support."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import (
    trajectory_change_tier,
    trajectory_open,
    trajectory_set_coordinator,
)


@pytest.fixture
def caseload_world(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    care, coach2 = world.users["care_l1"], world.users["coach2"]
    # Anna (t1): coordinated by care_l1, breedte, home, an overdue action, review next week.
    t1 = trajectory_open(actor=care, student=world.students["t1"], life_domains=["home"])
    t1 = trajectory_set_coordinator(
        actor=care, trajectory_id=t1.pk, coordinator=care, expected_version=t1.version
    )
    t1 = trajectory_change_tier(
        actor=care, trajectory_id=t1.pk, tier="breedte", reason="SMW", expected_version=t1.version
    )
    plan_save(
        actor=care,
        trajectory_id=t1.pk,
        expected_version=0,
        goals=[GoalInput("home", "Rust thuis")],
        actions=[ActionInput("Bellen", today - timedelta(days=3), owner=care)],
        review_on=today + timedelta(days=7),
    )
    # Bram (t2): coordinated by coach2, basis, finances, review in two months.
    t2 = trajectory_open(actor=coach2, student=world.students["t2"], life_domains=["finances"])
    t2 = trajectory_set_coordinator(
        actor=coach2, trajectory_id=t2.pk, coordinator=coach2, expected_version=t2.version
    )
    plan_save(
        actor=coach2,
        trajectory_id=t2.pk,
        expected_version=0,
        goals=[],
        actions=[ActionInput("Budget maken", today + timedelta(days=10), owner_name="de student")],
        review_on=today + timedelta(days=60),
    )
    return world


def names(response, world) -> set[str]:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    return {k for k, s in world.students.items() if f"/studenten/{s.pk}/" in body}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"t1", "t2"}),
        ("state=any", {"t1", "t2"}),
        ("state=signalled", {"t1", "t2"}),
        ("mine=on", {"t1"}),
        ("tier=breedte", {"t1"}),
        ("domain=finances", {"t2"}),
        ("domain=justice", set()),
        ("overdue=on", {"t1"}),
        ("review_soon=on", {"t1"}),
        ("state=active", set()),
    ],
)
def test_caseload_filters(caseload_world, query, expected):
    client = Client()
    client.force_login(caseload_world.users["care_l1"])
    response = client.get(f"/studenten/caseload/?{query}")
    assert response.status_code == 200
    assert names(response, caseload_world) == expected


def test_caseload_sorts_by_tier_both_ways(caseload_world):
    client = Client()
    client.force_login(caseload_world.users["care_l1"])
    anna, bram = caseload_world.students["t1"].sort_name, caseload_world.students["t2"].sort_name
    ascending = client.get("/studenten/caseload/?sorteer=zwaarte").content.decode()
    descending = client.get("/studenten/caseload/?sorteer=-zwaarte").content.decode()
    assert ascending.index(bram) < ascending.index(anna)  # basis before breedte
    assert descending.index(anna) < descending.index(bram)


def test_start_page_counts_link_to_the_caseload(caseload_world):
    client = Client()
    client.force_login(caseload_world.users["care_l1"])
    home = client.get("/").content.decode()
    for number, text in [
        (2, "lopende trajecten"),
        (1, "waarvan u regisseur bent"),
        (1, "met acties te laat"),
        (1, "evaluatie binnen 2 weken"),
    ]:
        assert f'<span class="big-number">{number}</span> {text}' in home


def test_attendance_officer_gets_no_support_information(caseload_world):
    client = Client()
    client.force_login(caseload_world.users["rmc"])
    response = client.get("/studenten/caseload/")
    assert names(response, caseload_world) == set()
    assert "Caseload" not in client.get("/").content.decode()
