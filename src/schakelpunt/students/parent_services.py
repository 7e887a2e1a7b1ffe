"""Writes about parents' accounts and what the student shares with them (issue 17)."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    ADULT_AGE,
    ParentPart,
    may_configure_institution,
    may_link_guardian_account,
    may_set_parent_sharing,
    roles_of,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import Membership, Organisation, User
from schakelpunt.accounts.roles import Role

from .models import Guardian, Student


def guardians_open_for_account(
    *, actor: User, institution: Organisation, student_number: str
) -> list[Guardian]:
    """The guardians of one student (by student number) who may be given a parent account:
    for the invitation form of the functional administrator. Refused in Dutch when the
    student is unknown or 18 or older."""
    if not may_configure_institution(actor, institution):
        raise PermissionDenied
    student = Student.objects.filter(
        institution=institution, student_number=student_number.strip()
    ).first()
    if student is None:
        raise ValidationError(
            _("Er is geen student met studentnummer %(number)s bij %(school)s.")
            % {"number": student_number.strip(), "school": institution.name}
        )
    if student.age_on(timezone.localdate()) >= ADULT_AGE:
        raise ValidationError(_adult_message(student))
    return list(student.guardians.order_by("name", "pk"))


def _adult_message(student: Student) -> str:
    return _(
        "%(name)s is 18 of ouder. Ouders van volwassen studenten krijgen geen account; "
        "de student beslist zelf wie meekijkt."
    ) % {"name": student.display_name}


def guardian_account_link(*, actor: User, guardian: Guardian, user: User) -> Guardian:
    """Link a parent's account to the guardian record of a student under 18.

    Call it in the same transaction as the invitation (`user_invite` with role Parent in
    the student's institution), so a refusal here sends no invitation.
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = (
            Guardian.objects.select_for_update()
            .select_related("student__institution")
            .get(pk=guardian.pk)
        )
        student = locked.student
        if not may_configure_institution(actor, student.institution):
            raise PermissionDenied
        if not may_link_guardian_account(actor, locked, today):
            raise ValidationError(_adult_message(student))
        is_parent_there = Membership.objects.filter(
            user=user, organisation_id=student.institution_id, role=Role.PARENT
        ).exists()
        if not is_parent_there:
            raise ValidationError(
                _("%(email)s heeft geen rol als ouder of verzorger bij %(school)s.")
                % {"email": user.email, "school": student.institution.name}
            )
        if locked.user_id is not None and locked.user_id != user.pk:
            raise ValidationError(
                _("%(name)s heeft al een ander account. Er kan maar één account bij horen.")
                % {"name": locked.name}
            )
        if locked.user_id == user.pk:
            return locked
        locked.user = user
        locked.save(update_fields=["user"])
        access_log_record(
            actor=actor,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.CONTACT],
            role=",".join(sorted(roles_of(actor))),
            path="guardian/account",
        )
    return locked


def _version(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def guardian_sharing_version(guardian: Guardian) -> str:
    """What a sharing form was made from: a stale form is refused, not applied."""
    return _version(guardian.sharing_changed_at)


def guardian_sharing_set(
    *, actor: User, guardian_id: int, parts: Iterable[str], expected_version: str
) -> Guardian:
    """The student chooses what this parent sees; it holds from this moment on."""
    wanted = sorted(set(parts))
    unknown = [p for p in wanted if p not in ParentPart.values]
    if unknown:
        raise ValidationError(_("Kies alleen uit de delen op het scherm."))
    today = timezone.localdate()
    with transaction.atomic():
        guardian = (
            Guardian.objects.select_for_update().select_related("student").get(pk=guardian_id)
        )
        if not may_set_parent_sharing(actor, guardian, today):
            raise PermissionDenied
        if guardian_sharing_version(guardian) != expected_version:
            raise ValidationError(
                _(
                    "Je hebt dit intussen ergens anders veranderd. Hieronder zie je wat nu "
                    "gedeeld wordt; kies opnieuw."
                ),
                code="stale",
            )
        guardian.shared_parts = [p for p in ParentPart.values if p in wanted]
        guardian.sharing_changed_at = timezone.now()
        guardian.save(update_fields=["shared_parts", "sharing_changed_at"])
    return guardian
