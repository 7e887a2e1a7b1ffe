"""The student's correction requests (AVG art. 16) and objections (AVG art. 21).

The student asks; the care coordinator(s) of the student's school answer within one calendar
month (AVG art. 12 lid 3) with a reason the student reads on "Mijn gegevens". An upheld
objection switches the processing off for that student: for the early warning
(`Activity.EARLY_WARNING`) its rows and untouched signals go at once, and the morning run
(`signals.daily`) computes nothing for the student any more.

Who may ask and who answers is decided in access/policy.py (`may_make_privacy_request`,
`privacy_requests_scope`, `may_handle_privacy_request`); every staff read and answer is in
the access log with the activity RIGHTS.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    may_handle_privacy_request,
    may_make_privacy_request,
    privacy_requests_scope,
    student_access,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Membership, Organisation, User
from schakelpunt.accounts.roles import Role
from schakelpunt.core.dates import in_words, months_after
from schakelpunt.notifications.services import notify
from schakelpunt.signals.models import Concern, ConcernSource, ConcernStatus, EarlyWarning
from schakelpunt.students.models import Student

from .models import CorrectionRequest, Objection, RequestStatus
from .register import ACTIVITIES, Activity, LegalBasis

# What a student writes, and what a coordinator answers, at most.
TEXT_MAX = 2000
ANSWER_MAX = 4000
# How a correction request is answered; an objection is upheld (GRANTED) or refused.
ANSWER_STATUSES = (RequestStatus.GRANTED, RequestStatus.PARTLY, RequestStatus.REFUSED)
DECISION_STATUSES = (RequestStatus.GRANTED, RequestStatus.REFUSED)


class StaleRequestError(ValidationError):
    """Someone answered (or changed) the request after this form was opened; nothing saved."""


def request_deadline(received: date) -> date:
    """One calendar month after receipt (AVG art. 12 lid 3): 31 January -> 28/29 February."""
    return months_after(received, 1)


def _clean_text(value: str, *, empty: str, maximum: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(empty, code="required")
    if len(text) > maximum:
        raise ValidationError(
            _("Gebruik hoogstens %(max)s tekens (nu %(n)s).") % {"max": maximum, "n": len(text)},
            code="max_length",
        )
    return text


def _handlers_of(student: Student) -> list[int]:
    """The care coordinators who answer this student's requests (the policy decides)."""
    candidates = (
        User.objects.filter(
            pk__in=Membership.objects.active()
            .filter(role=Role.CARE_COORDINATOR, organisation_id=student.institution_id)
            .values("user_id"),
            is_active=True,
        )
        .order_by("pk")
        .distinct()
    )
    return [user.pk for user in candidates if may_handle_privacy_request(user, student)]


def _roles(actor: User, student: Student) -> str:
    return student_access(actor, student).roles or Role.CARE_COORDINATOR.value


def _hub_url() -> str:
    return reverse("privacy:my_data")


# -- the student asks ---------------------------------------------------------------------


def correction_text(wrong: str, should_be: str) -> str:
    """The two answers of the form as one text, as the coordinator reads it."""
    return _("Wat klopt er niet:\n%(wrong)s\n\nWat het moet zijn:\n%(should_be)s") % {
        "wrong": wrong,
        "should_be": should_be,
    }


def correction_request_make(
    *, actor: User, student: Student, part: str, wrong: str, should_be: str
) -> CorrectionRequest:
    """The student asks to correct a part of their file; the coordinators hear of it."""
    if not may_make_privacy_request(actor, student):
        raise PermissionDenied
    errors: dict[str, ValidationError] = {}
    if part not in Part.values:
        errors["part"] = ValidationError(_("Kies over welk deel van je gegevens het gaat."))
    cleaned: dict[str, str] = {}
    for name, value, empty in (
        ("wrong", wrong, _("Schrijf op wat er niet klopt.")),
        ("should_be", should_be, _("Schrijf op wat het wel moet zijn.")),
    ):
        try:
            cleaned[name] = _clean_text(value, empty=empty, maximum=TEXT_MAX)
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    with transaction.atomic():
        request = CorrectionRequest.objects.create(
            student=student,
            part=part,
            text=correction_text(cleaned["wrong"], cleaned["should_be"]),
            requested_by=actor,
            deadline=request_deadline(today),
        )
        notify(
            actor=actor,
            student=student,
            recipients=_handlers_of(student),
            staff_message=_("%(name)s vraagt om een correctie van gegevens (uiterlijk %(day)s)."),
            student_message=_("Je vraag om iets te verbeteren is verstuurd."),
            values={"day": in_words(request.deadline)},
            url=reverse("privacy:correction_detail", args=[request.pk]),
        )
    return request


