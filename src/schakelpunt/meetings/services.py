"""Writes of case meetings: plan, invite, attendance, the student's view, decisions, minutes.

Whoever may change the support of every student on the agenda runs the meeting (the care
team); only the chair approves the minutes. Decisions with an action add that action to the
student's plan (a new plan version). Invitations go out after commit, by notification and,
where an e-mail address is known, by e-mail with an .ics file.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import (
    guardian_may_be_involved,
    may_organise_meeting_for,
    may_run_meeting,
)
from schakelpunt.accounts.models import User
from schakelpunt.core.dates import moment_in_words
from schakelpunt.notifications.services import notify
from schakelpunt.students.models import Guardian, Student
from schakelpunt.support.plans import plan_action_add

from .mail import send_meeting_invitation
from .models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantKind,
)

REMIND_HOURS_AHEAD = 24


def _locked(meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("chair", "institution")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise ValidationError(_("Dit overleg bestaat niet."))
    return meeting


def _require_manage(user: User, meeting: Meeting) -> None:
    if not may_run_meeting(user, meeting):
        raise PermissionDenied


def _require_started(meeting: Meeting, message: str) -> None:
    """Preparing the agenda is fine beforehand; what the meeting itself does is not."""
    if not meeting.has_started:
        when = formats.date_format(timezone.localtime(meeting.starts_at), "l j F Y, H:i")
        raise ValidationError(message % {"when": when})


def _first_student(meeting: Meeting) -> Student | None:
    """The student a meeting's notifications point at (the first on the agenda)."""
    item = meeting.items.select_related("student").first()
    return item.student if item is not None else None


def _url(meeting: Meeting) -> str:
    return f"/overleg/{meeting.pk}/"


def _invite(meeting: Meeting, participant: Participant, actor: User) -> None:
    """Tell the participant: in the app (with a link) and by e-mail with the .ics."""
    when = moment_in_words(meeting.starts_at)
    student = _first_student(meeting)
    if participant.user_id and student is not None:
        notify(
            actor=actor,
            student=student,
            recipients=[participant.user_id],
            staff_message=_("Uitnodiging: %(title)s op %(when)s."),
            student_message=_("Je bent uitgenodigd voor een gesprek over jou: %(when)s."),
            values={"title": meeting.title, "when": when},
            url=_url(meeting),
        )
    if participant.email:
        transaction.on_commit(partial(send_meeting_invitation, participant.pk, settings.SITE_URL))


@dataclass(frozen=True)
class MeetingInput:
    kind: str
    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    chair: User


def _refuse_student_name_in_title(title: str, student: Student) -> None:
    """The title goes into every participant's invitation, reminder and calendar, also of
    people who may not see the student: it must not name a student on the agenda."""
    names = {student.first_name.strip(), student.last_name.strip()}
    for name in (n for n in names if len(n) >= 2):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", title, flags=re.IGNORECASE):
            raise ValidationError(
                _(
                    "Zet geen naam van een student in de titel: de titel staat in de "
                    "uitnodiging en de agenda van iedere deelnemer. Noem het overleg "
                    "bijvoorbeeld naar het soort overleg of de opleiding."
                )
            )


def meeting_plan(
    *,
    actor: User,
    details: MeetingInput,
    student: Student,
    question: str,
    invite_student: bool = True,
) -> Meeting:
    """Plan a meeting about one student; the student is invited unless the organiser says not.

    More students go on the agenda with `item_add` (a regular care-team meeting)."""
    if not may_organise_meeting_for(actor, student):
        raise PermissionDenied
    if not may_organise_meeting_for(details.chair, student):
        raise ValidationError(_("De voorzitter moet iemand uit het zorgteam van de student zijn."))
    if details.starts_at < timezone.now() - timedelta(days=1):
        raise ValidationError(_("Het overleg ligt in het verleden."))
    if not question.strip():
        raise ValidationError(_("Beschrijf de vraag voor het overleg."))
    _refuse_student_name_in_title(details.title, student)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            institution=student.institution,
            kind=details.kind,
            title=details.title.strip() or str(_("Overleg")),
            starts_at=details.starts_at,
            duration_minutes=details.duration_minutes,
            place=details.place.strip(),
            chair=details.chair,
            created_by=actor,
        )
        AgendaItem.objects.create(meeting=meeting, student=student, question=question.strip())
        for person in {actor.pk: actor, details.chair.pk: details.chair}.values():
            _add_user(meeting, person, actor, ParticipantKind.STAFF, "")
        if invite_student:
            _add_student(meeting, student, actor)
    return meeting


