"""Writes about accounts: memberships and the second factor."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    ADULT_AGE,
    may_configure_institution,
    may_grant_role,
    may_link_guardian_account,
    must_use_second_factor,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.privacy.register import Activity
from schakelpunt.refdata.models import Municipality, RmcRegion
from schakelpunt.students.models import Guardian, Student
from schakelpunt.students.parent_services import guardian_account_link

from .mail import send_invitation_email
from .models import (
    GrantOutcome,
    Location,
    Membership,
    Organisation,
    ProgrammeTeam,
    RoleGrant,
    SecondFactorSetupCode,
    User,
)
from .roles import ROLE_ORGANISATION_KINDS, OrganisationKind, Role

# A code by e-mail before a first authenticator app: how long it lasts, how often it may be
# tried, and how many may be asked for in an hour.
SETUP_CODE_VALIDITY = timedelta(minutes=15)
SETUP_CODE_ATTEMPTS = 5
SETUP_CODES_PER_HOUR = 5


def second_factor_required(*, user: User) -> bool:
    """Every role but the student must use a second factor (decision 0017)."""
    return must_use_second_factor(user)


def organisation_create(
    *,
    name: str,
    kind: str,
    municipality_code: str = "",
    rmc_region_code: str = "",
    brin: str = "",
) -> tuple[Organisation, bool]:
    """Add an organisation; the same name and kind twice is one organisation."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Een organisatie heeft een naam."))
    municipality = region = None
    if municipality_code:
        municipality = Municipality.objects.filter(cbs_code=municipality_code.upper()).first()
        if municipality is None:
            raise ValidationError(
                _("Gemeentecode %(code)s bestaat niet.") % {"code": municipality_code}
            )
    if rmc_region_code:
        region = RmcRegion.objects.filter(code=rmc_region_code.upper()).first()
        if region is None:
            raise ValidationError(_("RMC-regio %(code)s bestaat niet.") % {"code": rmc_region_code})
    with transaction.atomic():
        return Organisation.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={"municipality": municipality, "rmc_region": region, "brin": brin},
        )


def organisation_set_manager(*, organisation: Organisation, institution: Organisation) -> None:
    """The operator lets an institution's functional administrator keep the people of a
    provider, municipality or RMC office (which has no administrator of its own)."""
    if institution.kind != OrganisationKind.MBO_INSTITUTION:
        raise ValidationError(_("Alleen een mbo-instelling kan andere organisaties beheren."))
    if organisation.kind == OrganisationKind.MBO_INSTITUTION:
        raise ValidationError(_("Een mbo-instelling beheert haar eigen mensen."))
    with transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(managed_by=institution)
    organisation.managed_by = institution


def _membership_check(
    *,
    organisation: Organisation,
    role: Role,
    location: Location | None,
    programme_team: ProgrammeTeam | None,
) -> None:
    """Refuse combinations that make no sense, whoever asks."""
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationError(
            _("De rol %(role)s past niet bij een organisatie van deze soort.")
            % {"role": role.label}
        )
    if role == Role.COACH and programme_team is None:
        raise ValidationError(_("Een studieloopbaanbegeleider hoort bij een opleidingsteam."))
    if location is not None and location.institution_id != organisation.pk:
        raise ValidationError(_("Deze locatie hoort niet bij de organisatie."))
    if programme_team is not None and programme_team.location.institution_id != organisation.pk:
        raise ValidationError(_("Dit team hoort niet bij de organisatie."))