def objection_make(*, actor: User, student: Student, activity: str, reason: str) -> Objection:
    """The student objects to a processing the register marks objectable."""
    if not may_make_privacy_request(actor, student):
        raise PermissionDenied
    info = ACTIVITIES.get(Activity(activity)) if activity in Activity.values else None
    if info is None or not info.objectable:
        raise ValidationError({"activity": why_no_objection(info.legal_basis if info else None)})
    text = _clean_text(reason, empty=_("Schrijf op waarom je bezwaar maakt."), maximum=TEXT_MAX)
    with transaction.atomic():
        # One student's objections are made one at a time: lock the student.
        Student.objects.select_for_update().filter(pk=student.pk).exists()
        earlier = Objection.objects.filter(student=student, activity=activity)
        if earlier.filter(status=RequestStatus.OPEN).exists():
            raise ValidationError(
                {"activity": _("Je hebt hier al bezwaar tegen gemaakt. We kijken daar nog naar.")}
            )
        if earlier.filter(status=RequestStatus.GRANTED).exists():
            raise ValidationError(
                {"activity": _("Je bezwaar hiertegen is al toegewezen. Dit staat voor jou uit.")}
            )
        objection = Objection.objects.create(
            student=student,
            activity=activity,
            reason=text,
            requested_by=actor,
            deadline=request_deadline(timezone.localdate()),
        )
        notify(
            actor=actor,
            student=student,
            recipients=_handlers_of(student),
            staff_message=_("%(name)s maakt bezwaar tegen %(activity)s (uiterlijk %(day)s)."),
            student_message=_("Je bezwaar is verstuurd."),
            values={
                "activity": str(Activity(activity).label).lower(),
                "day": in_words(objection.deadline),
            },
            url=reverse("privacy:objection_detail", args=[objection.pk]),
        )
    return objection


# Why a student cannot object to a processing, per legal basis, in plain words.
_NO_OBJECTION = {
    LegalBasis.LEGAL_DUTY: gettext_lazy(
        "Dit moet de school doen van de wet. Daarom kun je hier geen bezwaar tegen maken."
    ),
    LegalBasis.CONSENT: gettext_lazy(
        "Dit gebeurt alleen als jij toestemming geeft. Je kunt je toestemming altijd intrekken."
    ),
    LegalBasis.VITAL_INTEREST: gettext_lazy(
        "Dit gebeurt alleen in een noodgeval, om jou te beschermen."
    ),
    LegalBasis.PUBLIC_TASK: gettext_lazy(
        "Hier staan geen namen in. Daarom kun je hier geen bezwaar tegen maken."
    ),
}


# The same, after the basis was already named ("Dit moet van de wet.").
_NO_OBJECTION_AFTER_BASIS = {
    LegalBasis.LEGAL_DUTY: gettext_lazy("Daarom kun je hier geen bezwaar tegen maken."),
    LegalBasis.CONSENT: gettext_lazy("Je kunt je toestemming altijd intrekken."),
}


def why_no_objection(basis: str | None) -> str:
    if basis is None:
        return str(_("Kies waar je bezwaar tegen maakt."))
    return str(_NO_OBJECTION.get(LegalBasis(basis), _NO_OBJECTION[LegalBasis.LEGAL_DUTY]))


# -- the coordinator answers --------------------------------------------------------------


def _stale() -> StaleRequestError:
    return StaleRequestError(
        _(
            "Iemand anders heeft dit verzoek intussen beantwoord of gewijzigd. Uw antwoord is "
            "niet opgeslagen; bekijk de nieuwe stand."
        ),
        code="stale",
    )