def _add_user(meeting: Meeting, user: User, actor: User, kind: str, role: str) -> Participant:
    participant, created = Participant.objects.get_or_create(
        meeting=meeting,
        user=user,
        defaults={"name": str(user), "email": user.email, "kind": kind, "role_description": role},
    )
    if created:
        _invite(meeting, participant, actor)
    return participant


def _add_student(meeting: Meeting, student: Student, actor: User) -> Participant:
    if student.user_id:
        assert student.user is not None  # noqa: S101 - loaded with the student
        return _add_user(meeting, student.user, actor, ParticipantKind.STUDENT, _("de student"))
    participant = Participant.objects.create(
        meeting=meeting,
        name=student.display_name,
        email=student.email,
        kind=ParticipantKind.STUDENT,
        role_description=_("de student"),
    )
    _invite(meeting, participant, actor)
    return participant


def participant_add(
    *, actor: User, meeting_id: int, user: User, role_description: str = ""
) -> Participant:
    """Invite a colleague or an external worker (who sees only what they may see)."""
    with transaction.atomic():
        meeting = _locked(meeting_id)
        _require_manage(actor, meeting)
        kind = ParticipantKind.STAFF
        if user.memberships.filter(organisation=meeting.institution).count() == 0:
            kind = ParticipantKind.EXTERNAL
        return _add_user(meeting, user, actor, kind, role_description.strip())


def parent_invite(*, actor: User, meeting_id: int, guardian_id: int) -> Participant:
    """Parents take part under 18, and from 18 only when the student agrees."""
    with transaction.atomic():
        meeting = _locked(meeting_id)
        _require_manage(actor, meeting)
        guardian = Guardian.objects.select_related("student").filter(pk=guardian_id).first()
        if guardian is None or not meeting.items.filter(student=guardian.student).exists():
            raise ValidationError(_("Deze ouder hoort niet bij een student op de agenda."))
        if not guardian_may_be_involved(
            guardian.student, guardian.student_consents, timezone.localdate()
        ):
            raise ValidationError(
                _(
                    "De student is 18 of ouder en heeft geen toestemming gegeven om deze ouder te betrekken."
                )
            )
        participant, created = Participant.objects.get_or_create(
            meeting=meeting,
            guardian=guardian,
            defaults={
                "name": guardian.name,
                "email": guardian.email,
                "kind": ParticipantKind.PARENT,
                "role_description": guardian.get_relation_display(),
            },
        )
        if created:
            _invite(meeting, participant, actor)
    return participant


def item_add(*, actor: User, meeting_id: int, student: Student, question: str) -> AgendaItem:
    """Another student on the agenda (a regular care-team meeting)."""
    if not may_organise_meeting_for(actor, student):
        raise PermissionDenied
    if not question.strip():
        raise ValidationError(_("Beschrijf de vraag voor het overleg."))
    with transaction.atomic():
        meeting = _locked(meeting_id)
        _require_manage(actor, meeting)
        if meeting.items.filter(student=student).exists():
            raise ValidationError(_("Deze student staat al op de agenda."))
        _refuse_student_name_in_title(meeting.title, student)
        last = meeting.items.order_by("-position").first()
        return AgendaItem.objects.create(
            meeting=meeting,
            student=student,
            question=question.strip(),
            position=(last.position + 1) if last else 0,
        )


