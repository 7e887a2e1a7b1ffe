"""Writes of referrals and consents. One door per change: access, lock, version, event, notice.

Every step is checked against `workflow.TRANSITIONS` and against who takes it (the school's
care team or a worker of the receiving organisation, decided by the access policy). A step
based on an older version of the referral is refused, so two people never overwrite each other.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    SHAREABLE_PARTS,
    is_own_file,
    may_share_in_emergency,
    provider_worker_ids,
    referral_side,
    student_access,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.core.dates import in_words
from schakelpunt.directory.models import Service, ServiceStatus
from schakelpunt.events.services import emit
from schakelpunt.notifications.services import neutral_name, notify
from schakelpunt.privacy.register import Activity
from schakelpunt.students.models import Student
from schakelpunt.support.selectors import open_trajectory_for

from .consent import consent_problems
from .models import (
    Advice,
    Consent,
    ConsentBasis,
    EndReason,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Urgency,
)
from .workflow import next_statuses, transition_allowed

# An emergency share without consent lasts this long; after that, consent is needed.
EMERGENCY_DAYS = 14


class ReferralError(Exception):
    """A change that is not allowed; the message is Dutch and shown to the user."""


class StaleReferralError(ReferralError):
    pass


class ReferralStateError(ReferralError):
    """The referral's step does not allow this now; `allowed` are the steps that do."""

    def __init__(self, message: str, *, status: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.status = status
        self.allowed = allowed


def _may_refer(actor: User, student: Student) -> bool:
    return student_access(actor, student).allows(Action.CHANGE, Part.REFERRALS)


def account_for_service(service: Service) -> Organisation:
    """The organisation in Schakelpunt that receives referrals to this service.

    A provider on the sociale kaart that does not work in Schakelpunt yet gets an
    organisation here, so the referral has an address; the functional administrator can
    then invite its workers.
    """
    entry = service.organisation
    if entry.account is not None:
        return entry.account
    account = Organisation.objects.create(
        name=entry.name,
        kind=OrganisationKind.CARE_PROVIDER,
        municipality=entry.municipality,
    )
    entry.account = account
    entry.save(update_fields=["account"])
    return account


@dataclass(frozen=True)
class ConsentInput:
    student_agrees: bool = False
    parent_name: str = ""
    expires_on: date | None = None
    emergency_reason: str = ""  # set: share without consent (separate permission)


def _consent_for(
    *,
    actor: User,
    student: Student,
    organisation: Organisation,
    parts: list[str],
    given: ConsentInput,
    today: date,
) -> Consent:
    if given.emergency_reason.strip():
        if not may_share_in_emergency(actor, student):
            raise ReferralError(_("U mag niet delen zonder toestemming."))
        return Consent.objects.create(
            student=student,
            organisation=organisation,
            parts=parts,
            basis=ConsentBasis.EMERGENCY,
            given_on=today,
            expires_on=today + timedelta(days=EMERGENCY_DAYS),
            student_agrees=False,
            emergency_reason=given.emergency_reason.strip(),
            recorded_by=actor,
        )
    problems = consent_problems(
        student, today, student_agrees=given.student_agrees, parent_name=given.parent_name
    )
    if given.expires_on is not None and given.expires_on < today:
        problems.append(_("De einddatum van de toestemming ligt in het verleden."))
    if problems:
        raise ReferralError(" ".join(problems))
    return Consent.objects.create(
        student=student,
        organisation=organisation,
        parts=parts,
        given_on=today,
        expires_on=given.expires_on,
        student_agrees=given.student_agrees,
        parent_name=given.parent_name.strip(),
        recorded_by=actor,
    )


def referral_create(
    *,
    actor: User,
    student_id: int,
    service_id: int,
    question: str,
    urgency: str = Urgency.NORMAL,
    parts: list[str],
    consent: ConsentInput,
    send: bool = True,
) -> Referral:
    """Refer a student to a service, with the consent that covers exactly the shared parts."""
    today = timezone.localdate()
    with transaction.atomic():
        student = Student.objects.select_for_update(of=("self",)).filter(pk=student_id).first()
        if student is None or not _may_refer(actor, student):
            raise ReferralError(_("U mag deze student niet verwijzen."))
        service = Service.objects.select_related("organisation__account").get(pk=service_id)
        if service.status != ServiceStatus.ACTIVE:
            raise ReferralError(_("Dit aanbod is niet actief; kies ander aanbod."))
        if not question.strip():
            raise ReferralError(_("Beschrijf de hulpvraag."))
        chosen = [p for p in Part.values if p in parts]
        if not chosen:
            raise ReferralError(_("Kies welke onderdelen u deelt."))
        if set(chosen) - {str(p) for p in SHAREABLE_PARTS}:
            raise ReferralError(_("Persoonsgegevens buiten de gekozen onderdelen deelt u niet."))
        organisation = account_for_service(service)
        given = _consent_for(
            actor=actor,
            student=student,
            organisation=organisation,
            parts=chosen,
            given=consent,
            today=today,
        )
        trajectory = open_trajectory_for(student)
        referral = Referral.objects.create(
            student=student,
            to_organisation=organisation,
            service=service,
            service_name=service.name,
            trajectory=trajectory,
            question=question.strip(),
            urgency=urgency,
            shared_parts=chosen,
            consent=given,
            created_by=actor,
        )
        access_log_record(
            actor=actor,
            activity=Activity.REFERRAL,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.REFERRALS],
            role="referral",
            path=reverse("referrals:detail", args=[referral.pk]),
        )
        if send:
            _step(referral, ReferralStatus.SENT, actor=actor, note="")
        emit(given)
    return referral


