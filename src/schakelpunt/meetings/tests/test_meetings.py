"""Case meetings: plan, invite, the need-to-know sheet, decisions into the plan, minutes."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from tests.world import World, client_for

from schakelpunt.meetings.models import Decision, MeetingKind, MeetingStatus, Participant
from schakelpunt.meetings.services import (
    ActionInput,
    MeetingInput,
    decision_add,
    meeting_plan,
    minutes_approve,
    parent_invite,
    participant_add,
    reminders_send,
)
from schakelpunt.notifications.models import Notification
from schakelpunt.students.models import Guardian
from schakelpunt.students.tests.factories import born_years_ago
from schakelpunt.support.models import PlanAction
from schakelpunt.support.services import trajectory_open


def _meeting(  # type: ignore[no-untyped-def]
    world: World,
    student: str = "t3",
    who: str = "advisor_l2",
    starts_in: timedelta = timedelta(days=2),
    **extra,
):
    chair = world.users[who]
    return meeting_plan(
        actor=chair,
        details=MeetingInput(
            kind=MeetingKind.MDO,
            title=extra.pop("title", "MDO stage"),
            starts_at=timezone.now() + starts_in,
            duration_minutes=60,
            place="Lokaal 2.14",
            chair=chair,
        ),
        student=world.students[student],
        question="Chris komt niet meer op stage; hoe nu verder?",
        **extra,
    )


def test_each_participant_sees_only_what_they_may_see(world: World) -> None:
    chris = world.students["t3"]  # location L2; provider 1 has consent for contact and support
    trajectory_open(actor=world.users["advisor_l2"], student=chris, life_domains=["work"])
    meeting = _meeting(world)
    participant_add(
        actor=world.users["advisor_l2"], meeting_id=meeting.pk, user=world.users["worker_p1"]
    )
    participant_add(
        actor=world.users["advisor_l2"], meeting_id=meeting.pk, user=world.users["worker_p2"]
    )
    url = reverse("meetings:detail", args=[meeting.pk])
    consented = client_for(world.users["worker_p1"]).get(url).content.decode()
    assert "Chris" in consented and "komt niet meer op stage" in consented
    assert "Besluit vastleggen" not in consented  # runs nothing
    # Provider 2 has no referral and no consent: invited, but sees no student data at all.
    other = client_for(world.users["worker_p2"]).get(url).content.decode()
    assert "Chris" not in other and "komt niet meer op stage" not in other
    assert "over wie u geen gegevens ziet" in other
    # Not invited and not the care team: the meeting does not exist for them.
    assert client_for(world.users["coach"]).get(url).status_code == 404


def test_the_consented_parts_bound_the_sheet(world: World) -> None:
    from schakelpunt.referrals.models import Consent

    chris = world.students["t3"]
    Consent.objects.filter(student=chris).update(parts=["contact"])  # no support shared
    meeting = _meeting(world)
    participant_add(
        actor=world.users["advisor_l2"], meeting_id=meeting.pk, user=world.users["worker_p1"]
    )
    html = (
        client_for(world.users["worker_p1"])
        .get(reverse("meetings:detail", args=[meeting.pk]))
        .content.decode()
    )
    assert "Chris" in html and "komt niet meer op stage" not in html
    assert "de rest deelt de school alleen met toestemming" in html


def test_the_student_is_invited_by_default_and_sees_only_their_own_item(world: World) -> None:
    anna = world.students["t1"]  # has an account
    meeting = _meeting(world, student="t1", who="care_l1")
    assert meeting.participants.filter(user=anna.user, kind="student").exists()
    from schakelpunt.meetings.services import item_add

    item_add(
        actor=world.users["care_l1"],
        meeting_id=meeting.pk,
        student=world.students["t2"],
        question="Bram?",
    )
    html = client_for(anna.user).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Anna" in html and "Bram" not in html
    no_student = _meeting(world, student="t1", who="care_l1", invite_student=False)
    assert not no_student.participants.filter(kind="student").exists()


def test_a_decision_with_an_action_lands_in_the_plan_and_the_owners_list(world: World) -> None:
    chris = world.students["t3"]
    trajectory_open(actor=world.users["advisor_l2"], student=chris)
    meeting = _meeting(world, starts_in=-timedelta(minutes=30))  # decided in the meeting
    item = meeting.items.get()
    decision_add(
        actor=world.users["advisor_l2"],
        item_id=item.pk,
        text="Stage tijdelijk stoppen, eerst hulp bij somberheid.",
        action=ActionInput(
            "Intake jongeren-ggz regelen",
            timezone.localdate() + timedelta(7),
            owner=world.users["schakel"],
        ),
    )
    action = PlanAction.objects.get(description="Intake jongeren-ggz regelen")
    assert action.plan.trajectory.student == chris and action.owner == world.users["schakel"]
    assert Decision.objects.get().action == action
    assert (
        "Intake jongeren-ggz regelen"
        in client_for(world.users["schakel"]).get("/acties/").content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert Notification.objects.filter(recipient=world.users["schakel"], url="/acties/").exists()


def test_minutes_are_approved_by_the_chair_and_then_shared(world: World) -> None:
    chris = world.students["t3"]
    trajectory_open(actor=world.users["advisor_l2"], student=chris)
    meeting = _meeting(world, starts_in=-timedelta(hours=1))
    participant_add(
        actor=world.users["advisor_l2"], meeting_id=meeting.pk, user=world.users["worker_p1"]
    )
    decision_add(
        actor=world.users["advisor_l2"], item_id=meeting.items.get().pk, text="Gesprek met ouders"
    )
    url = reverse("meetings:detail", args=[meeting.pk])
    worker = client_for(world.users["worker_p1"])
    assert "Gesprek met ouders" not in worker.get(url).content.decode()  # a draft
    with pytest.raises(PermissionDenied):
        minutes_approve(actor=world.users["schakel"], meeting_id=meeting.pk)  # not the chair
    minutes_approve(actor=world.users["advisor_l2"], meeting_id=meeting.pk)
    assert "Gesprek met ouders" in worker.get(url).content.decode()
    with pytest.raises(ValidationError):
        decision_add(
            actor=world.users["advisor_l2"], item_id=meeting.items.get().pk, text="Te laat"
        )


def test_invitations_carry_an_ics_and_reminders_go_once(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _meeting(world)
    invitation = next(m for m in mail.outbox if world.users["advisor_l2"].email in m.to)
    name, content, kind = invitation.attachments[0]
    assert (name, kind) == ("uitnodiging.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == "MDO stage" and str(event["location"]) == "Lokaal 2.14"
    assert "Chris" not in str(content)  # no student data leaves in the calendar
    later = timezone.now() + timedelta(days=1, hours=1)
    assert reminders_send(later) == 1
    assert reminders_send(later) == 0


def test_parents_from_18_only_with_the_students_consent(world: World) -> None:
    chris = world.students["t3"]
    chris.date_of_birth = born_years_ago(19)
    chris.save()
    mother = Guardian.objects.create(
        student=chris, name="Ria", relation="parent", student_consents=False
    )
    meeting = _meeting(world)
    with pytest.raises(ValidationError, match="toestemming"):
        parent_invite(actor=world.users["advisor_l2"], meeting_id=meeting.pk, guardian_id=mother.pk)
    Guardian.objects.filter(pk=mother.pk).update(student_consents=True)
    parent_invite(actor=world.users["advisor_l2"], meeting_id=meeting.pk, guardian_id=mother.pk)
    assert Participant.objects.filter(meeting=meeting, guardian=mother, kind="parent").exists()


def test_the_invitation_says_the_day_in_dutch_words(world: World) -> None:
    """'10 december 2026, 14:00', as people write it; not 10-12-2026 or an ISO date."""
    from django.utils.formats import date_format

    from schakelpunt.meetings.services import participant_add

    meeting = _meeting(world)
    participant_add(
        actor=world.users["advisor_l2"], meeting_id=meeting.pk, user=world.users["schakel"]
    )
    note = Notification.objects.filter(recipient=world.users["schakel"]).latest("pk")
    day = date_format(timezone.localtime(meeting.starts_at), "j F Y, H:i")
    assert f"op {day}." in note.message
    assert timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y") not in note.message


def test_a_title_naming_a_student_on_the_agenda_is_refused(world: World) -> None:
    """The title reaches every participant's invitation and calendar: no student's name."""
    from schakelpunt.meetings.models import Meeting
    from schakelpunt.meetings.services import item_add

    chris = world.students["t3"]
    with pytest.raises(ValidationError, match="Zet geen naam van een student in de titel"):
        _meeting(world, title=f"MDO {chris.first_name.upper()}")
    with pytest.raises(ValidationError, match="Zet geen naam van een student in de titel"):
        _meeting(world, title=f"Stage {chris.last_name}")
    assert not Meeting.objects.exists()
    meeting = _meeting(world)  # "MDO stage"
    early = world.students["early"]
    meeting.title = f"Zorgteam en {early.first_name}"
    meeting.save(update_fields=["title"])
    with pytest.raises(ValidationError, match="Zet geen naam"):
        item_add(
            actor=world.users["advisor_l2"], meeting_id=meeting.pk, student=early, question="?"
        )
    assert meeting.items.count() == 1