def attendance_record(*, actor: User, meeting_id: int, attendance: dict[int, str]) -> None:
    """Who was there; `attendance`: participant id → Attendance value."""
    with transaction.atomic():
        meeting = _locked(meeting_id)
        _require_manage(actor, meeting)
        for participant in meeting.participants.all():
            value = attendance.get(participant.pk)
            if value in Attendance.values and value != participant.attendance:
                participant.attendance = value
                participant.save(update_fields=["attendance"])
        if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
            meeting.status = MeetingStatus.HELD
            meeting.save(update_fields=["status"])


def student_view_record(*, actor: User, item_id: int, text: str) -> AgendaItem:
    with transaction.atomic():
        item = AgendaItem.objects.select_related("meeting").get(pk=item_id)
        meeting = _locked(item.meeting_id)
        _require_manage(actor, meeting)
        item.student_view = text.strip()
        item.save(update_fields=["student_view"])
    return item


@dataclass(frozen=True)
class ActionInput:
    description: str
    due_on: date
    owner: User | None = None
    owner_name: str = ""


def decision_add(
    *, actor: User, item_id: int, text: str, action: ActionInput | None = None
) -> Decision:
    """Record a decision; with an action, the action goes into the student's plan."""
    if not text.strip():
        raise ValidationError(_("Beschrijf het besluit."))
    with transaction.atomic():
        item = AgendaItem.objects.select_related("meeting", "student").get(pk=item_id)
        meeting = _locked(item.meeting_id)
        _require_manage(actor, meeting)
        if meeting.status in {MeetingStatus.APPROVED, MeetingStatus.CANCELLED}:
            raise ValidationError(_("Het verslag is vastgesteld; besluiten kunnen niet meer bij."))
        _require_started(
            meeting,
            _(
                "Het overleg begint op %(when)s. Besluiten legt u vast in of na het overleg, "
                "met de student erbij; de agenda en de vraag kunt u nu al voorbereiden."
            ),
        )
        planned = None
        if action is not None:
            planned = plan_action_add(
                actor=actor,
                student_id=item.student_id,
                description=action.description,
                due_on=action.due_on,
                owner=action.owner,
                owner_name=action.owner_name,
                reason=_("Besluit in %(meeting)s") % {"meeting": meeting.title},
            )
            if action.owner is not None and action.owner.pk != actor.pk:
                notify(
                    actor=actor,
                    student=item.student,
                    recipients=[action.owner.pk],
                    staff_message=_("Nieuwe actie voor u uit %(meeting)s: %(action)s"),
                    student_message=_("Afgesproken in het overleg: %(action)s"),
                    values={"meeting": meeting.title, "action": action.description.strip()[:150]},
                    url="/acties/",
                )
        decision = Decision.objects.create(
            item=item, text=text.strip(), action=planned, created_by=actor
        )
        if meeting.status == MeetingStatus.PLANNED:  # it has begun (checked above)
            meeting.status = MeetingStatus.HELD
            meeting.save(update_fields=["status"])
    return decision


def minutes_save(
    *,
    actor: User,
    meeting_id: int,
    notes: str,
    expected_version: int,
    item_minutes: dict[int, str] | None = None,
) -> Meeting:
    """The general minutes (nothing about a student) and, per agenda item, the minutes about
    that student (`item_minutes`: agenda item id → text)."""
    with transaction.atomic():
        meeting = _locked(meeting_id)
        _require_manage(actor, meeting)
        if meeting.version != expected_version:
            raise ValidationError(
                _("Iemand anders heeft het verslag intussen gewijzigd. Bekijk de nieuwe versie.")
            )
        if meeting.status == MeetingStatus.APPROVED:
            raise ValidationError(_("Het verslag is al vastgesteld."))
        meeting.notes = notes.strip()
        for item in meeting.items.all():
            text = (item_minutes or {}).get(item.pk)
            if text is not None and text.strip() != item.minutes:
                item.minutes = text.strip()
                item.save(update_fields=["minutes"])
        meeting.version += 1
        # A draft written beforehand is preparation; the meeting is held once it has begun.
        if meeting.status == MeetingStatus.PLANNED and meeting.has_started:
            meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["notes", "version", "status"])
    return meeting