def correction_request_answer(
    *,
    actor: User,
    request_id: int,
    expected_version: int,
    status: str,
    answer: str,
    path: str = "",
) -> CorrectionRequest:
    """Granted, partly granted or refused, with an answer the student reads. The
    coordinator makes the correction itself in the student's file; the answer says what was
    done."""
    with transaction.atomic():
        request = (
            CorrectionRequest.objects.select_for_update()
            .select_related("student")
            .filter(pk=request_id)
            .first()
        )
        if request is None or not may_handle_privacy_request(actor, request.student):
            raise PermissionDenied
        if request.version != expected_version or request.status != RequestStatus.OPEN:
            raise _stale()
        errors: dict[str, ValidationError] = {}
        if status not in ANSWER_STATUSES:
            errors["status"] = ValidationError(_("Kies: toegewezen, deels of afgewezen."))
        try:
            text = _clean_text(
                answer, empty=_("Schrijf het antwoord aan de student."), maximum=ANSWER_MAX
            )
        except ValidationError as error:
            errors["answer"] = error
        if errors:
            raise ValidationError(errors)
        request.status = status
        request.answer = text
        request.answered_by = actor
        request.answered_at = timezone.now()
        request.version += 1
        request.save(update_fields=["status", "answer", "answered_by", "answered_at", "version"])
        student = request.student
        access_log_record(
            actor=actor,
            students=[student],
            action=Action.CHANGE,
            parts=[Part(request.part)] if request.part in Part.values else [Part.IDENTITY],
            role=_roles(actor, student),
            path=path or f"privacy/correction/{request.pk}/answer",
            activity=Activity.RIGHTS,
        )
        if student.user_id:
            notify(
                actor=actor,
                student=student,
                recipients=[student.user_id],
                staff_message="",
                student_message=_("Je vraag om iets te verbeteren is beantwoord."),
                url=_hub_url(),
            )
    return request


def _early_warning_off(student: Student, actor: User) -> None:
    """The early warning stops for this student: its computed row goes, and so do its
    signals nobody acted on; a signal someone already picked up is closed with the reason
    (that work is part of the student's support, which is a legal duty)."""
    # Serialise with the morning run, which writes the institution's warnings under this lock.
    Organisation.objects.select_for_update().filter(pk=student.institution_id).exists()
    EarlyWarning.objects.filter(student=student).delete()
    signals = Concern.objects.filter(student=student, source=ConcernSource.EARLY_WARNING).exclude(
        status=ConcernStatus.CLOSED
    )
    signals.filter(first_action_at__isnull=True, status=ConcernStatus.NEW).delete()
    now = timezone.now()
    signals.update(
        status=ConcernStatus.CLOSED,
        closed_at=now,
        closed_reason=_(
            "De student maakte bezwaar tegen vroegsignalering; het bezwaar is toegewezen."
        ),
    )


# What an upheld objection switches off, per activity.
SWITCH_OFF = {Activity.EARLY_WARNING: _early_warning_off}


def objection_decide(
    *,
    actor: User,
    objection_id: int,
    expected_version: int,
    status: str,
    decision: str,
    path: str = "",
) -> Objection:
    """Upheld (GRANTED: the processing is off for the student from now on) or refused, with
    a reason the student reads."""
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update()
            .select_related("student")
            .filter(pk=objection_id)
            .first()
        )
        if objection is None or not may_handle_privacy_request(actor, objection.student):
            raise PermissionDenied
        if objection.version != expected_version or objection.status != RequestStatus.OPEN:
            raise _stale()
        errors: dict[str, ValidationError] = {}
        if status not in DECISION_STATUSES:
            errors["status"] = ValidationError(_("Kies: bezwaar toewijzen of afwijzen."))
        try:
            text = _clean_text(
                decision, empty=_("Schrijf het besluit en de reden op."), maximum=ANSWER_MAX
            )
        except ValidationError as error:
            errors["decision"] = error
        if errors:
            raise ValidationError(errors)
        objection.status = status
        objection.decision = text
        objection.decided_by = actor
        objection.decided_at = timezone.now()
        objection.version += 1
        objection.save(update_fields=["status", "decision", "decided_by", "decided_at", "version"])
        student = objection.student
        if status == RequestStatus.GRANTED and objection.activity in SWITCH_OFF:
            SWITCH_OFF[Activity(objection.activity)](student, actor)
        access_log_record(
            actor=actor,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.SUPPORT],
            role=_roles(actor, student),
            path=path or f"privacy/objection/{objection.pk}/decide",
            activity=Activity.RIGHTS,
        )
        if student.user_id:
            notify(
                actor=actor,
                student=student,
                recipients=[student.user_id],
                staff_message="",
                student_message=_("Er is een besluit over je bezwaar."),
                url=_hub_url(),
            )
    return objection


