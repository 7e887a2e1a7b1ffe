"""Writes about the student file itself."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import is_own_file, student_access
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import Activity

from .models import Guardian, GuardianRelation, Student


def guardian_add(
    *,
    actor: User,
    student: Student,
    name: str,
    relation: str,
    phone: str = "",
    email: str = "",
) -> Guardian:
    access = student_access(actor, student)
    if not access.allows(Action.CHANGE, Part.CONTACT):
        raise PermissionDenied
    with transaction.atomic():
        guardian = Guardian.objects.create(
            student=student,
            name=name.strip(),
            relation=GuardianRelation(relation),
            phone=phone.strip(),
            email=email.strip().lower(),
        )
        access_log_record(
            actor=actor,
            activity=Activity.ENROLMENT,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.CONTACT],
            role=access.roles,
            path="guardian/add",
        )
    return guardian


def guardian_set_consent(*, actor: User, guardian_id: int, consents: bool) -> Guardian:
    """Only the student decides: from 18 whether school involves this person; at every age
    whether a provider helping them (with consent for contact details) may see this
    person's phone and e-mail (`may_see_guardian_contact`)."""
    with transaction.atomic():
        guardian = (
            Guardian.objects.select_for_update().select_related("student").get(pk=guardian_id)
        )
        if not is_own_file(actor, guardian.student):
            raise PermissionDenied
        guardian.student_consents = consents
        guardian.consent_changed_at = timezone.now()
        guardian.save(update_fields=["student_consents", "consent_changed_at"])
    return guardian


def basic_qualification_record(
    *, actor: User, student_id: int, obtained_on: date, known: date | None
) -> Student:
    """The care team records the day the student obtained a startkwalificatie (enrolment
    data). From that day on absence no longer counts for the statutory reports; the morning
    run uses it. `known`: the day the form showed (None: none), to refuse a stale form."""
    with transaction.atomic():
        student = Student.objects.select_for_update().get(pk=student_id)
        access = student_access(actor, student)
        if not access.allows(Action.CHANGE, Part.ENROLMENT):
            raise PermissionDenied
        if student.basic_qualification_on != known:
            raise ValidationError(
                _(
                    "Iemand anders heeft de startkwalificatie intussen gewijzigd. Bekijk de "
                    "nieuwe stand en probeer het opnieuw."
                ),
                code="stale",
            )
        if obtained_on > timezone.localdate():
            raise ValidationError(_("De datum van de startkwalificatie ligt in de toekomst."))
        if obtained_on <= student.date_of_birth:
            raise ValidationError(
                _("De datum van de startkwalificatie ligt voor de geboortedatum.")
            )
        student.has_basic_qualification = True
        student.basic_qualification_on = obtained_on
        student.save(update_fields=["has_basic_qualification", "basic_qualification_on"])
        access_log_record(
            actor=actor,
            activity=Activity.ENROLMENT,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.ENROLMENT],
            role=access.roles,
            path="basic-qualification",
        )
    return student