def _locked(referral_id: int, expected_version: int | None) -> Referral:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("student__programme", "to_organisation", "service", "trajectory")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise ReferralError(_("Deze verwijzing bestaat niet."))
    if expected_version is not None and referral.version != expected_version:
        raise StaleReferralError(
            _(
                "Iemand anders heeft deze verwijzing intussen gewijzigd. "
                "Bekijk de nieuwe stand en probeer het opnieuw."
            )
        )
    return referral


@dataclass(frozen=True)
class StepInput:
    note: str = ""
    first_contact_on: date | None = None
    help_started_on: date | None = None
    outcome: str = ""
    end_reason: str = ""
    ended_on: date | None = None  # empty: today


def referral_step(
    *,
    actor: User,
    referral_id: int,
    to_status: str,
    expected_version: int | None,
    details: StepInput | None = None,
) -> Referral:
    """Move a referral one step on, as the school or as the provider."""
    details = details or StepInput()
    with transaction.atomic():
        referral = _locked(referral_id, expected_version)
        side = referral_side(actor, referral)
        if side is None or not transition_allowed(referral.status, to_status, side):
            raise ReferralStateError(
                _("Deze stap kan nu niet: de verwijzing staat op '%(status)s'.")
                % {"status": referral.get_status_display()},
                status=referral.status,
                allowed=next_statuses(referral.status, side) if side else [],
            )
        _check_details(referral, to_status, details)
        _step(referral, to_status, actor=actor, note=details.note.strip(), details=details)
    return referral


def _check_details(referral: Referral, to_status: str, details: StepInput) -> None:
    today = timezone.localdate()
    if to_status == ReferralStatus.DECLINED and not details.note.strip():
        raise ReferralError(_("Geef de reden waarom u de verwijzing afwijst."))
    if to_status == ReferralStatus.WITHDRAWN and not details.note.strip():
        raise ReferralError(_("Geef de reden waarom de school de verwijzing intrekt."))
    if to_status == ReferralStatus.FIRST_CONTACT:
        when = details.first_contact_on or today
        if when > today:
            raise ReferralError(_("Het eerste contact kan niet in de toekomst liggen."))
        if referral.accepted_on and when < referral.accepted_on:
            raise ReferralError(_("Het eerste contact ligt vóór de acceptatie."))
    if to_status == ReferralStatus.HELP_STARTED:
        when = details.help_started_on or today
        if when > today or (referral.first_contact_on and when < referral.first_contact_on):
            raise ReferralError(_("De startdatum ligt niet tussen eerste contact en vandaag."))
    if to_status == ReferralStatus.ENDED:
        when = details.ended_on or today
        if when > today:
            raise ReferralError(_("De einddatum kan niet in de toekomst liggen."))
        earlier = [
            d
            for d in (referral.accepted_on, referral.first_contact_on, referral.help_started_on)
            if d is not None
        ]
        if earlier and when < max(earlier):
            raise ReferralError(_("De einddatum ligt vóór een eerdere stap van de verwijzing."))
        if details.outcome not in Outcome.values:
            raise ReferralError(_("Kies of de hulp geslaagd is."))
        if details.outcome == Outcome.NOT_SUCCESSFUL and details.end_reason not in EndReason.values:
            raise ReferralError(_("Kies waarom de hulp niet geslaagd is."))
        if referral.status == ReferralStatus.ACCEPTED and details.outcome == Outcome.SUCCESSFUL:
            raise ReferralError(
                _("Zonder eerste contact kan de hulp niet geslaagd zijn; kies een reden.")
            )