# -- selectors ----------------------------------------------------------------------------


# The status of a request as the student reads it.
STATUS_WORDS: dict[str, dict[str, Promise]] = {
    "correction": {
        RequestStatus.OPEN: gettext_lazy("We kijken ernaar"),
        RequestStatus.GRANTED: gettext_lazy("Verbeterd"),
        RequestStatus.PARTLY: gettext_lazy("Voor een deel verbeterd"),
        RequestStatus.REFUSED: gettext_lazy("Niet verbeterd"),
    },
    "objection": {
        RequestStatus.OPEN: gettext_lazy("We kijken ernaar"),
        RequestStatus.GRANTED: gettext_lazy("Je krijgt gelijk: dit staat voor jou uit"),
        RequestStatus.PARTLY: gettext_lazy("Je krijgt voor een deel gelijk"),
        RequestStatus.REFUSED: gettext_lazy("Afgewezen: dit gaat door"),
    },
}

# The legal basis of a processing as the student reads it.
BASIS_WORDS = {
    LegalBasis.LEGAL_DUTY: gettext_lazy("Dit moet van de wet."),
    LegalBasis.PUBLIC_TASK: gettext_lazy("Dit hoort bij de taak van de school."),
    LegalBasis.CONSENT: gettext_lazy("Dit mag alleen als jij toestemming geeft."),
    LegalBasis.VITAL_INTEREST: gettext_lazy("Dit mag alleen in een noodgeval."),
}


@dataclass(frozen=True)
class ActivityRow:
    """One way Schakelpunt uses the student's data, for "Mijn gegevens"."""

    activity: str
    why: str  # the register's plain words: "om je te begeleiden op school"
    basis: str
    objectable: bool
    no_objection: str  # why the student cannot object, when they cannot
    consent: bool  # rests on consent: withdraw it instead
    off: bool  # an upheld objection switched it off for this student
    waiting: bool  # an objection is open


def activities_for(student: Student, *, upheld: set[str], waiting: set[str]) -> list[ActivityRow]:
    """The processing activities of the register that concern this student: help from
    outside school only with a referral or consent, parents only when the file names some,
    the follow-up of leavers only without a diploma that counts. The student's own reading
    and requests are left out: they do those themselves."""
    skip = {Activity.OWN_FILE, Activity.RIGHTS}
    if not (student.referrals.exists() or student.consents.exists()):
        skip |= {Activity.REFERRAL, Activity.CARE}
    if not student.guardians.exists():
        skip.add(Activity.PARENT)
    if student.has_basic_qualification:
        skip.add(Activity.RMC)
    rows = []
    for code, info in ACTIVITIES.items():
        if code in skip:
            continue
        rows.append(
            ActivityRow(
                activity=code.value,
                why=str(info.plain),
                basis=str(BASIS_WORDS[info.legal_basis]),
                objectable=info.objectable,
                no_objection=""
                if info.objectable
                else str(
                    _NO_OBJECTION_AFTER_BASIS.get(info.legal_basis)
                    or why_no_objection(info.legal_basis)
                ),
                consent=info.legal_basis == LegalBasis.CONSENT,
                off=code.value in upheld,
                waiting=code.value in waiting,
            )
        )
    return rows


def correction_requests_of(student: Student) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(student=student).order_by("-requested_at", "-pk")