@dataclass(frozen=True)
class _Grant:
    """One role given (or asked to be given) by `actor`; None is the operator."""

    actor: User | None
    grantee: User | None
    email: str
    organisation: Organisation
    role: Role
    location: Location | None
    programme_team: ProgrammeTeam | None

    def record(self, outcome: GrantOutcome, reason: str = "") -> None:
        RoleGrant.objects.create(
            actor=self.actor,
            actor_display=(
                f"{self.actor} <{self.actor.email}>"
                if self.actor
                else _("beheerder van de installatie (opdrachtregel)")
            ),
            grantee=self.grantee,
            grantee_email=self.email,
            organisation=self.organisation,
            role=self.role,
            scope_display=", ".join(
                str(x) for x in (self.location, self.programme_team) if x is not None
            ),
            outcome=outcome,
            reason=reason[:300],
        )

    def check(self) -> None:
        """Ask the access policy (the operator is not asked); a refusal is recorded in its
        own transaction and raised in Dutch."""
        if self.actor is None or may_grant_role(
            self.actor, grantee=self.grantee, organisation=self.organisation, role=self.role
        ):
            return
        if self.grantee is not None and self.grantee.pk == self.actor.pk:
            message = _("U kunt uzelf geen rol geven. Vraag een andere beheerder.")
        else:
            message = _(
                "U mag de rol %(role)s niet geven bij %(organisation)s: u beheert alleen de "
                "mensen van uw eigen organisatie en de organisaties die zij beheert."
            ) % {"role": self.role.label, "organisation": self.organisation.name}
        with transaction.atomic():
            self.record(GrantOutcome.REFUSED, message)
        raise ValidationError(message)


def membership_create(
    *,
    user: User,
    organisation: Organisation,
    role: Role,
    location: Location | None = None,
    programme_team: ProgrammeTeam | None = None,
    valid_from: date | None = None,
    actor: User | None = None,
    grant_recorded_by_caller: bool = False,
) -> Membership:
    """Give a person a role in an organisation, refusing combinations that make no sense.

    `actor` is the person on the screen and must be allowed by the access policy to give
    this role; without an actor it is the operator (`schakelpunt invite`). Either way the
    grant is recorded, once: `grant_recorded_by_caller` when the caller records the new role
    itself with more to say (a parent's account names the student it belongs to).
    """
    role = Role(role)
    _membership_check(
        organisation=organisation, role=role, location=location, programme_team=programme_team
    )
    grant = _Grant(actor, user, user.email, organisation, role, location, programme_team)
    grant.check()
    today = timezone.localdate()
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user,
            organisation=organisation,
            role=role,
            location=location,
            programme_team=programme_team,
            defaults={"created_by": actor, **({"valid_from": valid_from} if valid_from else {})},
        )
        if not created and membership.valid_until is not None and membership.valid_until < today:
            # The same role held before and ended: it starts again (the grants keep history).
            membership.valid_from = valid_from or today
            membership.valid_until = None
            membership.created_by = actor
            membership.created_at = timezone.now()
            membership.save(update_fields=["valid_from", "valid_until", "created_by", "created_at"])
            created = True
        elif not created and membership.valid_until is not None:
            # Given again while it was due to end later: it runs on (not silently unchanged).
            ending = membership.valid_until
            membership.valid_until = None
            membership.save(update_fields=["valid_until"])
            grant.record(
                GrantOutcome.GRANTED,
                _("de einddatum %(day)s vervalt; de rol loopt door")
                % {"day": date_format(ending, "j F Y")},
            )
        if created and not grant_recorded_by_caller:
            grant.record(GrantOutcome.GRANTED)
    return membership


def _student_for_invitation(
    *, organisation: Organisation, role: Role, student_number: str, email: str
) -> Student | None:
    """The student record a student account is linked to (checked, not yet locked)."""
    student_number = student_number.strip()
    if role != Role.STUDENT:
        if student_number:
            raise ValidationError(_("Een studentnummer hoort alleen bij de rol Student."))
        return None
    if not student_number:
        raise ValidationError(
            _("Kies bij de rol Student het studentdossier: vul het studentnummer in.")
        )
    student = (
        Student.objects.filter(institution=organisation, student_number=student_number)
        .select_related("user")
        .first()
    )
    if student is None:
        # Never says whether the number exists at another school.
        raise ValidationError(
            _("Bij %(organisation)s staat geen student met studentnummer %(number)s.")
            % {"organisation": organisation.name, "number": student_number}
        )
    if student.user is not None and student.user.email != email:
        raise ValidationError(
            _("De student met studentnummer %(number)s heeft al een account.")
            % {"number": student_number}
        )
    student_email_check(student, email)
    return student


