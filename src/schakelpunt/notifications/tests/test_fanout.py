"""Everyone involved hears when support starts, changes or stops; nobody else does."""

from django.core import mail
from django.test import Client

from schakelpunt.notifications.models import Notification
from schakelpunt.support.models import Tier, TrajectoryState
from schakelpunt.support.services import (
    support_team_add,
    support_team_remove,
    trajectory_change_tier,
    trajectory_move,
    trajectory_open,
    trajectory_set_coordinator,
)


def recipients(world) -> set[str]:  # type: ignore[no-untyped-def]
    emails = Notification.objects.values_list("recipient__email", flat=True)
    names = {u.email: key for key, u in world.users.items()}
    return {names[e] for e in emails}


def test_opening_reaches_the_coach_team_and_student_but_not_the_actor(world):
    trajectory_open(actor=world.users["coach"], student=world.students["t1"])
    # Anna's coach opened it; her support team (coach2) and Anna hear. The expired coach doesn't.
    assert recipients(world) == {"coach2", "student"}
    to_student = Notification.objects.get(recipient=world.users["student"])
    assert to_student.message == "Je krijgt nu extra hulp van school."
    to_staff = Notification.objects.get(recipient=world.users["coach2"])
    assert "ondersteuningstraject geopend (Basis (coach))" in to_staff.message


def test_tier_change_and_closing_reach_the_coordinator_too(world):
    t = trajectory_open(actor=world.users["coach"], student=world.students["t1"])
    t = trajectory_set_coordinator(
        actor=world.users["coach"],
        trajectory_id=t.pk,
        coordinator=world.users["care_l1"],
        expected_version=t.version,
    )
    Notification.objects.all().delete()
    t = trajectory_change_tier(
        actor=world.users["coach"],
        trajectory_id=t.pk,
        tier=Tier.BREEDTE,
        reason="SMW erbij",
        expected_version=t.version,
    )
    assert recipients(world) == {"coach2", "care_l1", "student"}
    assert (
        "opgeschaald naar Breedte"
        in Notification.objects.filter(recipient=world.users["care_l1"]).get().message
    )
    Notification.objects.all().delete()
    trajectory_move(
        actor=world.users["care_l1"],
        trajectory_id=t.pk,
        to_state=TrajectoryState.CLOSED,
        expected_version=t.version,
        close_reason="goal_reached",
    )
    assert recipients(world) == {"coach", "coach2", "student"}
    assert Notification.objects.get(recipient=world.users["student"]).message == (
        "Je extra hulp van school is klaar."
    )


def test_joining_and_leaving_the_team_is_told_to_everyone_including_that_person(world):
    student = world.students["t1"]
    member = support_team_add(
        actor=world.users["care_l1"],
        student=student,
        member=world.users["advisor_l2"],
        role_description="Schoolmaatschappelijk werk",
    )
    assert recipients(world) == {"coach", "coach2", "advisor_l2", "student"}
    Notification.objects.all().delete()
    support_team_remove(actor=world.users["care_l1"], member_id=member.pk)
    assert recipients(world) == {"coach", "coach2", "advisor_l2", "student"}
    assert (
        "zit niet meer in je team"
        in Notification.objects.get(recipient=world.users["student"]).message
    )


def test_only_people_who_opted_in_get_an_email_and_only_after_commit(
    world, django_capture_on_commit_callbacks
):
    coach2 = world.users["coach2"]
    coach2.email_notifications = True
    coach2.save()
    with django_capture_on_commit_callbacks(execute=True):
        trajectory_open(actor=world.users["coach"], student=world.students["t1"])
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [[coach2.email]]
    assert "ondersteuningstraject geopend" in mail.outbox[0].subject


def test_inbox_shows_unread_and_marks_read(world):
    trajectory_open(actor=world.users["coach"], student=world.students["t1"])
    client = Client()
    client.force_login(world.users["student"])
    home = client.get("/").content.decode()
    assert "Meldingen (1 nieuw)" in home
    inbox = client.get("/meldingen/").content.decode()
    assert "Je krijgt nu extra hulp van school." in inbox
    client.post("/meldingen/gelezen/")
    assert "Meldingen (1 nieuw)" not in client.get("/").content.decode()
    # Nobody reads someone else's notifications.
    other = Client()
    other.force_login(world.users["care_l1"])
    assert "voor je gestart" not in other.get("/meldingen/").content.decode()


def test_a_person_turns_email_notifications_on_and_off(world):
    client = Client()
    client.force_login(world.users["coach2"])
    client.post("/account/", {"email_notifications": "on"})
    world.users["coach2"].refresh_from_db()
    assert world.users["coach2"].email_notifications is True
    page = client.post("/account/", {}, follow=True).content.decode()
    assert "alleen nog in Schakelpunt" in page
    world.users["coach2"].refresh_from_db()
    assert world.users["coach2"].email_notifications is False