def _step(
    referral: Referral,
    to_status: str,
    *,
    actor: User | None,
    note: str,
    details: StepInput | None = None,
) -> None:
    details = details or StepInput()
    now = timezone.now()
    today = timezone.localdate()
    old = referral.status
    if to_status == ReferralStatus.SENT:
        referral.sent_at = now
    elif to_status == ReferralStatus.RECEIVED:
        referral.received_at = now
    elif to_status == ReferralStatus.ACCEPTED:
        referral.received_at = referral.received_at or now
        referral.accepted_on = today
        days = referral.service.first_contact_days if referral.service else 8
        referral.first_contact_days = days
        referral.first_contact_due = today + timedelta(days=days)
    elif to_status == ReferralStatus.DECLINED:
        referral.received_at = referral.received_at or now
        referral.decline_reason = note
    elif to_status == ReferralStatus.FIRST_CONTACT:
        referral.first_contact_on = details.first_contact_on or today
    elif to_status == ReferralStatus.HELP_STARTED:
        referral.help_started_on = details.help_started_on or today
    elif to_status == ReferralStatus.ENDED:
        referral.ended_on = details.ended_on or today
        referral.outcome = details.outcome
        referral.end_reason = details.end_reason if details.outcome != Outcome.SUCCESSFUL else ""
        referral.closing_note = note
    elif to_status == ReferralStatus.WITHDRAWN:
        referral.closing_note = note
    referral.status = to_status
    referral.updated_at = now
    referral.version += 1
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, from_status=old, to_status=to_status, note=note, at=now, actor=actor
    )
    emit(referral)
    _notify_step(referral, actor)


def _school_people(referral: Referral) -> set[int]:
    people = {referral.created_by_id} if referral.created_by_id else set()
    trajectory = referral.trajectory or open_trajectory_for(referral.student)
    if trajectory is not None and trajectory.coordinator_id:
        people.add(trajectory.coordinator_id)
    return people


def _notify_step(referral: Referral, actor: User | None) -> None:
    """The school's coordinator and the student always; the provider's workers without the
    student's name until they have accepted."""
    student = referral.student
    status = referral.get_status_display().lower()
    detail = reverse("referrals:detail", args=[referral.pk])
    values = {"service": referral.title, "status": status}
    school = _school_people(referral)
    if student.user_id and referral.status != ReferralStatus.DRAFT:
        school.add(student.user_id)
    notify(
        actor=actor,
        student=student,
        recipients=school,
        staff_message=_("Verwijzing van %(name)s naar %(service)s: %(status)s."),
        student_message=_("Je verwijzing naar %(service)s: %(status)s."),
        values=values,
        neutral=neutral_name(referral.pk),
        url=detail,
        urls={student.user_id: reverse("students:own")} if student.user_id else None,
    )
    providers = set(provider_worker_ids(referral.to_organisation_id)) - school
    if not providers or referral.status == ReferralStatus.DRAFT:
        return
    # Named only to those who may see the student by now (after acceptance, with consent).
    notify(
        actor=actor,
        student=student,
        recipients=providers,
        staff_message=_("Verwijzing van %(name)s naar %(service)s: %(status)s."),
        student_message="",
        values=values,
        neutral=neutral_name(referral.pk),
        url=detail,
    )