def student_email_refusal(student: Student, email: str) -> str:
    """Why `email` may not become this student's account ("" when it may): only the address
    recorded for the student (by the student import) is ever linked, so no one links an
    address they control to a student's file. The recorded address itself is not shown (the
    administrator is no file role)."""
    recorded = student.email.strip().casefold()
    if not recorded:
        return _(
            "Bij de student met studentnummer %(number)s staat geen e-mailadres. Vul eerst het "
            "e-mailadres van de student in via de studentimport."
        ) % {"number": student.student_number}
    if recorded != email.strip().casefold():
        return _(
            "%(email)s is niet het e-mailadres dat bij de student met studentnummer %(number)s "
            "staat. Een studentaccount wordt alleen gekoppeld aan het e-mailadres uit de "
            "studentimport."
        ) % {"email": email.strip(), "number": student.student_number}
    return ""


def student_email_check(student: Student, email: str) -> None:
    refusal = student_email_refusal(student, email)
    if refusal:
        raise ValidationError(refusal)


def _taken_refusal(email: str) -> str:
    # Never says that (or where) the address has a student record elsewhere.
    return _(
        "Het e-mailadres %(email)s kan niet aan dit studentdossier worden gekoppeld. Vraag de "
        "beheerder van de installatie om hulp."
    ) % {"email": email}


def user_invite(
    *,
    actor: User | None,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: Role,
    location: Location | None = None,
    programme_team: ProgrammeTeam | None = None,
    student_number: str = "",
    base_url: str,
    notify: bool = True,
    grant_recorded_by_caller: bool = False,
) -> User:
    """Give a person a role; a new person gets an e-mail to choose a password (after commit).

    An address that already has an account gets the extra role and no new account. The role
    Student links the account to the student record with `student_number` at that
    institution. `notify=False`: the caller sends the invitation itself (a bulk import sends
    one per person).
    """
    email = User.objects.normalize_email(email).strip().lower()
    role = Role(role)
    _membership_check(
        organisation=organisation, role=role, location=location, programme_team=programme_team
    )
    student = _student_for_invitation(
        organisation=organisation, role=role, student_number=student_number, email=email
    )
    existing = User.objects.filter(email=email).first()
    _Grant(actor, existing, email, organisation, role, location, programme_team).check()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        is_new = user is None
        if user is None:
            user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
            user.set_unusable_password()
            user.save()
        if student is not None:
            _student_link(actor=actor, student_id=student.pk, user=user)
        membership_create(
            user=user,
            organisation=organisation,
            role=role,
            location=location,
            programme_team=programme_team,
            actor=actor,
            grant_recorded_by_caller=grant_recorded_by_caller,
        )
        if notify and (is_new or not user.has_usable_password()):
            user_id = user.pk
            transaction.on_commit(lambda: send_invitation_email(user_id, base_url))
    return user


def _student_link(*, actor: User | None, student_id: int, user: User) -> None:
    """Link the student record to the account, in the caller's transaction."""
    student = Student.objects.select_for_update().get(pk=student_id)
    if student.user_id == user.pk:
        return
    if student.user_id is not None:
        raise ValidationError(_("Deze student heeft al een account."))
    student_email_check(student, user.email)
    if Student.objects.filter(user=user).exists():
        raise ValidationError(_taken_refusal(user.email))
    student.user = user
    student.save(update_fields=["user"])
    if actor is not None:
        access_log_record(
            actor=actor,
            activity=Activity.ENROLMENT,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.IDENTITY],
            role=Role.FUNCTIONAL_ADMIN,
            path="accounts/invite",
        )


# --- parents and carers (issue 17): an account that belongs to one guardian record ---------


def _adult_refusal(student_number: str) -> str:
    # Only the number: the administrator is no file role and does not read the student's file.
    return _(
        "De student met studentnummer %(number)s is 18 of ouder. Ouders van volwassen "
        "studenten krijgen geen account; de student beslist zelf wie meekijkt."
    ) % {"number": student_number}


def _parent_student(
    *, actor: User | None, institution: Organisation, student_number: str
) -> Student:
    """The student a parent is invited for, by number at the institution."""
    _membership_check(
        organisation=institution, role=Role.PARENT, location=None, programme_team=None
    )
    if actor is not None and not may_configure_institution(actor, institution):
        raise PermissionDenied
    number = student_number.strip()
    if not number:
        raise ValidationError(
            _("Vul bij de rol Ouder of verzorger het studentnummer van het kind in.")
        )
    student = Student.objects.filter(institution=institution, student_number=number).first()
    if student is None:
        # Never says whether the number exists at another school.
        raise ValidationError(
            _("Bij %(organisation)s staat geen student met studentnummer %(number)s.")
            % {"organisation": institution.name, "number": number}
        )
    return student


