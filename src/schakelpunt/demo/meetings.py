"""Demo case meetings: held ones with minutes, decisions and actions in the plans, and
upcoming ones with their invitations (also for the demo student)."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from schakelpunt.accounts.models import User
from schakelpunt.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participant,
    ParticipantKind,
)
from schakelpunt.referrals.models import REFERRAL_ACTIVE_STATUSES
from schakelpunt.students.models import Student
from schakelpunt.support.models import Trajectory, TrajectoryState
from schakelpunt.support.plans import plan_action_add

from .schooldays import school_day_near

QUESTIONS = [
    "Stage loopt vast en het verzuim stijgt; wie doet wat?",
    "Thuis is het onrustig; is er een plek om te leren en wie helpt het gezin?",
    "Geldzorgen houden de student van school; wat is de volgende stap?",
    "De student wil stoppen; wat is nodig om de opleiding af te maken?",
]
DECISIONS = [
    (
        "Wekelijks kort contact met de coach; stageplek houden.",
        "Gesprek met stagebegeleider plannen",
    ),
    ("Aanmelden bij het wijkteam voor gezinsondersteuning.", "Wijkteam bellen voor aanmelding"),
    (
        "Budgetcoach inschakelen; schoolkosten tijdelijk uitstellen.",
        "Aanvraag schoolkostenregeling indienen",
    ),
    ("Rooster tijdelijk aanpassen: alleen ochtenden.", "Aangepast rooster afstemmen met het team"),
]


def _participant(meeting: Meeting, user: User, kind: str, role: str, attendance: str) -> None:
    Participant.objects.get_or_create(
        meeting=meeting,
        user=user,
        defaults={
            "name": str(user),
            "email": user.email,
            "kind": kind,
            "role_description": role,
            "attendance": attendance,
        },
    )


def build_meetings(
    *,
    rng: random.Random,
    today: date,
    care: dict[int, tuple[User, User]],
    workers: dict[int, User],
    own: Student,
    location_id: int,
) -> int:
    """About a dozen meetings at the demo care coordinator's location; returns the count."""
    trajectories = list(
        Trajectory.objects.filter(
            student__location_id=location_id, coordinator__isnull=False, student__left_on=None
        )
        .exclude(state=TrajectoryState.CLOSED)
        .select_related("student__user")
        .order_by("pk")[:12]
    )
    own_trajectory = (
        Trajectory.objects.filter(student=own).exclude(state=TrajectoryState.CLOSED).first()
    )
    if own_trajectory is not None and own_trajectory not in trajectories:
        trajectories.insert(0, own_trajectory)
    count = 0
    for i, trajectory in enumerate(trajectories):
        student = trajectory.student
        chair, advisor = care[student.location_id]
        held = i % 2 == 1
        near = today + (
            -timedelta(days=rng.randrange(3, 40)) if held else timedelta(days=rng.randrange(1, 14))
        )
        day = (
            school_day_near(near, latest=today - timedelta(days=1))
            if held
            else school_day_near(near, earliest=today + timedelta(days=1))
        )
        # During school hours, on the hour or the half hour.
        starts = timezone.make_aware(datetime.combine(day, time(9 + i % 6, 30 if i % 2 else 0)))
        meeting = Meeting.objects.create(
            institution_id=student.institution_id,
            kind=rng.choice([MeetingKind.MDO, MeetingKind.CASE]),
            title=str(MeetingKind.MDO.label) if i % 3 else "Casusoverleg",
            starts_at=starts,
            place=rng.choice(
                ["Lokaal 1.12", "Spreekkamer zorgteam", "Teams (videolink in de agenda)"]
            ),
            chair=chair,
            created_by=chair,
            created_at=starts - timedelta(days=7),
            status=(MeetingStatus.APPROVED if i % 4 == 1 else MeetingStatus.HELD)
            if held
            else MeetingStatus.PLANNED,
            approved_at=starts + timedelta(days=1) if held and i % 4 == 1 else None,
        )
        item = AgendaItem.objects.create(
            meeting=meeting,
            student=student,
            question=rng.choice(QUESTIONS),
            student_view="Ik wil het zelf graag oplossen, maar heb hulp nodig met plannen."
            if held
            else "",
            minutes="Goed gesprek; de student was zelf aan het woord over wat helpt."
            if held
            else "",
        )
        present = Attendance.PRESENT if held else Attendance.INVITED
        _participant(meeting, chair, ParticipantKind.STAFF, "voorzitter", present)
        _participant(meeting, advisor, ParticipantKind.STAFF, "studentbegeleider", present)
        if student.user is not None:
            _participant(meeting, student.user, ParticipantKind.STUDENT, "de student", present)
        else:
            Participant.objects.create(
                meeting=meeting,
                name=student.display_name,
                kind=ParticipantKind.STUDENT,
                role_description="de student",
                attendance=present,
            )
        for referral in student.referrals.filter(status__in=REFERRAL_ACTIVE_STATUSES):
            worker = workers.get(referral.to_organisation_id)
            if worker is not None:
                _participant(meeting, worker, ParticipantKind.EXTERNAL, "hulpverlener", present)
        if held:
            text, action_text = DECISIONS[i % len(DECISIONS)]
            action = plan_action_add(
                actor=chair,
                student_id=student.pk,
                description=action_text,
                due_on=today + timedelta(days=rng.randrange(-5, 21)),
                owner=advisor,
                reason=f"Besluit in {meeting.title}",
            )
            Decision.objects.create(
                item=item, text=text, action=action, created_by=chair, created_at=starts
            )
        count += 1
    return count
