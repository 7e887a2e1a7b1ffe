"""Concerns and the triage queue: raised by anyone who works with the student, picked up by
the care team of the student's location, escalated when nobody acts within N school days."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    concerns_user_may_handle,
    held_back_concerns_to_review,
    may_handle_concern,
    may_hold_back_concern,
    may_review_held_back_concern,
    student_access,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Membership, User
from schakelpunt.accounts.roles import Role
from schakelpunt.notifications.services import notify
from schakelpunt.privacy.register import Activity
from schakelpunt.students.models import Student
from schakelpunt.support.models import ContactKind, ContactNote, LifeDomain, Trajectory
from schakelpunt.support.selectors import open_trajectory_for
from schakelpunt.support.services import trajectory_open
from schakelpunt.support.student_services import care_team_of

from .config import calendar_for, signal_settings_for
from .models import Concern, ConcernSource, ConcernStatus, Urgency
from .statutory import SchoolCalendar


def missed_you_message(student: Student, actor: User) -> str:
    return _(
        "Hoi %(name)s, we hebben je gemist! Gaat alles goed? Kom even langs of stuur een "
        "berichtje aan %(who)s."
    ) % {"name": student.preferred_name or student.first_name, "who": actor}


# Concerns about school or work may be named in the first message; anything else (home,
# health, money, justice…) is not: the student may not be the only one who reads it.
STUDY_DOMAINS = frozenset({LifeDomain.EDUCATION, LifeDomain.WORK})


def contact_message(concern: Concern, actor: User) -> str:
    """The first message to the student, as fits the signal: missed at school, a question
    about study or internship, or a personal worry (which the message does not name)."""
    student = concern.student
    values = {"name": student.preferred_name or student.first_name, "who": actor}
    if concern.about_absence:
        return missed_you_message(student, actor)
    domains = set(concern.life_domains)
    if domains and domains <= STUDY_DOMAINS:
        return (
            _(
                "Hoi %(name)s, hoe gaat het met je opleiding en je stage? Ik wil graag even met "
                "je bijpraten. Wanneer kun je langskomen? Groet, %(who)s"
            )
            % values
        )
    return (
        _(
            "Hoi %(name)s, hoe gaat het met je? Ik wil graag even rustig met je praten, alleen "
            "wij tweeën. Wanneer schikt het jou? Groet, %(who)s"
        )
        % values
    )


def concern_raise(
    *,
    actor: User,
    student: Student,
    text: str,
    life_domains: Iterable[str] = (),
    urgency: str = Urgency.NORMAL,
    withheld_reason: str = "",
) -> Concern:
    """Anyone who may see the student raises a concern; the care team hears at once. With
    `withheld_reason` the reporter holds it back from the student (reviewed by a care
    coordinator)."""
    access = student_access(actor, student)
    if not access.allows(Action.VIEW, Part.IDENTITY):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError(_("Beschrijf de zorg."))
    domains = [d for d in LifeDomain.values if d in set(life_domains)]
    with transaction.atomic():
        concern = Concern.objects.create(
            student=student,
            raised_by=actor,
            text=text,
            life_domains=domains,
            urgency=Urgency(urgency),
        )
        if withheld_reason.strip():
            _hold_back(concern, actor, withheld_reason)
        label = (
            _("Dringende zorgmelding") if concern.urgency == Urgency.URGENT else _("Zorgmelding")
        )
        notify(
            actor=actor,
            student=student,
            recipients=care_team_of(student),
            staff_message="%(label)s: %(name)s",
            student_message="",
            values={"label": label},
        )
    return concern


def _hold_back(concern: Concern, actor: User, reason: str) -> None:
    concern.withheld_reason = reason.strip()
    concern.withheld_by = actor
    concern.withheld_at = timezone.now()
    concern.withheld_reviewed_by = None
    concern.withheld_reviewed_at = None
    concern.save()
    _log_triage_change(concern, actor, "concern/hold-back")


def _log_triage_change(concern: Concern, actor: User, path: str) -> None:
    """The access log's line for a change the triage makes to a concern about a student."""
    access_log_record(
        actor=actor,
        activity=Activity.EARLY_WARNING
        if concern.source == ConcernSource.EARLY_WARNING
        else Activity.SUPPORT,
        students=[concern.student],
        action=Action.CHANGE,
        parts=[Part.SUPPORT],
        role="triage",
        path=path,
    )


