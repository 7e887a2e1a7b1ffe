"""Leaving school and aftercare; a student who comes back gets the earlier plan back.

An early leaver (no startkwalificatie, under 23) gets aftercare contacts after 1, 3 and 6
months and is on the RMC list (the access policy reads `left_on` and the qualification).
Students whose leaving came in by the student import get the same, from the daily job.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import RMC_AGE_LIMIT, student_access
from schakelpunt.accounts.models import User
from schakelpunt.core.dates import months_after
from schakelpunt.students.models import Student
from schakelpunt.support.models import CloseReason, SupportPlan, Trajectory, TrajectoryState
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import trajectory_move, trajectory_open

from .models import (
    AftercareContact,
    AftercareOutcome,
    Departure,
    Destination,
    IntakeConversation,
    LeavingReason,
    NonArrival,
)

AFTERCARE_MONTHS = (1, 3, 6)


def _require(actor: User, student: Student) -> None:
    access = student_access(actor, student)
    if not access.allows(Action.CHANGE, Part.ENROLMENT) or not access.allows(
        Action.CHANGE, Part.SUPPORT
    ):
        raise PermissionDenied


def is_early_leaver(student: Student, with_basic_qualification: bool, left_on: date) -> bool:
    return not with_basic_qualification and student.age_on(left_on) < RMC_AGE_LIMIT


def _plan_contacts(departure: Departure) -> None:
    AftercareContact.objects.bulk_create(
        AftercareContact(departure=departure, months=m, due_on=months_after(departure.left_on, m))
        for m in AFTERCARE_MONTHS
    )


def departure_record(
    *,
    actor: User,
    student_id: int,
    left_on: date,
    reason: str,
    destination: str,
    with_basic_qualification: bool,
    note: str = "",
) -> Departure:
    """Record that a student left: the file says so, support closes, aftercare is planned."""
    if reason not in LeavingReason.values or destination not in Destination.values:
        raise ValidationError(_("Kies een reden en een bestemming."))
    if left_on > timezone.localdate() + timedelta(days=31):
        raise ValidationError(_("De datum van uitschrijving ligt te ver in de toekomst."))
    with transaction.atomic():
        student = Student.objects.select_for_update().get(pk=student_id)
        _require(actor, student)
        if student.left_on is not None:
            raise ValidationError(_("Deze student is al uitgeschreven."))
        if left_on < student.enrolled_on:
            raise ValidationError(_("De student kan niet vertrekken voor de inschrijving."))
        student.left_on = left_on
        if with_basic_qualification and not student.has_basic_qualification:
            # Obtained on leaving: absence before that day still counted.
            student.basic_qualification_on = student.basic_qualification_on or left_on
        student.has_basic_qualification = (
            student.has_basic_qualification or with_basic_qualification
        )
        student.save(update_fields=["left_on", "has_basic_qualification", "basic_qualification_on"])
        departure = Departure.objects.create(
            student=student,
            left_on=left_on,
            reason=reason,
            destination=destination,
            with_basic_qualification=student.has_basic_qualification,
            note=note.strip(),
            recorded_by=actor,
        )
        trajectory = (
            Trajectory.objects.filter(student=student).exclude(state=TrajectoryState.CLOSED).first()
        )
        if trajectory is not None:
            trajectory_move(
                actor=actor,
                trajectory_id=trajectory.pk,
                to_state=TrajectoryState.CLOSED,
                expected_version=trajectory.version,
                reason=_("Uitgeschreven: %(reason)s") % {"reason": LeavingReason(reason).label},
                close_reason=CloseReason.LEFT_SCHOOL,
            )
        if is_early_leaver(student, student.has_basic_qualification, left_on):
            _plan_contacts(departure)
    return departure


def aftercare_generate(today: date) -> int:
    """Early leavers whose leaving came from the student import get a departure and their
    aftercare contacts. Safe to re-run."""
    count = 0
    leavers = Student.objects.filter(
        left_on__isnull=False, left_on__lte=today, has_basic_qualification=False
    ).exclude(departures__left_on__isnull=False)
    for student in leavers.iterator():
        assert student.left_on is not None  # noqa: S101 - filtered above
        if not is_early_leaver(student, False, student.left_on):
            continue
        with transaction.atomic():
            departure, created = Departure.objects.get_or_create(
                student=student,
                left_on=student.left_on,
                defaults={"reason": LeavingReason.OTHER, "destination": Destination.UNKNOWN},
            )
            if created:
                _plan_contacts(departure)
                count += 1
    return count


def aftercare_contact_record(
    *, actor: User, contact_id: int, outcome: str, note: str = ""
) -> AftercareContact:
    if outcome not in AftercareOutcome.values:
        raise ValidationError(_("Kies de uitkomst van het contact."))
    with transaction.atomic():
        contact = (
            AftercareContact.objects.select_for_update(of=("self",))
            .select_related("departure__student")
            .filter(pk=contact_id)
            .first()
        )
        if contact is None:
            raise ValidationError(_("Dit nazorgcontact bestaat niet."))
        if not student_access(actor, contact.departure.student).allows(Action.CHANGE, Part.SUPPORT):
            raise PermissionDenied
        if contact.done_on is not None:
            raise ValidationError(_("Dit contact is al vastgelegd."))
        contact.done_on = timezone.localdate()
        contact.outcome = outcome
        contact.note = note.strip()
        contact.done_by = actor
        contact.save()
    return contact


def student_return(*, actor: User, student_id: int, enrolled_on: date) -> Trajectory | None:
    """The student comes back: enrolled again, aftercare closed, and the plan from before is
    back in a new trajectory (goals and the actions not yet done)."""
    with transaction.atomic():
        student = Student.objects.select_for_update().get(pk=student_id)
        _require(actor, student)
        if student.left_on is None:
            raise ValidationError(_("Deze student is niet uitgeschreven."))
        if enrolled_on < student.left_on:
            raise ValidationError(_("De nieuwe inschrijving ligt voor de uitschrijving."))
        departure = Departure.objects.filter(student=student, returned_on__isnull=True).first()
        student.left_on = None
        student.enrolled_on = enrolled_on
        student.save(update_fields=["left_on", "enrolled_on"])
        if departure is not None:
            departure.returned_on = enrolled_on
            departure.save(update_fields=["returned_on"])
            departure.contacts.filter(done_on__isnull=True).update(
                done_on=timezone.localdate(),
                outcome=AftercareOutcome.IN_EDUCATION,
                note=_("Teruggekeerd op school."),
                done_by=actor,
            )
        earlier = (
            SupportPlan.objects.filter(trajectory__student=student)
            .select_related("trajectory")
            .order_by("-trajectory__opened_at")
            .first()
        )
        if earlier is None:
            return None
        trajectory = trajectory_open(
            actor=actor,
            student=student,
            life_domains=earlier.trajectory.life_domains,
            reason=_("Teruggekeerd op school; het plan van eerder is terug."),
            tier=earlier.trajectory.tier,
        )
        soon = timezone.localdate() + timedelta(days=14)
        plan_save(
            actor=actor,
            trajectory_id=trajectory.pk,
            expected_version=0,
            goals=[GoalInput(g.life_domain, g.text) for g in earlier.goals.all()],
            actions=[
                ActionInput(
                    a.description,
                    max(a.due_on, soon),
                    owner=a.owner,
                    owner_name=a.owner_name,
                )
                for a in earlier.actions.filter(done_on__isnull=True).select_related("owner")
            ],
            wishes=earlier.wishes,
            agreements=earlier.agreements,
        )
    return trajectory


def non_arrival_follow_up_record(
    *, actor: User, non_arrival_id: int, status: str, note: str, expected_version: int
) -> NonArrival:
    """Leerplicht/RMC (or the school's care team) records what came of a non-arrival."""
    from schakelpunt.access.policy import handovers_visible_to, may_follow_up
    from schakelpunt.signals.follow_up import follow_up_save

    with transaction.atomic():
        item = (
            NonArrival.objects.select_for_update(of=("self",))
            .select_related("student", "handover")
            .filter(pk=non_arrival_id)
            .first()
        )
        if item is None:
            raise ValidationError(_("Deze melding bestaat niet."))
        if item.student is not None:
            allowed = may_follow_up(actor, item.student) or student_access(
                actor, item.student
            ).allows(Action.CHANGE, Part.ENROLMENT)
        else:
            allowed = handovers_visible_to(actor).filter(pk=item.handover_id or 0).exists()
        if not allowed:
            raise PermissionDenied
        follow_up_save(
            item, actor=actor, status=status, note=note, expected_version=expected_version
        )
    return item


def intake_record(
    *, actor: User, student_id: int, held_on: date, participants: str, notes: str
) -> IntakeConversation:
    if not notes.strip() or not participants.strip():
        raise ValidationError(_("Vul in wie erbij waren en wat er is afgesproken."))
    if held_on > timezone.localdate():
        raise ValidationError(_("Het intakegesprek kan niet in de toekomst liggen."))
    with transaction.atomic():
        student = Student.objects.get(pk=student_id)
        if not student_access(actor, student).allows(Action.CHANGE, Part.SUPPORT):
            raise PermissionDenied
        return IntakeConversation.objects.create(
            student=student,
            held_on=held_on,
            participants=participants.strip(),
            notes=notes.strip(),
            recorded_by=actor,
        )


def start_plan_create(*, actor: User, student_id: int) -> Trajectory:
    """Support from day one: a trajectory with a plan that starts from the handover — what
    worked at the VO school, and the intake as the first action."""
    from .models import HandoverRecord

    with transaction.atomic():
        student = Student.objects.get(pk=student_id)
        if not student_access(actor, student).allows(Action.CHANGE, Part.SUPPORT):
            raise PermissionDenied
        if (
            Trajectory.objects.filter(student=student)
            .exclude(state=TrajectoryState.CLOSED)
            .exists()
        ):
            raise ValidationError(_("Deze student heeft al een lopend traject."))
        handover = HandoverRecord.objects.filter(student=student, consent=True).first()
        if handover is None:
            raise ValidationError(_("Er is geen overdracht met toestemming voor deze student."))
        trajectory = trajectory_open(
            actor=actor,
            student=student,
            reason=_("Startplan vanuit de warme overdracht van %(school)s.")
            % {"school": handover.source_school},
        )
        plan_save(
            actor=actor,
            trajectory_id=trajectory.pk,
            expected_version=0,
            goals=[],
            actions=[
                ActionInput(
                    _("Intakegesprek met de student, ouders, mentor vo en coach mbo"),
                    max(student.enrolled_on, timezone.localdate()) + timedelta(days=14),
                    owner=actor,
                )
            ],
            agreements=_("Wat werkte op %(school)s: %(worked)s")
            % {"school": handover.source_school, "worked": handover.what_worked or "-"},
        )
    return trajectory