def _guardians_of(student: Student) -> list[Guardian]:
    guardians = list(student.guardians.select_related("user").order_by("name", "pk"))
    if not guardians:
        raise ValidationError(
            _(
                "In het dossier van de student met studentnummer %(number)s staat geen ouder "
                "of verzorger. Vraag de studentbegeleider of zorgcoördinator die eerst toe te "
                "voegen."
            )
            % {"number": student.student_number}
        )
    return guardians


def parent_invitation_guardians(
    *, actor: User | None, institution: Organisation, student_number: str
) -> list[Guardian]:
    """The guardians in the record of the student with this number, for choosing which one
    a parent's account belongs to. Refused in Dutch for an unknown number, a student of 18
    or older, or no guardian recorded. `actor` None is the operator (`schakelpunt invite`)."""
    student = _parent_student(actor=actor, institution=institution, student_number=student_number)
    if student.age_on(timezone.localdate()) >= ADULT_AGE:
        raise ValidationError(_adult_refusal(student.student_number))
    return _guardians_of(student)


def guardian_pick(guardians: list[Guardian], *, wanted: str, email: str = "") -> Guardian:
    """The guardian a parent's invitation (file row, command line) names: by the name as
    recorded or by their e-mail address, without case. Nothing named: the one whose recorded
    address is the invitation's, or the only one there is."""
    shown = " ".join(wanted.split())
    wanted = shown.lower()
    if wanted:
        found = [
            g
            for g in guardians
            if " ".join(g.name.split()).lower() == wanted or (g.email and g.email.lower() == wanted)
        ]
    else:
        found = [g for g in guardians if email and g.email and g.email.lower() == email.lower()]
        if not found and len(guardians) == 1:
            found = guardians
    if len(found) == 1:
        return found[0]
    names = ", ".join(g.name for g in guardians)
    if not wanted:
        raise ValidationError(
            _("Noem de ouder of verzorger (naam of e-mailadres zoals in het dossier): %(names)s.")
            % {"names": names}
        )
    if not found:
        raise ValidationError(
            _(
                "In het dossier staat geen ouder of verzorger '%(wanted)s'. In het dossier "
                "staan: %(names)s."
            )
            % {"wanted": shown, "names": names}
        )
    raise ValidationError(
        _("Er staan meer ouders of verzorgers '%(wanted)s' in het dossier; noem het e-mailadres.")
        % {"wanted": shown}
    )