def minutes_approve(*, actor: User, meeting_id: int) -> Meeting:
    """The chair approves the minutes; then participants read them, each their part."""
    with transaction.atomic():
        meeting = _locked(meeting_id)
        if meeting.chair_id != actor.pk:
            raise PermissionDenied
        _require_started(
            meeting,
            _(
                "Het overleg begint op %(when)s. Het verslag stelt u vast nadat het overleg "
                "is gehouden."
            ),
        )
        if meeting.status != MeetingStatus.HELD:
            raise ValidationError(
                _("Alleen het verslag van een gehouden overleg wordt vastgesteld.")
            )
        meeting.status = MeetingStatus.APPROVED
        meeting.approved_at = timezone.now()
        meeting.version += 1
        meeting.save(update_fields=["status", "approved_at", "version"])
        readers = set(meeting.participants.exclude(user=None).values_list("user_id", flat=True))
        student = _first_student(meeting)
        if student is not None:
            notify(
                actor=actor,
                student=student,
                recipients=readers,
                staff_message=_("Het verslag van %(title)s is vastgesteld."),
                student_message=_("Het verslag van het gesprek over jou staat klaar."),
                values={"title": meeting.title},
                url=_url(meeting),
            )
    return meeting


def next_meeting_plan(*, actor: User, meeting_id: int, starts_at: datetime) -> Meeting:
    """The follow-up: same chair, place, agenda and participants, a new date."""
    with transaction.atomic():
        meeting = _locked(meeting_id)
        _require_manage(actor, meeting)
        if starts_at <= meeting.starts_at:
            raise ValidationError(_("Het vervolg ligt na dit overleg."))
        follow = Meeting.objects.create(
            institution=meeting.institution,
            kind=meeting.kind,
            title=meeting.title,
            starts_at=starts_at,
            duration_minutes=meeting.duration_minutes,
            place=meeting.place,
            chair=meeting.chair,
            created_by=actor,
        )
        for item in meeting.items.all():
            AgendaItem.objects.create(
                meeting=follow,
                student_id=item.student_id,
                question=_("Vervolg: %(question)s") % {"question": item.question},
                position=item.position,
            )
        for p in meeting.participants.all():
            copy = Participant.objects.create(
                meeting=follow,
                user_id=p.user_id,
                guardian_id=p.guardian_id,
                name=p.name,
                email=p.email,
                kind=p.kind,
                role_description=p.role_description,
            )
            _invite(follow, copy, actor)
        meeting.next_meeting = follow
        meeting.save(update_fields=["next_meeting"])
    return follow


def reminders_send(now: datetime | None = None) -> int:
    """The day before: a reminder to every participant with an account. Safe to re-run."""
    now = now or timezone.now()
    count = 0
    due = Meeting.objects.filter(
        status=MeetingStatus.PLANNED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=REMIND_HOURS_AHEAD),
    )
    for meeting in due:
        with transaction.atomic():
            if not Meeting.objects.filter(pk=meeting.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            student = _first_student(meeting)
            if student is None:
                continue
            when = moment_in_words(meeting.starts_at)
            notify(
                actor=None,
                student=student,
                recipients=set(
                    meeting.participants.exclude(user=None).values_list("user_id", flat=True)
                ),
                staff_message=_("Herinnering: %(title)s, %(when)s. Bekijk uw voorbereiding."),
                student_message=_("Herinnering: morgen is het gesprek over jou (%(when)s)."),
                values={"title": meeting.title, "when": when},
                url=_url(meeting),
            )
        count += 1
    return count
