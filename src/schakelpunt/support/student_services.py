"""What the student does in their own file, and what the care team does with it."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import CARE_TEAM_ROLES, is_own_file, student_access
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Membership, User
from schakelpunt.notifications.services import involved_people, notify
from schakelpunt.privacy.register import Activity
from schakelpunt.students.models import Student

from .models import ContactNote, HelpRequest, StudentContribution, Trajectory, TrajectoryState
from .selectors import open_trajectory_for
from .services import _require_support_change

MAX_TEXT = 2000


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError(_("Schrijf eerst wat je wilt zeggen."))
    if len(text) > MAX_TEXT:
        raise ValidationError(_("Dit is te lang; houd het onder de 2000 tekens."))
    return text


def contribution_add(*, actor: User, student: Student, text: str) -> StudentContribution:
    """The student adds a note or wish to their own plan; their team hears of it."""
    if not is_own_file(actor, student):
        raise PermissionDenied
    with transaction.atomic():
        added = StudentContribution.objects.create(student=student, text=_clean_text(text))
        trajectory = open_trajectory_for(student)
        notify(
            actor=actor,
            student=student,
            recipients=involved_people(student, trajectory.coordinator_id if trajectory else None),
            staff_message=_("%(name)s heeft iets toegevoegd aan het plan."),
            student_message="",
        )
    return added


def care_team_of(student: Student) -> set[int]:
    """The care team of the student's location (and those who serve every location)."""
    members = Membership.objects.active().filter(
        organisation_id=student.institution_id, role__in=CARE_TEAM_ROLES
    )
    return set(members.filter(location__isnull=True).values_list("user_id", flat=True)) | set(
        members.filter(location_id=student.location_id).values_list("user_id", flat=True)
    )


def help_request_create(*, actor: User, student: Student, text: str) -> HelpRequest:
    """The student asks for help; the care team of their location is told at once."""
    if not is_own_file(actor, student):
        raise PermissionDenied
    with transaction.atomic():
        request = HelpRequest.objects.create(student=student, text=_clean_text(text))
        notify(
            actor=actor,
            student=student,
            recipients=care_team_of(student) | involved_people(student, None),
            staff_message=_("%(name)s vraagt om hulp."),
            student_message="",
        )
    return request


def help_request_pick_up(*, actor: User, request_id: int) -> HelpRequest:
    """Someone of the care team takes the question; the student hears who."""
    with transaction.atomic():
        request = (
            HelpRequest.objects.select_for_update().select_related("student").get(pk=request_id)
        )
        _require_support_change(actor, request.student)
        if request.picked_up_at is not None:
            raise ValidationError(
                _("%(name)s heeft deze hulpvraag al opgepakt.") % {"name": request.picked_up_by}
            )
        request.picked_up_at = timezone.now()
        request.picked_up_by = actor
        request.save(update_fields=["picked_up_at", "picked_up_by"])
        notify(
            actor=actor,
            student=request.student,
            recipients={request.student.user_id} if request.student.user_id else set(),
            staff_message="",
            student_message=_("%(name)s heeft je hulpvraag opgepakt en neemt contact op."),
            values={"name": actor},
        )
    return request


def contact_add(
    *,
    actor: User,
    student: Student,
    kind: str,
    happened_on: date,
    participants: str = "",
    summary: str = "",
    shared_with_student: bool = True,
    minutes: int | None = None,
) -> ContactNote:
    """Record a conversation (or an appointment, when dated in the future)."""
    roles = _require_support_change(actor, student)
    with transaction.atomic():
        note = ContactNote.objects.create(
            student=student,
            kind=kind,
            happened_on=happened_on,
            participants=participants.strip(),
            summary=summary.strip(),
            shared_with_student=shared_with_student,
            minutes=minutes,
            author=actor,
        )
        access_log_record(
            actor=actor,
            activity=Activity.SUPPORT,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.SUPPORT],
            role=roles,
            path="contact/add",
        )
    return note


def may_pick_up(user: User, student: Student) -> bool:
    return student_access(user, student).allows(Action.CHANGE, Part.SUPPORT)


RATING_WINDOW_DAYS = 90


def trajectory_rate(*, actor: User, trajectory_id: int, rating: int) -> Trajectory:
    """The student rates the help of a closed trajectory (1–10), once, within 90 days."""
    if not 1 <= rating <= 10:
        raise ValidationError(_("Kies een cijfer van 1 tot en met 10."))
    with transaction.atomic():
        trajectory = (
            Trajectory.objects.select_for_update(of=("self",))
            .select_related("student")
            .filter(pk=trajectory_id)
            .first()
        )
        if trajectory is None or not is_own_file(actor, trajectory.student):
            raise PermissionDenied
        if trajectory.state != TrajectoryState.CLOSED or trajectory.closed_at is None:
            raise ValidationError(_("Je kunt de hulp waarderen als het traject is afgesloten."))
        if trajectory.student_rating is not None:
            raise ValidationError(_("Je hebt deze hulp al gewaardeerd."))
        if timezone.now() - trajectory.closed_at > timedelta(days=RATING_WINDOW_DAYS):
            raise ValidationError(_("Deze hulp is te lang geleden afgesloten om nog te waarderen."))
        trajectory.student_rating = rating
        trajectory.student_rated_at = timezone.now()
        trajectory.save(update_fields=["student_rating", "student_rated_at"])
    return trajectory
