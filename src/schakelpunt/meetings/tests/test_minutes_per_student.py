"""The minutes of a case meeting are kept per student on the agenda: each participant reads
only the minutes about students whose support they may see, the student their own, and
every read of a student's minutes is in the access log."""

import importlib
from datetime import timedelta

from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.meetings.models import AgendaItem, Meeting, MeetingKind
from schakelpunt.meetings.services import (
    MeetingInput,
    item_add,
    meeting_plan,
    participant_add,
)


def _meeting_about(world: World, chair: str, first: str, second: str) -> Meeting:
    meeting = meeting_plan(
        actor=world.users[chair],
        details=MeetingInput(
            kind=MeetingKind.CARE_TEAM,
            title="Zorgteamoverleg",
            starts_at=timezone.now() - timedelta(hours=1),  # held: its minutes may be approved
            duration_minutes=60,
            place="Spreekkamer",
            chair=world.users[chair],
        ),
        student=world.students[first],
        question="Hoe gaat het op stage?",
    )
    item_add(
        actor=world.users[chair],
        meeting_id=meeting.pk,
        student=world.students[second],
        question="Hoe gaat het thuis?",
    )
    return meeting


def _write_and_approve(world: World, chair: str, meeting: Meeting, texts: dict[str, str]) -> None:
    client = client_for(world.users[chair])
    url = reverse("meetings:post", args=[meeting.pk])
    minutes = {
        f"minutes-{item.pk}": texts[key]
        for key, student in world.students.items()
        if key in texts
        for item in meeting.items.filter(student=student)
    }
    client.post(
        url,
        {"do": "notes", "version": meeting.version, "notes": texts.get("general", ""), **minutes},
    )
    client.post(url, {"do": "approve"})


def test_a_participant_reads_only_the_minutes_about_students_they_may_see(
    world: World,
) -> None:
    # Chris: provider 1 has consent for his support. Dewi: provider 1 may not see her.
    meeting = _meeting_about(world, "advisor_l2", "t3", "early")
    participant_add(
        actor=world.users["advisor_l2"], meeting_id=meeting.pk, user=world.users["worker_p1"]
    )
    _write_and_approve(
        world,
        "advisor_l2",
        meeting,
        {
            "t3": "Chris is weer begonnen op zijn stage.",
            "early": "Dewi heeft schulden; budgetcoach ingeschakeld.",
            "general": "Volgende keer de nieuwe werkwijze bespreken; Dewi komt dan terug.",
        },
    )
    url = reverse("meetings:detail", args=[meeting.pk])
    html = client_for(world.users["worker_p1"]).get(url).content.decode()
    # The general part is for those who may see every student on the agenda.
    assert "nieuwe werkwijze" not in html and "Dewi" not in html
    assert "schulden" not in html and "budgetcoach" not in html
    assert "Chris is weer begonnen op zijn stage." in html
    chris_item = meeting.items.get(student=world.students["t3"])
    read = AccessLogEntry.objects.filter(
        user=world.users["worker_p1"], path=f"{url}#verslag-{chris_item.pk}"
    )
    assert [(e.student_id, e.part) for e in read] == [(world.students["t3"].pk, "support")]
    # The care team that ran it reads everything.
    school = client_for(world.users["advisor_l2"]).get(url).content.decode()
    for text in ("weer begonnen", "budgetcoach", "nieuwe werkwijze"):
        assert text in school


def test_the_student_reads_the_minutes_about_themselves_only(world: World) -> None:
    meeting = _meeting_about(world, "care_l1", "t1", "t2")  # Anna (has an account) and Bram
    _write_and_approve(
        world,
        "care_l1",
        meeting,
        {"t1": "Anna wil zelf met haar coach plannen.", "t2": "Bram verhuist naar Hengelo."},
    )
    html = (
        client_for(world.users["student"])
        .get(reverse("meetings:detail", args=[meeting.pk]))
        .content.decode()
    )
    assert "Anna wil zelf met haar coach plannen." in html
    assert "verhuist" not in html and "Bram" not in html


def test_existing_minutes_of_a_meeting_about_one_student_move_to_that_student(
    refdata: None,
) -> None:
    migration = importlib.import_module(
        "schakelpunt.meetings.migrations.0002_minutes_per_agenda_item"
    )
    from schakelpunt.accounts.tests.factories import UserFactory
    from schakelpunt.students.tests.factories import StudentFactory

    chair = UserFactory()
    one, two, three = StudentFactory(), StudentFactory(), StudentFactory()

    def meeting(notes: str, *students) -> Meeting:  # type: ignore[no-untyped-def]
        m = Meeting.objects.create(
            institution=one.institution,
            kind=MeetingKind.MDO,
            title="Overleg",
            starts_at=timezone.now(),
            chair=chair,
            notes=notes,
        )
        for s in students:
            AgendaItem.objects.create(meeting=m, student=s, question="?")
        return m

    single = meeting("Alles over één student.", one)
    several = meeting("Over twee studenten.", two, three)
    migration.move_minutes_to_the_single_item(apps, None)
    single.refresh_from_db()
    several.refresh_from_db()
    assert single.notes == "" and single.items.get().minutes == "Alles over één student."
    assert several.notes == "Over twee studenten."
    assert not several.items.exclude(minutes="").exists()