def concern_hold_back(*, actor: User, concern_id: int, reason: str) -> Concern:
    """The reporter or the care team holds a concern back from the student, with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Geef aan waarom de student deze zorgmelding niet mag zien."))
    with transaction.atomic():
        concern = Concern.objects.select_for_update().select_related("student").get(pk=concern_id)
        if not may_hold_back_concern(actor, concern):
            raise PermissionDenied
        _hold_back(concern, actor, reason)
    return concern


def concern_review_hold_back(*, actor: User, concern_id: int, keep: bool) -> Concern:
    """A care coordinator reviews a hold-back: keep it (recorded as reviewed) or show the
    concern to the student after all."""
    with transaction.atomic():
        concern = Concern.objects.select_for_update().select_related("student").get(pk=concern_id)
        if not may_review_held_back_concern(actor, concern):
            raise PermissionDenied
        if not concern.withheld_reason:
            raise ValidationError(_("Deze zorgmelding wordt niet achtergehouden."))
        if not keep:
            concern.withheld_reason = ""
        concern.withheld_reviewed_by = actor
        concern.withheld_reviewed_at = timezone.now()
        concern.save()
        _log_triage_change(concern, actor, "concern/hold-back/review")
    return concern


def held_back_to_review(user: User) -> QuerySet[Concern]:
    """Concerns held back from the student that wait for this coordinator's review."""
    return (
        Concern.objects.filter(held_back_concerns_to_review(user))
        .exclude(withheld_reason="")
        .filter(withheld_reviewed_at__isnull=True)
        .select_related("student", "raised_by", "withheld_by")
        .order_by("withheld_at")
    )


def _locked(concern_id: int, actor: User) -> Concern:
    concern = Concern.objects.select_for_update().select_related("student").get(pk=concern_id)
    if not may_handle_concern(actor, concern):
        raise PermissionDenied
    if concern.status == ConcernStatus.CLOSED:
        raise ValidationError(_("Deze zorgmelding is al afgesloten."))
    return concern


def _acted(concern: Concern, actor: User) -> None:
    concern.status = ConcernStatus.IN_PROGRESS
    concern.handled_by = concern.handled_by or actor
    concern.first_action_at = concern.first_action_at or timezone.now()


def concern_contact_student(*, actor: User, concern_id: int, message: str) -> Concern:
    """Send the student a message ('We hebben je gemist'); it is kept as a contact."""
    message = message.strip()
    if not message:
        raise ValidationError(_("Schrijf een bericht aan de student."))
    with transaction.atomic():
        concern = _locked(concern_id, actor)
        student = concern.student
        ContactNote.objects.create(
            student=student,
            kind=ContactKind.MESSAGE,
            happened_on=timezone.localdate(),
            participants=str(actor),
            summary=message,
            shared_with_student=True,
            author=actor,
        )
        if student.user_id:
            notify(
                actor=actor,
                student=student,
                recipients={student.user_id},
                staff_message="",
                student_message="%(message)s",
                values={"message": message[:300]},
            )
        _acted(concern, actor)
        concern.save()
        _log_triage_change(concern, actor, "concern/contact")
    return concern


def concern_hand_over(*, actor: User, concern_id: int, to: User) -> Concern:
    with transaction.atomic():
        concern = _locked(concern_id, actor)
        if to.pk not in care_team_of(concern.student):
            raise ValidationError(
                _("%(name)s zit niet in het zorgteam van deze student.") % {"name": to}
            )
        _acted(concern, actor)
        concern.handled_by = to
        concern.save()
        notify(
            actor=actor,
            student=concern.student,
            recipients={to.pk},
            staff_message=_("Zorgmelding over %(name)s aan u overgedragen."),
            student_message="",
        )
    return concern