def parent_invite(
    *,
    actor: User | None,
    institution: Organisation,
    student_number: str,
    guardian_id: int,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    base_url: str,
    notify: bool = True,
) -> User:
    """Invite a parent or carer: the role Ouder of verzorger at the student's institution and
    the account linked to one guardian of that student, in one transaction. A refusal (18 or
    older, the guardian already has another account) leaves no account, role or e-mail.

    The e-mail address must be the one recorded for the guardian (empty: that one); an empty
    name is taken from the record too."""
    student = _parent_student(actor=actor, institution=institution, student_number=student_number)
    guardian = next((g for g in _guardians_of(student) if g.pk == guardian_id), None)
    if guardian is None:
        raise ValidationError(_("Kies een ouder of verzorger uit het dossier van deze student."))
    recorded = guardian.email.strip().lower()
    if not recorded:
        raise ValidationError(
            _(
                "Bij %(name)s staat geen e-mailadres in het dossier. Laat het eerst opschrijven "
                "bij de student (door de studentbegeleider of zorgcoördinator); daarna kunt u "
                "deze ouder of verzorger uitnodigen."
            )
            % {"name": guardian.name}
        )
    email = User.objects.normalize_email(email.strip() or recorded).lower()
    if email != recorded:
        # Only the address recorded for the guardian becomes their account: no one links an
        # address they control to a child's parent.
        raise ValidationError(
            _(
                "%(email)s is niet het e-mailadres dat bij %(name)s in het dossier staat "
                "(%(recorded)s). Een account wordt alleen gekoppeld aan het opgeschreven "
                "e-mailadres."
            )
            % {"email": email, "name": guardian.name, "recorded": recorded}
        )
    recorded_first, _sep, recorded_last = " ".join(guardian.name.split()).partition(" ")
    first_name = first_name.strip() or recorded_first
    last_name = last_name.strip() or recorded_last or recorded_first
    existing = User.objects.filter(email=email).first()
    grant = _Grant(actor, existing, email, institution, Role.PARENT, None, None)
    grant.check()  # refusals are recorded here, outside the transaction below
    if actor is None:
        if student.age_on(timezone.localdate()) >= ADULT_AGE:
            raise ValidationError(_adult_refusal(student.student_number))
    elif not may_link_guardian_account(actor, guardian, timezone.localdate()):
        message = _adult_refusal(student.student_number)
        with transaction.atomic():
            grant.record(GrantOutcome.REFUSED, message)
        raise ValidationError(message)
    with transaction.atomic():
        user = user_invite(
            actor=actor,
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation=institution,
            role=Role.PARENT,
            base_url=base_url,
            notify=notify,
            # A new link to the guardian records the grant, naming the student's number.
            grant_recorded_by_caller=guardian.user_id is None,
        )
        guardian_account_link(actor=actor, guardian=guardian, user=user)
    return user


def guardianships_for_admin(*, org_ids: list[int], user: User) -> list[Guardian]:
    """The guardian records this account belongs to, at the institutions the administrator
    manages (for the person page: the student number only; the administrator opens no
    student file, and the recorded name and relation are part of it)."""
    return list(
        Guardian.objects.filter(user=user, student__institution_id__in=org_ids)
        .select_related("student__institution")
        .order_by("student__institution__name", "student__student_number", "pk")
    )


def user_set_email_notifications(*, user: User, enabled: bool) -> None:
    """A person chooses whether notifications also come by e-mail."""
    User.objects.filter(pk=user.pk).update(email_notifications=enabled)


def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device for setting up, created on first need."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    return device


def totp_device_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the device being set up when the code is right; None when it is not."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts this code, or None (attempts are throttled)."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def _setup_code_hash(user: User, code: str) -> str:
    return salted_hmac("schakelpunt.second-factor-setup", f"{user.pk}:{code}").hexdigest()


def setup_code_send(*, user: User) -> None:
    """Send a fresh one-time code by e-mail; earlier unused codes stop working."""
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
        recent = SecondFactorSetupCode.objects.filter(
            user=user, created_at__gte=now - timedelta(hours=1)
        ).count()
        if recent >= SETUP_CODES_PER_HOUR:
            raise ValidationError(
                _("U heeft het afgelopen uur te vaak een code gevraagd. Probeer het later opnieuw.")
            )
        SecondFactorSetupCode.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        SecondFactorSetupCode.objects.create(
            user=user,
            code_hash=_setup_code_hash(user, code),
            created_at=now,
            expires_at=now + SETUP_CODE_VALIDITY,
        )
        context = {"user": user, "code": code, "minutes": SETUP_CODE_VALIDITY.seconds // 60}
        transaction.on_commit(
            lambda: send_mail(
                subject=render_to_string("accounts/setup_code_subject.txt", context).strip(),
                message=render_to_string("accounts/setup_code_email.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
        )


class SetupCodeResult(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"  # none sent, too old, already used, or tried too often


def setup_code_check(*, user: User, code: str) -> SetupCodeResult:
    """Check the e-mailed code: single use, within its time, at most a few attempts."""
    now = timezone.now()
    with transaction.atomic():
        current = (
            SecondFactorSetupCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if current is None or current.attempts >= SETUP_CODE_ATTEMPTS:
            return SetupCodeResult.EXPIRED
        current.attempts += 1
        if not constant_time_compare(current.code_hash, _setup_code_hash(user, code)):
            current.save(update_fields=["attempts"])
            return SetupCodeResult.WRONG
        current.used_at = now
        current.save(update_fields=["attempts", "used_at"])
    return SetupCodeResult.ACCEPTED
