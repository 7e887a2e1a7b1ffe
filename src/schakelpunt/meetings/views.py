"""Meeting screens: plan from the file, the participant's sheet, and running the meeting."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    guardian_may_be_involved,
    may_open_meeting,
    may_read_general_minutes,
    may_run_meeting,
    provider_worker_ids,
    refuse_meeting,
    student_access,
    student_get_for_user,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.core.dates import in_words
from schakelpunt.privacy.register import Activity
from schakelpunt.referrals.models import CLOSED_STATUSES
from schakelpunt.students.models import Student
from schakelpunt.support.selectors import coordinator_candidates, team_candidates

from . import services
from .forms import (
    ATTENDANCE_CHOICES,
    DecisionForm,
    MeetingForm,
    NextMeetingForm,
    NotesForm,
    ParticipantForm,
)
from .ics import meeting_ics
from .models import Meeting, MeetingStatus
from .selectors import meetings_for_user, sheet_for


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    meetings = meetings_for_user(user)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": meetings.filter(starts_at__gte=now - timedelta(hours=2))
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("starts_at")[:50],
            "recent": meetings.filter(starts_at__lt=now - timedelta(hours=2)).order_by(
                "-starts_at"
            )[:50],
        },
    )


@login_required
def meeting_new(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.SUPPORT
    )
    chairs = coordinator_candidates(student)
    form = MeetingForm(
        request.POST or None,
        chairs=chairs,
        initial={
            "title": _("Overleg zorgteam"),
            "chair": user.pk,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan(
                actor=user,
                details=services.MeetingInput(
                    kind=data["kind"],
                    title=data["title"],
                    starts_at=form.starts_at(),
                    duration_minutes=data["duration_minutes"],
                    place=data["place"],
                    chair=next(c for c in chairs if c.pk == data["chair"]),
                ),
                student=student,
                question=data["question"],
                invite_student=data["invite_student"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("Het overleg is gepland en de uitnodigingen zijn verstuurd.")
            )
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(request, "meetings/meeting_new.html", {"student": student, "form": form})


def _meeting_for(user: User, meeting_id: int) -> tuple[Meeting, bool]:
    meeting = Meeting.objects.select_related("chair", "institution").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    if not may_open_meeting(user, meeting):
        refuse_meeting(user=user, meeting=meeting)
    return meeting, may_run_meeting(user, meeting)


def _candidates(meeting: Meeting) -> list[User]:
    """Whom the care team may invite: the students' staff and the workers of the
    organisations they are referred to (who still see only what consent allows)."""
    people: dict[int, User] = {}
    for item in meeting.items.select_related("student__programme"):
        for u in [*coordinator_candidates(item.student), *team_candidates(item.student)]:
            people[u.pk] = u
        for referral in item.student.referrals.exclude(status__in=CLOSED_STATUSES):
            for u in User.objects.filter(pk__in=provider_worker_ids(referral.to_organisation_id)):
                people[u.pk] = u
    taken = set(meeting.participants.exclude(user=None).values_list("user_id", flat=True))
    return sorted((u for pk, u in people.items() if pk not in taken), key=str)


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    meeting, manager = _meeting_for(user, meeting_id)
    sheet = sheet_for(user, meeting, manager=manager)
    minutes_visible = manager or meeting.status == MeetingStatus.APPROVED
    general_minutes = minutes_visible and may_read_general_minutes(user, meeting)
    for entry in sheet.items:
        access = student_access(user, entry.student)
        roles = access.roles
        access_log_record(
            actor=user,
            activity=Activity.MEETING,
            emergency=access.rests_on_emergency(entry.parts),
            students=[entry.student],
            action=Action.VIEW,
            parts=[Part(p) for p in sorted(entry.parts)],
            role=roles,
            path=request.path,
        )
        if entry.minutes_shown and entry.item.minutes:  # the minutes about this student
            access_log_record(
                actor=user,
                activity=Activity.MEETING,
                students=[entry.student],
                action=Action.VIEW,
                parts=[Part.SUPPORT],
                role=roles,
                path=f"{request.path}#verslag-{entry.item.pk}",
            )
    if general_minutes and meeting.notes:
        access_log_record(
            actor=user,
            activity=Activity.MEETING,
            students=[entry.student for entry in sheet.items],
            action=Action.VIEW,
            parts=[Part.SUPPORT],
            role="meeting_minutes",
            path=f"{request.path}#verslag",
        )
    context: dict[str, object] = {
        "meeting": meeting,
        "manager": manager,
        "sheet": sheet,
        "is_chair": meeting.chair_id == user.pk,
        "participants": meeting.participants.select_related("user"),
        # Who sees not every student on the agenda does not see students' or parents' names.
        "names_hidden": bool(sheet.hidden) and not manager,
        "student_view": meeting.participants.filter(user=user, kind="student").exists(),
        "minutes_visible": minutes_visible,
        "general_minutes": general_minutes,
    }
    if manager:
        owners = [p.user for p in meeting.participants.select_related("user") if p.user_id]
        invited_guardians = set(
            meeting.participants.exclude(guardian=None).values_list("guardian_id", flat=True)
        )
        context.update(
            {
                "participant_form": ParticipantForm(candidates=_candidates(meeting)),
                "decision_form": DecisionForm(owners=owners),
                "notes_form": NotesForm(
                    initial={"version": meeting.version, "notes": meeting.notes}
                ),
                "next_form": NextMeetingForm(),
                "attendance_choices": ATTENDANCE_CHOICES,
                "parents": [
                    g
                    for item in meeting.items.select_related("student")
                    for g in item.student.guardians.all()
                    if guardian_may_be_involved(
                        item.student, g.student_consents, timezone.localdate()
                    )
                    and g.pk not in invited_guardians
                ],
            }
        )
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_ics_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    meeting, _manager = _meeting_for(user, meeting_id)
    response = HttpResponse(
        meeting_ics(meeting, attendee_email=user.email), content_type="text/calendar"
    )
    response["Content-Disposition"] = 'attachment; filename="overleg.ics"'
    return response


def _post_participant(request: HttpRequest, user: User, meeting: Meeting) -> str:
    form = ParticipantForm(request.POST, candidates=_candidates(meeting))
    if not form.is_valid():
        raise ValidationError(_("Kies een deelnemer."))
    invited = User.objects.get(pk=form.cleaned_data["user"])
    services.participant_add(
        actor=user,
        meeting_id=meeting.pk,
        user=invited,
        role_description=form.cleaned_data["role_description"],
    )
    return _("%(name)s is uitgenodigd.") % {"name": invited}


def _post_parent(request: HttpRequest, user: User, meeting: Meeting) -> str:
    participant = services.parent_invite(
        actor=user, meeting_id=meeting.pk, guardian_id=int(request.POST.get("guardian", 0))
    )
    return _("%(name)s is uitgenodigd.") % {"name": participant.name}


def _post_item(request: HttpRequest, user: User, meeting: Meeting) -> str:
    number = request.POST.get("student_number", "").strip()
    student = Student.objects.filter(institution=meeting.institution, student_number=number).first()
    if student is None:
        raise ValidationError(_("Geen student met dit studentnummer bij deze instelling."))
    services.item_add(
        actor=user,
        meeting_id=meeting.pk,
        student=student,
        question=request.POST.get("question", ""),
    )
    return _("De student staat op de agenda.")


def _post_attendance(request: HttpRequest, user: User, meeting: Meeting) -> str:
    values = {p.pk: request.POST.get(f"attendance-{p.pk}", "") for p in meeting.participants.all()}
    services.attendance_record(actor=user, meeting_id=meeting.pk, attendance=values)
    return _("De aanwezigheid is vastgelegd.")


def _post_student_view(request: HttpRequest, user: User, meeting: Meeting) -> str:
    item = meeting.items.filter(pk=int(request.POST.get("item", 0))).first()
    if item is None:
        raise ValidationError(_("Dit agendapunt bestaat niet."))
    services.student_view_record(
        actor=user, item_id=item.pk, text=request.POST.get("student_view", "")
    )
    return _("De inbreng van de student is vastgelegd.")


def _post_decision(request: HttpRequest, user: User, meeting: Meeting) -> str:
    item = meeting.items.filter(pk=int(request.POST.get("item", 0))).first()
    if item is None:
        raise ValidationError(_("Dit agendapunt bestaat niet."))
    owners = [p.user for p in meeting.participants.select_related("user") if p.user_id]
    form = DecisionForm(request.POST, owners=owners)
    if not form.is_valid():
        raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
    data = form.cleaned_data
    action = None
    if data["action"]:
        owner = next((o for o in owners if o is not None and o.pk == data.get("owner")), None)
        action = services.ActionInput(
            description=data["action"],
            due_on=data["due_on"],
            owner=owner,
            owner_name="" if owner else data["owner_name"],
        )
    services.decision_add(actor=user, item_id=item.pk, text=data["text"], action=action)
    return (
        _("Het besluit is vastgelegd en de actie staat in het plan.")
        if action
        else _("Het besluit is vastgelegd.")
    )


def _post_notes(request: HttpRequest, user: User, meeting: Meeting) -> str:
    form = NotesForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Het verslag kon niet worden gelezen."))
    services.minutes_save(
        actor=user,
        meeting_id=meeting.pk,
        notes=form.cleaned_data["notes"],
        expected_version=form.cleaned_data["version"],
        item_minutes={
            item.pk: request.POST[f"minutes-{item.pk}"]
            for item in meeting.items.all()
            if f"minutes-{item.pk}" in request.POST
        },
    )
    return _("Het verslag is opgeslagen.")


def _post_approve(request: HttpRequest, user: User, meeting: Meeting) -> str:
    services.minutes_approve(actor=user, meeting_id=meeting.pk)
    return _("Het verslag is vastgesteld en gedeeld met de deelnemers.")


def _post_next(request: HttpRequest, user: User, meeting: Meeting) -> str:
    form = NextMeetingForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Kies een datum en tijd voor het vervolg."))
    starts = timezone.make_aware(
        datetime.combine(form.cleaned_data["day"], form.cleaned_data["start"])
    )
    follow = services.next_meeting_plan(actor=user, meeting_id=meeting.pk, starts_at=starts)
    return _("Het vervolgoverleg is gepland op %(day)s.") % {
        "day": in_words(timezone.localdate(follow.starts_at))
    }


HANDLERS: dict[str, Callable[[HttpRequest, User, Meeting], str]] = {
    "participant": _post_participant,
    "parent": _post_parent,
    "item": _post_item,
    "attendance": _post_attendance,
    "student_view": _post_student_view,
    "decision": _post_decision,
    "notes": _post_notes,
    "approve": _post_approve,
    "next": _post_next,
}


@login_required
@require_POST
def meeting_post(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One door for every change to a meeting; the service decides whether it is allowed."""
    user: User = request.user  # type: ignore[assignment]
    meeting, _manager = _meeting_for(user, meeting_id)
    handler = HANDLERS.get(request.POST.get("do", ""))
    if handler is None:
        raise Http404
    try:
        done = handler(request, user, meeting)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("meetings:detail", meeting_id=meeting.pk)