# Advice comes from a provider who took the question on, also after the help ended.
ADVICE_STATUSES = frozenset(
    {
        ReferralStatus.ACCEPTED,
        ReferralStatus.FIRST_CONTACT,
        ReferralStatus.HELP_STARTED,
        ReferralStatus.ENDED,
    }
)


def advice_add(*, actor: User, referral_id: int, text: str) -> Advice:
    """The provider's handelingsadvies for the school; it lands in the student's plan."""
    if not text.strip():
        raise ReferralError(_("Schrijf het advies op."))
    with transaction.atomic():
        referral = _locked(referral_id, None)
        if referral_side(actor, referral) != "provider":
            raise ReferralError(_("U kunt bij deze verwijzing geen advies geven."))
        if referral.status not in ADVICE_STATUSES:
            raise ReferralStateError(
                _("U kunt bij deze verwijzing geen advies geven."),
                status=referral.status,
                allowed=next_statuses(referral.status, "provider"),
            )
        advice = Advice.objects.create(referral=referral, text=text.strip(), given_by=actor)
        notify(
            actor=actor,
            student=referral.student,
            recipients=_school_people(referral),
            staff_message=_("Handelingsadvies van %(org)s voor %(name)s."),
            student_message="",
            values={"org": referral.to_organisation},
            neutral=neutral_name(referral.pk),
        )
    return advice


def consent_withdraw(*, actor: User, consent_id: int) -> Consent:
    """The student (or the care team on their behalf) withdraws: access stops at once."""
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update(of=("self",))
            .select_related("student__programme", "organisation")
            .filter(pk=consent_id)
            .first()
        )
        if consent is None:
            raise ReferralError(_("Deze toestemming bestaat niet."))
        student = consent.student
        if not is_own_file(actor, student) and not _may_refer(actor, student):
            raise ReferralError(_("U mag deze toestemming niet intrekken."))
        if consent.withdrawn_at is not None:
            return consent
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        emit(consent)
        access_log_record(
            actor=actor,
            activity=Activity.REFERRAL,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.REFERRALS],
            role="consent_withdrawn",
            path=f"consent:{consent.pk}",
        )
        open_referrals = consent.referrals.exclude(
            status__in=[ReferralStatus.DECLINED, ReferralStatus.ENDED, ReferralStatus.WITHDRAWN]
        )
        school: set[int] = set()
        numbers: list[int] = []
        for referral in open_referrals:
            school |= _school_people(referral)
            numbers.append(referral.pk)
        # Sent after the withdrawal: the provider's workers no longer see the name.
        notify(
            actor=actor,
            student=student,
            recipients=school | set(provider_worker_ids(consent.organisation_id)),
            staff_message=_(
                "%(name)s heeft de toestemming om te delen met %(org)s ingetrokken. "
                "%(org)s ziet het dossier niet meer."
            ),
            student_message=_("Je hebt je toestemming voor %(org)s ingetrokken."),
            values={"org": consent.organisation},
            neutral=neutral_name(min(numbers)) if numbers else neutral_name(),
        )
    return consent


def escalate_overdue_referrals(today: date) -> int:
    """Referrals whose first contact is overdue go to the care coordinator, once each."""
    from .selectors import referrals_overdue
    from .transition import _coordinators

    count = 0
    for referral in (
        referrals_overdue(today)
        .filter(escalated_at__isnull=True)
        .select_related("student__programme", "to_organisation")
    ):
        with transaction.atomic():
            if not Referral.objects.filter(pk=referral.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now()
            ):
                continue
            notify(
                actor=None,
                student=referral.student,
                recipients=_coordinators(referral.student) | _school_people(referral),
                staff_message=_(
                    "Eerste contact te laat: %(name)s bij %(service)s (afgesproken uiterlijk "
                    "%(day)s). Neem contact op met de aanbieder."
                ),
                neutral=neutral_name(referral.pk),
                values={
                    "service": referral.title,
                    "day": in_words(referral.first_contact_due)
                    if referral.first_contact_due
                    else "",
                },
                student_message="",
                url=reverse("referrals:detail", args=[referral.pk]),
            )
        count += 1
    return count
