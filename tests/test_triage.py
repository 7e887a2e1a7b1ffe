"""Concerns and the triage queue: raised by anyone who works with the student, handled by
the care team of the student's location, escalated after 5 school days without action."""

from datetime import date

import time_machine

from schakelpunt.notifications.models import Notification
from schakelpunt.signals.models import Concern, SchoolHoliday
from schakelpunt.signals.triage import escalate_stale_concerns
from schakelpunt.support.models import ContactNote
from tests.world import client_for


def raise_about_anna(world, who="coach", urgency="normal"):  # type: ignore[no-untyped-def]
    anna = world.students["t1"]
    client_for(world.users[who]).post(
        f"/triage/student/{anna.pk}/",
        {
            "text": "Anna oogt moe en zegt weinig.",
            "life_domains": ["mental_health"],
            "urgency": urgency,
        },
    )
    return Concern.objects.get(student=anna)


def told(world, text: str) -> set[str]:  # type: ignore[no-untyped-def]
    emails = Notification.objects.filter(message__contains=text).values_list(
        "recipient__email", flat=True
    )
    return {key for key, u in world.users.items() if u.email in set(emails)}


def test_a_concern_lands_with_the_care_team_of_the_students_location(world):
    concern = raise_about_anna(world, who="rmc", urgency="urgent")
    assert concern.life_domains == ["mental_health"]
    assert told(world, "Dringende zorgmelding") == {"care_l1", "schakel"}
    assert "Anna oogt moe" in client_for(world.users["care_l1"]).get("/triage/").content.decode()
    assert (
        "Anna oogt moe"
        not in client_for(world.users["advisor_l2"]).get("/triage/").content.decode()
    )
    assert (
        "Zorgmelding"
        in client_for(world.users["care_l1"])
        .get(f"/studenten/{world.students['t1'].pk}/")
        .content.decode()
    )  # in the timeline


def test_contacting_the_student_is_kept_and_reaches_the_student(world):
    concern = raise_about_anna(world)
    care = client_for(world.users["care_l1"])
    care.post(f"/triage/{concern.pk}/contact/", {"message": "Hoi Anna, we hebben je gemist!"})
    concern.refresh_from_db()
    assert concern.status == "in_progress" and concern.first_action_at is not None
    assert concern.handled_by == world.users["care_l1"]
    assert (
        ContactNote.objects.get(student=concern.student).summary == "Hoi Anna, we hebben je gemist!"
    )
    assert Notification.objects.filter(
        recipient=world.users["student"], message="Hoi Anna, we hebben je gemist!"
    ).exists()


def test_closing_needs_a_reason_and_removes_it_from_the_queue(world):
    concern = raise_about_anna(world)
    care = client_for(world.users["care_l1"])
    refused = care.post(f"/triage/{concern.pk}/afsluiten/", {"reason": " "}, follow=True)
    assert "Geef aan waarom er geen verdere actie nodig is." in refused.content.decode()
    care.post(f"/triage/{concern.pk}/afsluiten/", {"reason": "Besproken met mentor; gaat goed."})
    concern.refresh_from_db()
    assert concern.status == "closed"
    assert "Anna oogt moe" not in care.get("/triage/").content.decode()


def test_hand_over_only_within_the_care_team(world):
    concern = raise_about_anna(world)
    care = client_for(world.users["care_l1"])
    refused = care.post(
        f"/triage/{concern.pk}/overdragen/", {"to": world.users["advisor_l2"].pk}, follow=True
    )
    assert "zit niet in het zorgteam van deze student" in refused.content.decode()
    care.post(f"/triage/{concern.pk}/overdragen/", {"to": world.users["schakel"].pk})
    concern.refresh_from_db()
    assert concern.handled_by == world.users["schakel"]


def test_people_outside_the_care_team_cannot_act(world):
    concern = raise_about_anna(world)
    for who in ("rmc", "worker_p1", "advisor_l2", "student"):
        response = client_for(world.users[who]).post(
            f"/triage/{concern.pk}/afsluiten/", {"reason": "x"}
        )
        assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.status == "new"


def test_no_follow_up_within_5_school_days_goes_to_the_care_coordinator_once(world):
    roc = world.students["t1"].institution
    SchoolHoliday.objects.create(
        institution=roc, name="Herfst", start="2026-10-19", end="2026-10-23"
    )
    with time_machine.travel("2026-10-15 09:00 +0200"):  # a Thursday
        raise_about_anna(world)
    # Friday 16, (holiday week), Monday 26, Tuesday 27: three school days later, nothing yet.
    assert escalate_stale_concerns(today=date(2026, 10, 27)) == 0
    assert escalate_stale_concerns(today=date(2026, 10, 29)) == 1  # the fifth school day
    assert escalate_stale_concerns(today=date(2026, 10, 30)) == 0  # only once
    assert told(world, "ligt al 5 schooldagen stil") == {"care_l1"}  # the location's coordinator


def test_triage_queue_queries_do_not_grow_with_concerns(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schakelpunt.signals.triage import concern_raise

    care = client_for(world.users["care_l1"])
    concern_raise(actor=world.users["coach"], student=world.students["t1"], text="eerste")
    with CaptureQueriesContext(connection) as before:
        care.get("/triage/")
    for n in range(5):
        student = world.students["t1" if n % 2 else "t2"]
        concern_raise(actor=world.users["coach2"], student=student, text=f"zorg {n}")
    with CaptureQueriesContext(connection) as after:
        care.get("/triage/")
    assert len(after) == len(before)