def concern_close(*, actor: User, concern_id: int, reason: str) -> Concern:
    """Close with a reason ('geen actie nodig omdat …'); the reason is required."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Geef aan waarom er geen verdere actie nodig is."))
    with transaction.atomic():
        concern = _locked(concern_id, actor)
        concern.first_action_at = concern.first_action_at or timezone.now()
        concern.handled_by = concern.handled_by or actor
        concern.status = ConcernStatus.CLOSED
        concern.closed_reason = reason
        concern.closed_at = timezone.now()
        concern.save()
    return concern


def concern_start_trajectory(*, actor: User, concern_id: int) -> Trajectory:
    """Start a trajectory from a concern (with its life domains) and close the concern,
    linked to it. When the student already has one running, the concern joins that one."""
    with transaction.atomic():
        concern = _locked(concern_id, actor)
        trajectory = open_trajectory_for(concern.student)
        if trajectory is None:
            raised = timezone.localtime(concern.created_at).date()
            # The student reads the trajectory's history: a concern held back from them is
            # not named there.
            opened_because = (
                ""
                if concern.withheld_reason
                else _("Gestart vanuit de zorgmelding van %(day)s.")
                % {"day": date_format(raised, "j F Y")}
            )
            trajectory = trajectory_open(
                actor=actor,
                student=concern.student,
                life_domains=concern.life_domains,
                reason=opened_because,
            )
            reason = _("Traject gestart op %(day)s.")
        else:
            if not student_access(actor, concern.student).allows(Action.CHANGE, Part.SUPPORT):
                raise PermissionDenied
            reason = _("Ondergebracht in het lopende traject (sinds %(day)s).")
        concern.first_action_at = concern.first_action_at or timezone.now()
        concern.handled_by = concern.handled_by or actor
        concern.status = ConcernStatus.CLOSED
        concern.trajectory = trajectory
        concern.closed_reason = reason % {
            "day": date_format(timezone.localtime(trajectory.opened_at).date(), "j F Y")
        }
        concern.closed_at = timezone.now()
        concern.save()
        _log_triage_change(concern, actor, "concern/trajectory")
    return trajectory


def triage_queue(user: User) -> QuerySet[Concern]:
    """Open concerns about students whose support this user may change, and early-warning
    signals about students whose absence they may change: urgent first."""
    return (
        Concern.objects.filter(concerns_user_may_handle(user))
        .exclude(status=ConcernStatus.CLOSED)
        .select_related("student", "raised_by", "handled_by")
        .annotate(
            urgent_first=Case(
                When(urgency=Urgency.URGENT, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("urgent_first", "status", "created_at")
    )


def escalate_stale_concerns(*, today: date) -> int:
    """Concerns nobody acted on within the institution's follow-up days go to the care
    coordinators of the student's location. Safe to run again: each escalates once."""
    calendars: dict[int, tuple[SchoolCalendar, int]] = {}
    coordinators_at: dict[tuple[int, int], set[int]] = {}
    escalated = 0
    stale = Concern.objects.filter(
        status=ConcernStatus.NEW, first_action_at__isnull=True, escalated_at__isnull=True
    ).select_related("student__institution")
    for concern in stale:
        student = concern.student
        if student.institution_id not in calendars:
            calendars[student.institution_id] = (
                calendar_for(student.institution),
                signal_settings_for(student.institution).follow_up_school_days,
            )
        calendar, follow_up_days = calendars[student.institution_id]
        raised = timezone.localtime(concern.created_at).date()
        if calendar.school_days_after(raised, today) < follow_up_days:
            continue
        key = (student.institution_id, student.location_id)
        if key not in coordinators_at:
            coordinators_at[key] = set(
                Membership.objects.active()
                .filter(organisation_id=student.institution_id, role=Role.CARE_COORDINATOR)
                .filter(Q(location__isnull=True) | Q(location_id=student.location_id))
                .values_list("user_id", flat=True)
            )
        coordinators = coordinators_at[key]
        with transaction.atomic():
            Concern.objects.filter(pk=concern.pk).update(escalated_at=timezone.now())
            notify(
                actor=concern.raised_by,
                student=student,
                recipients=coordinators,
                staff_message=_("Zorgmelding over %(name)s ligt al %(n)s schooldagen stil."),
                values={"n": follow_up_days},
                student_message="",
            )
        escalated += 1
    return escalated
