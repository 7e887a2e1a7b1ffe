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
from schakelpunt.accounts.models import GrantOutcome, Membership, Organisation, RoleGrant, User
from schakelpunt.accounts.roles import Role
from schakelpunt.privacy.register import Activity

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


def guardian_account_link(*, actor: User | None, guardian: Guardian, user: User) -> Guardian:
    """Link a parent's account to the guardian record of a student under 18.

    Refused for the administrator's own account, and unless the account's e-mail address is
    the one recorded for this guardian (so no one links an address they control to a child's
    parent). The link is a RoleGrant row (role parent, the student number as its scope).

    Call it in the same transaction as the invitation (`user_invite` with role Parent in
    the student's institution), so a refusal here sends no invitation. `actor` None is the
    operator (`schakelpunt invite`): the same rules, no permission asked and no access log
    (no one reads the file).
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = (
            Guardian.objects.select_for_update()
            .select_related("student__institution")
            .get(pk=guardian.pk)
        )
        student = locked.student
        if actor is None:
            if student.age_on(today) >= ADULT_AGE:
                raise ValidationError(_adult_message(student))
        elif not may_configure_institution(actor, student.institution):
            raise PermissionDenied
        elif not may_link_guardian_account(actor, locked, today):
            raise ValidationError(_adult_message(student))
        if actor is not None and user.pk == actor.pk:
            raise ValidationError(
                _(
                    "U kunt uw eigen account niet aan een ouder of verzorger koppelen. "
                    "Vraag een andere functioneel beheerder om dit te doen."
                )
            )
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
        recorded = locked.email.strip()
        if not recorded:
            raise ValidationError(
                _(
                    "Bij %(name)s staat geen e-mailadres. Schrijf eerst het e-mailadres van "
                    "deze ouder of verzorger op bij de student; daarna kunt u het account "
                    "koppelen."
                )
                % {"name": locked.name}
            )
        if recorded.casefold() != user.email.strip().casefold():
            raise ValidationError(
                _(
                    "Het account %(email)s hoort niet bij %(name)s: bij de student staat een "
                    "ander e-mailadres. Een account wordt alleen gekoppeld aan het opgeschreven "
                    "e-mailadres van de ouder of verzorger."
                )
                % {"email": user.email, "name": locked.name}
            )
        locked.user = user
        locked.save(update_fields=["user"])
        # For the privacy officer's list of role grants: which student's parent this account
        # became, by student number (their names stay in the file).
        RoleGrant.objects.create(
            actor=actor,
            actor_display=(
                f"{actor} <{actor.email}>"
                if actor
                else _("beheerder van de installatie (opdrachtregel)")
            ),
            grantee=user,
            grantee_email=user.email,
            organisation=student.institution,
            role=Role.PARENT,
            scope_display=_("ouder of verzorger van studentnummer %(number)s")
            % {"number": student.student_number},
            outcome=GrantOutcome.GRANTED,
            reason=_("account gekoppeld aan een ouder of verzorger uit het dossier"),
        )
        if actor is not None:
            # The administrator manages an account here; the parent's own reads are PARENT.
            access_log_record(
                actor=actor,
                activity=Activity.OVERSIGHT,
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
    *,
    actor: User,
    guardian_id: int,
    parts: Iterable[str],
    expected_version: str,
    involves: bool | None = None,
) -> Guardian:
    """The student chooses what this parent sees; it holds from this moment on. From 18
    `involves` is the student's choice whether this parent sees anything at all ("Betrek deze
    ouder"); it is required then, and refused before 18 (parents of a minor are involved by
    law)."""
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
        adult = guardian.student.age_on(today) >= ADULT_AGE
        if adult and involves is None:
            raise ValidationError(_("Kies of je deze ouder erbij betrekt."))
        if not adult and involves is not None:
            raise ValidationError(_("Onder de 18 betrekt school je ouders of verzorgers."))
        guardian.shared_parts = [p for p in ParentPart.values if p in wanted]
        guardian.sharing_changed_at = timezone.now()
        fields = ["shared_parts", "sharing_changed_at"]
        if involves is not None:
            guardian.adult_involves_parent = involves
            fields.append("adult_involves_parent")
        guardian.save(update_fields=fields)
    return guardian
