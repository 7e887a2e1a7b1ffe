"""Demo trajectories, plans and notifications, calibrated on the seeds' figures.

About 1 in 5 students had contact with the support team in a year; most support is light
(basis), some breedte, and specialist (diepte) help only for the ~1% referred. Life domains
follow Deltion's youth team: mental health 50%, home 36%, work 35%; many on several domains.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from schakelpunt.accounts.models import User
from schakelpunt.notifications.models import Notification
from schakelpunt.students.models import Student
from schakelpunt.support.models import (
    CloseReason,
    ContactKind,
    ContactNote,
    PlanAction,
    PlanGoal,
    PlanVersion,
    SupportPlan,
    SupportTeamMember,
    Tier,
    Trajectory,
    TrajectoryEvent,
    TrajectoryEventKind,
    TrajectoryState,
)

from .schooldays import on_school_day, school_day_near

SHARE_WITH_TRAJECTORY = 0.20
STATE_WEIGHTS = {
    TrajectoryState.CLOSED: 55,
    TrajectoryState.SIGNALLED: 8,
    TrajectoryState.CLARIFYING: 10,
    TrajectoryState.ACTIVE: 22,
    TrajectoryState.CLOSING: 5,
}
CLOSE_WEIGHTS = {
    CloseReason.GOAL_REACHED: 60,
    CloseReason.OTHER_HELP: 8,
    CloseReason.DECLINED: 10,
    CloseReason.LEFT_SCHOOL: 10,
    CloseReason.NOT_NEEDED: 12,
}
DOMAIN_WEIGHTS = {
    "mental_health": 50,
    "home": 36,
    "work": 35,
    "education": 30,
    "finances": 20,
    "social_network": 15,
    "physical_health": 10,
    "housing": 10,
    "substance_use": 8,
    "leisure": 5,
    "justice": 3,
}
# Goals in the student's own words, per life domain.
GOALS = {
    "mental_health": [
        "Ik wil minder piekeren en beter slapen.",
        "Ik wil weten bij wie ik terecht kan als het niet goed gaat.",
    ],
    "home": ["Ik wil een rustige plek om te leren.", "Ik wil dat het thuis minder onrustig is."],
    "work": ["Ik wil een stageplek vinden die bij me past.", "Ik wil mijn stage afmaken."],
    "education": ["Ik wil mijn diploma halen.", "Ik wil minder lessen missen."],
    "finances": [
        "Ik wil mijn schulden op een rij krijgen.",
        "Ik wil leren rondkomen van mijn geld.",
    ],
    "social_network": ["Ik wil mensen om me heen die me steunen."],
    "physical_health": ["Ik wil weer fit genoeg zijn om de lessen te volgen."],
    "housing": ["Ik wil een eigen kamer vinden."],
    "substance_use": ["Ik wil minder blowen."],
    "leisure": ["Ik wil een sport of hobby naast school."],
    "justice": ["Ik wil mijn taakstraf afronden naast school."],
}
TIER_REASONS = {
    Tier.BREEDTE: [
        "Zorgen over thuis; schoolmaatschappelijk werk erbij.",
        "Coach loopt vast; studentbegeleider sluit aan.",
    ],
    Tier.DIEPTE: ["Verwezen naar specialistische hulp.", "Zorgen te groot voor school alleen."],
}


@dataclass
class SupportSummary:
    trajectories: int = 0
    open: int = 0
    plans: int = 0


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _path(state: str) -> list[str]:
    """The states a trajectory passed through to reach `state`."""
    order = [
        TrajectoryState.SIGNALLED,
        TrajectoryState.CLARIFYING,
        TrajectoryState.ACTIVE,
        TrajectoryState.CLOSING,
        TrajectoryState.CLOSED,
    ]
    return [str(s) for s in order[: order.index(TrajectoryState(state)) + 1]]


def build_trajectories(
    *,
    rng: random.Random,
    today: date,
    students: list[Student],
    coach_for_team: dict[int, User],
    care_for_location: dict[int, tuple[User, User]],
    referred: dict[int, bool],
    own: Student,
    logins: list[User],
) -> SupportSummary:
    """`referred`: student id → whether the referral ended. Returns counts."""
    summary = SupportSummary()
    rows: list[Trajectory] = []
    plan_for: list[tuple[Trajectory, list[str]]] = []
    team: list[SupportTeamMember] = []
    history: list[tuple[Trajectory, User, list[tuple[str, str, str, str, date]]]] = []
    states = list(STATE_WEIGHTS)
    for s in students:
        in_referral = s.pk in referred
        if not (in_referral or s.pk == own.pk or rng.random() < SHARE_WITH_TRAJECTORY):
            continue
        if s.pk == own.pk:
            state, tier = TrajectoryState.ACTIVE, Tier.BREEDTE
        elif in_referral:
            state = TrajectoryState.CLOSED if referred[s.pk] else TrajectoryState.ACTIVE
            tier = Tier.DIEPTE
        else:
            state = rng.choices(states, weights=list(STATE_WEIGHTS.values()))[0]
            tier = Tier.BREEDTE if rng.random() < 0.25 else Tier.BASIS
        if s.left_on is not None:
            state = TrajectoryState.CLOSED
        zc, sa = care_for_location[s.location_id]
        coach = coach_for_team[s.programme.team_id]
        coordinator = coach if tier == Tier.BASIS else rng.choice([zc, sa])
        opened = today - timedelta(days=rng.randrange(5, 330))
        n_domains = rng.choice([1, 1, 2, 2, 3, 3, 4])
        domains = set(
            rng.choices(list(DOMAIN_WEIGHTS), weights=list(DOMAIN_WEIGHTS.values()), k=n_domains)
        )
        ordered = [d for d in DOMAIN_WEIGHTS if d in domains]
        closed_at = None
        close_reason = ""
        if state == TrajectoryState.CLOSED:
            closed_on = min(opened + timedelta(days=rng.randrange(20, 200)), today - timedelta(1))
            closed_on = max(closed_on, opened)
            closed_at = _at(closed_on)
            close_reason = (
                CloseReason.LEFT_SCHOOL
                if s.left_on
                else rng.choices(list(CLOSE_WEIGHTS), weights=list(CLOSE_WEIGHTS.values()))[0]
            )
        trajectory = Trajectory(
            student=s,
            state=state,
            tier=tier,
            life_domains=ordered,
            coordinator=None if state == TrajectoryState.SIGNALLED else coordinator,
            opened_at=_at(opened),
            closed_at=closed_at,
            close_reason=close_reason,
            version=len(_path(state)) + (1 if tier != Tier.BASIS else 0) + 1,
        )
        rows.append(trajectory)
        events: list[tuple[str, str, str, str, date]] = [
            (TrajectoryEventKind.OPENED, "", TrajectoryState.SIGNALLED, "", opened)
        ]
        step = opened
        if state != TrajectoryState.SIGNALLED:
            events.append((TrajectoryEventKind.COORDINATOR, "", str(coordinator), "", step))
        for old, new in zip(_path(state), _path(state)[1:], strict=False):
            step = min(step + timedelta(days=rng.randrange(2, 30)), today)
            reason = CloseReason(close_reason).label if new == TrajectoryState.CLOSED else ""
            events.append((TrajectoryEventKind.STATE, old, new, str(reason), step))
        if tier != Tier.BASIS:
            escalated = min(opened + timedelta(days=rng.randrange(1, 20)), today)
            events.append(
                (
                    TrajectoryEventKind.TIER,
                    Tier.BASIS,
                    tier,
                    rng.choice(TIER_REASONS[Tier(tier)]),
                    escalated,
                )
            )
        history.append((trajectory, coordinator, events))
        if state not in (TrajectoryState.SIGNALLED,) and (
            state != TrajectoryState.CLARIFYING or rng.random() < 0.5
        ):
            plan_for.append((trajectory, ordered))
        if tier != Tier.BASIS and state != TrajectoryState.CLOSED:
            team.append(
                SupportTeamMember(
                    student=s, user=sa, role_description="Studentbegeleider", added_on=opened
                )
            )
    Trajectory.objects.bulk_create(rows, batch_size=1000)
    summary.trajectories = len(rows)
    summary.open = sum(1 for t in rows if t.state != TrajectoryState.CLOSED)
    SupportTeamMember.objects.bulk_create(team, batch_size=1000)

    TrajectoryEvent.objects.bulk_create(
        [
            TrajectoryEvent(
                trajectory=t,
                kind=kind,
                old_value=old,
                new_value=new,
                reason=reason,
                effective_on=day,
                at=_at(day),
                actor=actor,
            )
            for t, actor, events in history
            for kind, old, new, reason, day in events
        ],
        batch_size=2000,
    )
    summary.plans = _build_plans(rng, today, plan_for, care_for_location)
    _build_contacts(rng, today, history)
    _build_notifications(today, history, logins)
    return summary


def _build_plans(
    rng: random.Random,
    today: date,
    plan_for: list[tuple[Trajectory, list[str]]],
    care_for_location: dict[int, tuple[User, User]],
) -> int:
    plans = [
        SupportPlan(
            trajectory=t,
            version=1,
            updated_by=t.coordinator,
            updated_at=t.opened_at + timedelta(days=7),
            wishes=rng.choice(
                [
                    "",
                    "Liever gesprekken aan het begin van de dag.",
                    "Ik wil zelf mijn ouders op de hoogte houden.",
                ]
            ),
            review_on=(
                today + timedelta(days=rng.randrange(-10, 60))
                if t.state != TrajectoryState.CLOSED
                else None
            ),
        )
        for t, _domains in plan_for
    ]
    SupportPlan.objects.bulk_create(plans, batch_size=1000)
    goals: list[PlanGoal] = []
    actions: list[PlanAction] = []
    versions: list[PlanVersion] = []
    for plan, (t, domains) in zip(plans, plan_for, strict=True):
        zc, _sa = care_for_location[t.student.location_id]
        plan_goals = [(d, rng.choice(GOALS[d])) for d in (domains or ["education"])]
        goals.extend(
            PlanGoal(plan=plan, life_domain=d, text=text, position=i)
            for i, (d, text) in enumerate(plan_goals)
        )
        owner = t.coordinator
        plan_actions: list[dict[str, Any]] = []
        candidates = [
            ("Wekelijks gesprek met de student", owner, ""),
            ("Afspraak maken met de studentbegeleider", owner, ""),
            ("Rooster en aanwezigheid zelf bijhouden", None, "de student"),
            ("Ouders bellen over de afspraken", owner, ""),
        ]
        for position, (text, who, name) in enumerate(rng.sample(candidates, k=2)):
            due = today + timedelta(days=rng.randrange(-20, 30))
            done = t.state == TrajectoryState.CLOSED or (due < today and rng.random() < 0.7)
            action = PlanAction(
                plan=plan,
                description=text,
                owner=who,
                owner_name=name,
                due_on=due,
                done_on=due if done else None,
                position=position,
            )
            actions.append(action)
            plan_actions.append(
                {
                    "id": None,
                    "description": text,
                    "owner": str(who) if who else name,
                    "due_on": due.isoformat(),
                    "done_on": due.isoformat() if done else None,
                }
            )
        versions.append(
            PlanVersion(
                plan=plan,
                number=1,
                saved_by=owner or zc,
                saved_at=plan.updated_at,
                content={
                    "wishes": plan.wishes,
                    "agreements": "",
                    "review_on": plan.review_on.isoformat() if plan.review_on else None,
                    "goals": [{"life_domain": d, "text": g} for d, g in plan_goals],
                    "actions": plan_actions,
                },
            )
        )
    PlanGoal.objects.bulk_create(goals, batch_size=2000)
    PlanAction.objects.bulk_create(actions, batch_size=2000)
    PlanVersion.objects.bulk_create(versions, batch_size=1000)
    return len(plans)


def _build_notifications(
    today: date,
    history: list[tuple[Trajectory, User, list[tuple[str, str, str, str, date]]]],
    logins: list[User],
) -> None:
    """A few recent notifications for the demo logins, so their inbox is not empty."""
    wanted = {u.pk for u in logins}
    notes = []
    for t, coordinator, events in history:
        if coordinator.pk not in wanted:
            continue
        kind, _old, _new, _reason, day = events[-1]
        if (today - day).days > 30:
            continue
        notes.append(
            Notification(
                recipient=coordinator,
                student_id=t.student_id,
                message=f"{t.student.display_name}: {TrajectoryEventKind(kind).label.lower()}",
                url=f"/studenten/{t.student_id}/",
                created_at=_at(day),
                read_at=None if (today - day).days < 7 else _at(day),
            )
        )
    Notification.objects.bulk_create(notes[:200], batch_size=500)


CONTACT_SUMMARIES = [
    "Kennismaking; student vertelt wat er speelt.",
    "Voortgang besproken; afspraken uit het plan lopen.",
    "Student meldt zich ziek; afgesproken om volgende week bij te praten.",
    "Gesprek met student en ouder over de stage.",
    "Overleg met de studentbegeleider over opschalen.",
]


def _build_contacts(
    rng: random.Random,
    today: date,
    history: list[tuple[Trajectory, User, list[tuple[str, str, str, str, date]]]],
) -> None:
    """Conversations in the past and some appointments ahead, for open trajectories."""
    notes = []
    for t, coordinator, _events in history:
        if t.state == TrajectoryState.CLOSED:
            continue
        opened = timezone.localtime(t.opened_at).date()
        for _ in range(rng.randrange(1, 4)):
            near = opened + timedelta(days=rng.randrange(0, max((today - opened).days, 1)))
            day = on_school_day(near, earliest=opened, latest=today)
            if day is None:
                break  # opened in a holiday that still lasts: no conversation yet
            notes.append(
                ContactNote(
                    student=t.student,
                    kind=rng.choice(
                        [
                            ContactKind.CONVERSATION,
                            ContactKind.CONVERSATION,
                            ContactKind.PHONE,
                            ContactKind.MESSAGE,
                        ]
                    ),
                    happened_on=day,
                    minutes=rng.choice([15, 30, 30, 45, 45, 60]),
                    participants="student",
                    summary=rng.choice(CONTACT_SUMMARIES),
                    author=coordinator,
                )
            )
        if rng.random() < 0.6:
            planned = school_day_near(
                today + timedelta(days=rng.randrange(1, 15)), earliest=today + timedelta(days=1)
            )
            notes.append(
                ContactNote(
                    student=t.student,
                    kind=ContactKind.CONVERSATION,
                    happened_on=planned,
                    participants=str(coordinator),
                    summary="",
                    author=coordinator,
                )
            )
    ContactNote.objects.bulk_create(notes, batch_size=2000)
