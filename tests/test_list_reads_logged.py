"""Lists and worklists that show more of a student than name and programme leave a trace:
one list event naming exactly the students on the page. The privacy officer finds it;
the student's own "who looked at my file" keeps showing only file and detail reads."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.models import Organisation
from schakelpunt.referrals.models import Referral, ReferralStatus
from schakelpunt.signals.triage import concern_raise
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import trajectory_open
from schakelpunt.transitions.models import HandoverRecord, MatchStatus, NonArrival
from schakelpunt.transitions.services import departure_record
from tests.world import World, client_for


def list_events(user_key: str, world: World) -> dict[object, dict[int, set[str]]]:
    """The list events written for a user: per event, the students and their parts."""
    events: dict[object, dict[int, set[str]]] = {}
    for event_id, student_id, part in AccessLogEntry.objects.filter(
        user=world.users[user_key], kind="list"
    ).values_list("event_id", "student_id", "part"):
        events.setdefault(event_id, {}).setdefault(student_id, set()).add(part)
    return events


def open_list(world: World, user_key: str, url: str) -> dict[int, set[str]]:
    """Open the page; exactly one list event is written, returned as student → parts."""
    before = set(list_events(user_key, world))
    response = client_for(world.users[user_key]).get(url)
    assert response.status_code == 200, url
    new = {k: v for k, v in list_events(user_key, world).items() if k not in before}
    assert len(new) == 1, f"{url}: {len(new)} list events"
    return next(iter(new.values()))


def ids(world: World, *keys: str) -> set[int]:
    return {world.students[k].pk for k in keys}


def anna_sees(world: World) -> int:
    """How many visits Anna's own "who looked at my file" lists."""
    anna = world.students["t1"]
    response = client_for(world.users["student"]).get(f"/studenten/{anna.pk}/inzage/")
    return len(response.context["visits"])


def privacy_officer_finds(world: World, user_key: str, student_key: str, path: str) -> None:
    privacy = client_for(world.users["privacy"])
    student_id = world.students[student_key].pk
    number = world.students[student_key].student_number
    page = privacy.get("/privacy/toegangslog/", {"student_number": number}).content.decode()
    # The page names who read and that it was a list; the address stays in the row (the page
    # shows no internal ids, which addresses hold).
    assert f"{user_key}@example.nl" in page and "in een lijst" in page
    event = AccessLogEntry.objects.filter(
        user=world.users[user_key], kind="list", student_id=student_id
    ).first()
    assert event is not None and event.path.split("?")[0] == path
    whole = privacy.get("/privacy/toegangslog/", {"event_id": str(event.event_id)})
    assert "U ziet één gebeurtenis" in whole.content.decode()
    shown = set(AccessLogEntry.objects.filter(event_id=event.event_id).values_list("student_id"))
    assert (
        whole.context["page"].paginator.count
        == AccessLogEntry.objects.filter(event_id=event.event_id).count()
    )
    assert shown


def test_api_student_list(world: World) -> None:
    before = anna_sees(world)
    shown = open_list(world, "care_l1", "/api/v1/students")
    assert shown == {pk: {"identity"} for pk in ids(world, "t1", "t2")}
    assert anna_sees(world) == before
    privacy_officer_finds(world, "care_l1", "t1", "/api/v1/students")


def test_api_referral_list(world: World) -> None:
    shown = open_list(world, "worker_p1", "/api/v1/referrals")
    # Chris's referral is accepted with consent: the list names him, a read of his identity.
    assert shown == {
        world.students["t2"].pk: {"referrals"},
        world.students["t3"].pk: {"referrals", "identity"},
    }


def test_absence_worklist(world: World) -> None:
    before = anna_sees(world)
    shown = open_list(world, "absence", reverse("signals:worklist"))
    assert shown == {world.students["t1"].pk: {"absence"}}
    assert anna_sees(world) == before
    privacy_officer_finds(world, "absence", "t1", reverse("signals:worklist"))


def test_rmc_list_is_a_list_event(world: World) -> None:
    shown = open_list(world, "rmc", reverse("signals:rmc_list"))
    assert shown == {world.students["early"].pk: {"identity", "enrolment"}}