def objections_of(student: Student) -> QuerySet[Objection]:
    return Objection.objects.filter(student=student).order_by("-requested_at", "-pk")


def upheld_activities(student: Student) -> set[str]:
    return set(
        Objection.objects.filter(student=student, status=RequestStatus.GRANTED).values_list(
            "activity", flat=True
        )
    )


def open_objection_activities(student: Student) -> set[str]:
    return set(
        Objection.objects.filter(student=student, status=RequestStatus.OPEN).values_list(
            "activity", flat=True
        )
    )


@dataclass(frozen=True)
class QueueItem:
    """One request in the coordinators' queue: a correction or an objection."""

    kind: str  # "correction" | "objection"
    pk: int
    student: Student
    subject: str  # the part, or the processing objected to
    requested_at: datetime
    deadline: date
    status: str
    status_label: str
    url: str
    part: Part
    done_at: datetime | None = None

    def overdue_on(self, today: date) -> bool:
        return self.status == RequestStatus.OPEN and self.deadline < today


# How many answered requests the queue shows below the open ones.
RECENTLY_ANSWERED = 20


def _queue_items(user: User, *, open_ones: bool, limit: int | None = None) -> list[QueueItem]:
    scope = privacy_requests_scope(user)
    corrections = CorrectionRequest.objects.filter(scope).select_related("student")
    objections = Objection.objects.filter(scope).select_related("student")
    if open_ones:
        corrections = corrections.filter(status=RequestStatus.OPEN)
        objections = objections.filter(status=RequestStatus.OPEN)
    else:
        corrections = corrections.exclude(status=RequestStatus.OPEN).order_by("-answered_at")
        objections = objections.exclude(status=RequestStatus.OPEN).order_by("-decided_at")
        if limit:
            corrections, objections = corrections[:limit], objections[:limit]
    items = [
        QueueItem(
            kind="correction",
            pk=c.pk,
            student=c.student,
            subject=str(Part(c.part).label) if c.part in Part.values else c.part,
            requested_at=c.requested_at,
            deadline=c.deadline,
            status=c.status,
            status_label=c.get_status_display(),
            url=reverse("privacy:correction_detail", args=[c.pk]),
            part=Part(c.part) if c.part in Part.values else Part.IDENTITY,
            done_at=c.answered_at,
        )
        for c in corrections
    ] + [
        QueueItem(
            kind="objection",
            pk=o.pk,
            student=o.student,
            subject=str(o.get_activity_display()),
            requested_at=o.requested_at,
            deadline=o.deadline,
            status=o.status,
            status_label=o.get_status_display(),
            url=reverse("privacy:objection_detail", args=[o.pk]),
            part=Part.SUPPORT,
            done_at=o.decided_at,
        )
        for o in objections
    ]
    if open_ones:
        items.sort(key=lambda i: (i.deadline, i.kind, i.pk))
        return items
    items.sort(key=lambda i: (i.done_at or i.requested_at, i.pk), reverse=True)
    return items[:limit] if limit else items


def request_queue(user: User) -> list[QueueItem]:
    """The open requests of the students this user answers for, the nearest deadline first."""
    return _queue_items(user, open_ones=True)


def recently_answered(user: User) -> list[QueueItem]:
    return _queue_items(user, open_ones=False, limit=RECENTLY_ANSWERED)


def correction_for_handler(user: User, request_id: int) -> CorrectionRequest | None:
    return (
        CorrectionRequest.objects.filter(privacy_requests_scope(user))
        .select_related("student", "answered_by")
        .filter(pk=request_id)
        .first()
    )


def objection_for_handler(user: User, objection_id: int) -> Objection | None:
    return (
        Objection.objects.filter(privacy_requests_scope(user))
        .select_related("student", "decided_by")
        .filter(pk=objection_id)
        .first()
    )


def log_request_read(*, actor: User, student: Student, part: Part, path: str) -> None:
    """A coordinator opened a request: a read of the student's data for the student's rights."""
    access_log_record(
        actor=actor,
        students=[student],
        action=Action.VIEW,
        parts=[part],
        role=_roles(actor, student),
        path=path,
        activity=Activity.RIGHTS,
    )