def test_triage_queue(world: World) -> None:
    concern_raise(actor=world.users["coach"], student=world.students["t1"], text="Slaapt slecht")
    before = anna_sees(world)
    shown = open_list(world, "care_l1", reverse("triage:queue"))
    assert shown == {world.students["t1"].pk: {"support"}}
    assert anna_sees(world) == before
    privacy_officer_finds(world, "care_l1", "t1", reverse("triage:queue"))


def test_caseload(world: World) -> None:
    trajectory_open(actor=world.users["care_l1"], student=world.students["t1"])
    before = anna_sees(world)
    shown = open_list(world, "care_l1", reverse("students:caseload"))
    assert set(shown) == ids(world, "t1", "t2")
    assert all(parts == {"support"} for parts in shown.values())
    assert anna_sees(world) == before


def test_aftercare_worklist(world: World) -> None:
    departure_record(
        actor=world.users["care_l1"],
        student_id=world.students["t2"].pk,
        left_on=timezone.localdate() - timedelta(days=35),
        reason="dropout",
        destination="none",
        with_basic_qualification=False,
    )
    shown = open_list(world, "care_l1", reverse("transitions:aftercare"))
    assert shown == {world.students["t2"].pk: {"enrolment", "support"}}


def test_non_arrivals(world: World) -> None:
    NonArrival.objects.create(
        student=world.students["t1"], enrolled_on=date(2025, 9, 1), school_days=10
    )
    before = anna_sees(world)
    shown = open_list(world, "rmc", reverse("transitions:non_arrivals"))
    assert shown == {world.students["t1"].pk: {"contact", "enrolment", "absence"}}
    assert anna_sees(world) == before


def test_intake(world: World) -> None:
    anna, bram = world.students["t1"], world.students["t2"]
    common = {
        "institution": Organisation.objects.get(name="ROC Een"),
        "source_school": "Het Esch College",
        "school_type": "vmbo-k",
        "diploma_expected": "yes",
        "consent": True,
        "support_received": "Faalangsttraining",
    }
    HandoverRecord.objects.create(
        first_name=anna.first_name,
        last_name=anna.last_name,
        date_of_birth=anna.date_of_birth,
        student=anna,
        match_status=MatchStatus.MATCHED,
        **common,
    )
    HandoverRecord.objects.create(
        first_name="Bramje",
        last_name=bram.last_name,
        date_of_birth=bram.date_of_birth,
        match_status=MatchStatus.UNCERTAIN,
        candidates=[bram.pk],
        **common,
    )
    shown = open_list(world, "care_l1", reverse("intake:incoming"))
    assert shown == {anna.pk: {"enrolment", "support"}, bram.pk: {"identity"}}


@pytest.mark.parametrize("who", ["worker_p1", "care_l1"])
def test_referral_worklists_of_provider_and_school(world: World, who: str) -> None:
    shown = open_list(world, who, reverse("referrals:worklist"))
    expected = ids(world, "t2", "t3") if who == "worker_p1" else ids(world, "t2")
    assert shown == {pk: {"referrals"} for pk in expected}


def test_my_actions(world: World) -> None:
    trajectory = trajectory_open(actor=world.users["care_l1"], student=world.students["t1"])
    plan_save(
        actor=world.users["care_l1"],
        trajectory_id=trajectory.pk,
        expected_version=0,
        goals=[GoalInput("education", "Op tijd komen")],
        actions=[ActionInput("Bellen met thuis", timezone.localdate(), owner=world.users["coach"])],
    )
    shown = open_list(world, "coach", reverse("core:my_actions"))
    assert shown == {world.students["t1"].pk: {"support"}}


def test_an_empty_list_writes_nothing_and_the_plain_student_list_is_not_logged(world):
    client_for(world.users["worker_p2"]).get(reverse("referrals:worklist"))
    client_for(world.users["care_l1"]).get(reverse("students:list"))
    assert not AccessLogEntry.objects.exists()


def test_overdue_referrals_named_on_the_start_page(world: World) -> None:
    Referral.objects.filter(student=world.students["t2"]).update(
        status=ReferralStatus.ACCEPTED, first_contact_due=timezone.localdate() - timedelta(days=3)
    )
    shown = open_list(world, "care_l1", "/")
    assert shown == {world.students["t2"].pk: {"referrals"}}
