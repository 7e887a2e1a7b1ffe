"""The functional administrator's people: who works here, in which role, and changes to that.

Reads are scoped to the organisations the administrator manages
(`access.policy.organisations_user_may_manage`); every write asks the access policy, refuses a
stale form (the person changed since the form was shown) and records a `RoleGrant`.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models.functions import Lower, Substr, Trim
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.access.policy import (
    may_grant_role,
    organisations_user_may_manage,
    roles_of,
)
from schakelpunt.students.models import Guardian, Student

from .mail import send_invitation_email
from .models import GrantOutcome, Location, Membership, ProgrammeTeam, RoleGrant, User
from .roles import Role
from .services import _Grant, _membership_check, guardianships_for_admin, membership_create

PAGE_SIZE = 50


class PersonStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("actief")
    INVITED = "invited", gettext_lazy("uitgenodigd (nog geen wachtwoord)")
    DEACTIVATED = "deactivated", gettext_lazy("geblokkeerd")
    ENDED = "ended", gettext_lazy("geen rol meer")


def _current(today: date) -> Q:
    """A membership that still runs today or starts later (not ended)."""
    return Q(valid_until__isnull=True) | Q(valid_until__gte=today)


def _managed_memberships(org_ids: list[int]) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation_id__in=org_ids)


def people_for_admin(
    *,
    actor: User,
    search: str = "",
    role: str = "",
    team_id: int | None = None,
    status: str = "",
) -> QuerySet[User]:
    """The people with a role (now or before) in the organisations `actor` manages."""
    org_ids = organisations_user_may_manage(actor)
    today = timezone.localdate()
    managed = _managed_memberships(org_ids).filter(user=OuterRef("pk"))
    current = managed.filter(_current(today))
    people = User.objects.filter(Exists(managed)).annotate(has_current=Exists(current))
    for word in search.split()[:5]:
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    if role:
        people = people.filter(Exists(current.filter(role=role)))
    if team_id is not None:
        people = people.filter(Exists(current.filter(programme_team_id=team_id)))
    unusable = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) | Q(password="")
    if status == PersonStatus.DEACTIVATED:
        people = people.filter(is_active=False)
    elif status == PersonStatus.ENDED:
        people = people.filter(is_active=True, has_current=False)
    elif status == PersonStatus.INVITED:
        people = people.filter(unusable, is_active=True, has_current=True)
    elif status == PersonStatus.ACTIVE:
        people = people.filter(is_active=True, has_current=True).exclude(unusable)
    return people.prefetch_related(
        Prefetch(
            "memberships",
            queryset=_managed_memberships(org_ids)
            .filter(_current(today))
            .select_related("organisation", "location", "programme_team")
            .order_by("organisation__name", "role", "pk"),
            to_attr="current_memberships",
        )
    ).order_by(surname_sort_key(), Lower("first_name"), "email")


# Dutch surname prefixes (tussenvoegsels), longest first: "van der Berg" sorts under B.
SURNAME_PREFIXES = (
    "van der ",
    "van den ",
    "van de ",
    "van 't ",
    "in 't ",
    "uit de ",
    "op de ",
    "van ",
    "de ",
    "den ",
    "der ",
    "het ",
    "'t ",
    "ten ",
    "ter ",
    "te ",
)


def surname_sort_key() -> Case:
    """The surname without its prefix and without case, as Dutch lists sort it (the user
    model keeps the prefix in the surname)."""
    surname = Lower(Trim("last_name"))
    return Case(
        *(
            When(**{"last_name__istartswith": prefix}, then=Substr(surname, len(prefix) + 1))
            for prefix in SURNAME_PREFIXES
        ),
        default=surname,
    )


def person_status(user: User, *, has_current: bool) -> PersonStatus:
    if not user.is_active:
        return PersonStatus.DEACTIVATED
    if not has_current:
        return PersonStatus.ENDED
    if not user.has_usable_password():
        return PersonStatus.INVITED
    return PersonStatus.ACTIVE


def teams_for_admin(*, actor: User) -> QuerySet[ProgrammeTeam]:
    return (
        ProgrammeTeam.objects.filter(
            location__institution_id__in=organisations_user_may_manage(actor)
        )
        .select_related("location")
        .order_by("location__name", "name")
    )


@dataclass
class Person:
    """One person as the administrator sees them."""

    user: User
    status: PersonStatus
    version: str
    memberships: list[Membership]  # in the organisations the administrator manages
    elsewhere: int  # current roles in organisations the administrator does not manage
    grants: list[RoleGrant] = field(default_factory=list)
    student: Student | None = None
    # A parent's guardian records: shown by the student number only.
    guardianships: list[Guardian] = field(default_factory=list)
    # A current role Student whose account no student record is linked to: it shows nothing.
    student_unlinked: bool = False


def person_version(user_id: int) -> str:
    """A marker of everything the screen shows and changes; a form carries it back so a
    change made meanwhile by someone else is never silently overwritten."""
    user = User.objects.get(pk=user_id)
    rows = Membership.objects.filter(user_id=user_id).order_by("pk")
    state = [
        user.is_active,
        user.has_usable_password(),
        [
            (m.pk, m.role, m.location_id, m.programme_team_id, m.valid_from, m.valid_until)
            for m in rows
        ],
    ]
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


def person_get_for_admin(*, actor: User, user_id: int) -> Person:
    """One person of the organisations `actor` manages; 404 for anyone else."""
    org_ids = organisations_user_may_manage(actor)
    user = User.objects.filter(pk=user_id, memberships__organisation_id__in=org_ids).first()
    if user is None:
        raise Http404
    today = timezone.localdate()
    memberships = list(
        _managed_memberships(org_ids)
        .filter(user=user)
        .select_related("organisation", "location", "programme_team", "created_by")
        .order_by("organisation__name", "-valid_from", "pk")
    )
    has_current = any(m.valid_until is None or m.valid_until >= today for m in memberships)
    elsewhere = (
        Membership.objects.filter(user=user)
        .filter(_current(today))
        .exclude(organisation_id__in=org_ids)
        .count()
    )
    grants = list(
        RoleGrant.objects.filter(grantee=user, organisation_id__in=org_ids)
        .select_related("organisation")
        .order_by("-at", "-pk")[:50]
    )
    student = (
        Student.objects.filter(user=user, institution_id__in=org_ids)
        .select_related("institution")
        .first()
    )
    return Person(
        user=user,
        status=person_status(user, has_current=has_current),
        version=person_version(user.pk),
        memberships=memberships,
        elsewhere=elsewhere,
        grants=grants,
        # Only a student record at a school the administrator manages (never another's).
        student=student,
        student_unlinked=student is None
        and any(m.role == Role.STUDENT and membership_is_current(m, today) for m in memberships),
        guardianships=guardianships_for_admin(org_ids=org_ids, user=user),
    )


def membership_is_current(membership: Membership, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return membership.valid_until is None or membership.valid_until >= today


# --- writes -------------------------------------------------------------------------------


def _stale() -> ValidationError:
    return ValidationError(
        _(
            "Iemand anders heeft deze persoon intussen gewijzigd. Er is niets opgeslagen; "
            "bekijk de nieuwe gegevens en probeer het opnieuw."
        ),
        code="stale",
    )


def _lock_person(*, actor: User, user_id: int, expected_version: str) -> User:
    """Lock the person (one change at a time) and check the form was not stale."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise Http404
    if person_version(user.pk) != expected_version:
        raise _stale()
    return user


def _membership_for_admin(*, actor: User, user_id: int, membership_id: int) -> Membership:
    membership = (
        Membership.objects.filter(
            pk=membership_id,
            user_id=user_id,
            organisation_id__in=organisations_user_may_manage(actor),
        )
        .select_related("user", "organisation", "location", "programme_team")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def _grant_for(actor: User, membership: Membership) -> _Grant:
    return _Grant(
        actor,
        membership.user,
        membership.user.email,
        membership.organisation,
        Role(membership.role),
        membership.location,
        membership.programme_team,
    )


def _check_may_change(actor: User, membership: Membership) -> None:
    """Changing or ending a role needs the same right as giving it (never one's own)."""
    _grant_for(actor, membership).check()


def membership_end_check(*, actor: User, membership: Membership, last_day: date) -> None:
    """Whether `actor` may end this role after `last_day` (the people screen and the team
    screen alike): a current role, no earlier than yesterday, and the same right as giving it
    (never one's own; a refusal is recorded)."""
    today = timezone.localdate()
    if membership.valid_until is not None and membership.valid_until < today:
        raise ValidationError(
            _("Deze rol is al beëindigd per %(day)s.")
            % {"day": date_format(membership.valid_until, "j F Y")}
        )
    if last_day < today - timedelta(days=1):
        raise ValidationError(
            _(
                "De laatste dag kan niet verder terug dan gisteren: wat iemand tot nu toe "
                "mocht zien, blijft zo vastgelegd. Kies gisteren om de toegang meteen te "
                "beëindigen."
            )
        )
    _check_may_change(actor, membership)


def membership_end_record(*, actor: User, membership: Membership, last_day: date) -> None:
    """Set the last day and record the end, in the caller's transaction (after the check)."""
    membership.valid_until = last_day
    membership.save(update_fields=["valid_until"])
    _grant_for(actor, membership).record(
        GrantOutcome.ENDED,
        _("laatste dag %(day)s") % {"day": date_format(last_day, "j F Y")},
    )


def membership_end(
    *, actor: User, user_id: int, membership_id: int, last_day: date, expected_version: str
) -> Membership:
    """The role stops after `last_day` (access ends that evening). Yesterday ends it now."""
    membership = _membership_for_admin(actor=actor, user_id=user_id, membership_id=membership_id)
    membership_end_check(actor=actor, membership=membership, last_day=last_day)
    with transaction.atomic():
        _lock_person(actor=actor, user_id=user_id, expected_version=expected_version)
        membership.refresh_from_db(fields=["valid_from", "valid_until"])
        membership_end_record(actor=actor, membership=membership, last_day=last_day)
    return membership


def membership_change(
    *,
    actor: User,
    user_id: int,
    membership_id: int,
    role: str,
    location: Location | None,
    programme_team: ProgrammeTeam | None,
    expected_version: str,
) -> Membership:
    """Another role, location or team: the old role ends yesterday and the new one starts
    today, given like any role (the policy is asked and the grant recorded)."""
    old = _membership_for_admin(actor=actor, user_id=user_id, membership_id=membership_id)
    today = timezone.localdate()
    if not membership_is_current(old, today):
        raise ValidationError(_("Deze rol is al beëindigd; geef de persoon een nieuwe rol."))
    new_role = Role(role)
    if new_role == old.role and location == old.location and programme_team == old.programme_team:
        raise ValidationError(_("Er is niets veranderd."))
    if {new_role, old.role} & {Role.STUDENT, Role.PARENT}:
        # These roles belong to a student's record (their own, or as a guardian).
        raise ValidationError(
            _(
                "De rollen Student en Ouder of verzorger horen bij een studentdossier; die "
                "kunnen niet worden omgezet. Beëindig de rol en nodig opnieuw uit."
            )
        )
    _membership_check(
        organisation=old.organisation,
        role=new_role,
        location=location,
        programme_team=programme_team,
    )
    _check_may_change(actor, old)
    # Asked (and a refusal recorded) before the change, outside its transaction.
    _Grant(
        actor, old.user, old.user.email, old.organisation, new_role, location, programme_team
    ).check()
    with transaction.atomic():
        _lock_person(actor=actor, user_id=user_id, expected_version=expected_version)
        old.valid_until = today - timedelta(days=1)
        old.save(update_fields=["valid_until"])
        _grant_for(actor, old).record(
            GrantOutcome.ENDED,
            _("omgezet naar %(role)s") % {"role": new_role.label},
        )
        new = membership_create(
            user=old.user,
            organisation=old.organisation,
            role=new_role,
            location=location,
            programme_team=programme_team,
            valid_from=today,
            actor=actor,
        )
    return new


def _account_check(actor: User, user: User) -> list[Membership]:
    """Blocking an account touches every role: all must be in organisations the actor
    manages. Returns the person's current roles."""
    if user.pk == actor.pk:
        raise ValidationError(_("U kunt uw eigen account niet blokkeren of openen."))
    org_ids = set(organisations_user_may_manage(actor))
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("user", "organisation", "location", "programme_team")
        .order_by("pk")
    )
    if not any(m.organisation_id in org_ids for m in memberships):
        raise Http404
    current = [m for m in memberships if membership_is_current(m, today)]
    if any(m.organisation_id not in org_ids for m in current):
        raise ValidationError(
            _(
                "Deze persoon werkt ook voor een organisatie die u niet beheert. Beëindig "
                "alleen de rollen bij uw organisaties; het account blijft dan open."
            )
        )
    for m in current:
        if not may_grant_role(actor, grantee=user, organisation=m.organisation, role=m.role):
            raise ValidationError(_("U mag de rollen van deze persoon niet wijzigen."))
    # With no current role, the row is recorded against the last role held here.
    return current or [m for m in memberships if m.organisation_id in org_ids][-1:]


def user_deactivate(*, actor: User, user_id: int, expected_version: str) -> User:
    """Block the account: the person cannot log in and loses access at once (their open
    sessions end with their next click). Their roles stay, for when it is opened again."""
    return _user_set_active(
        actor=actor, user_id=user_id, expected_version=expected_version, active=False
    )


def user_reactivate(*, actor: User, user_id: int, expected_version: str) -> User:
    return _user_set_active(
        actor=actor, user_id=user_id, expected_version=expected_version, active=True
    )


def _user_set_active(*, actor: User, user_id: int, expected_version: str, active: bool) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    recorded = _account_check(actor, user)
    with transaction.atomic():
        user = _lock_person(actor=actor, user_id=user_id, expected_version=expected_version)
        if user.is_active == active:
            raise ValidationError(
                _("Dit account is al open.") if active else _("Dit account is al geblokkeerd.")
            )
        user.is_active = active
        user.save(update_fields=["is_active"])
        for m in recorded:
            m.user = user
            _grant_for(actor, m).record(GrantOutcome.RESTORED if active else GrantOutcome.SUSPENDED)
    return user


def invitation_resend(*, actor: User, user_id: int, base_url: str) -> User:
    """Send the invitation e-mail again, to someone who has not chosen a password yet."""
    org_ids = organisations_user_may_manage(actor)
    today = timezone.localdate()
    user = (
        User.objects.filter(pk=user_id)
        .filter(
            Exists(
                Membership.objects.filter(user=OuterRef("pk"), organisation_id__in=org_ids).filter(
                    _current(today)
                )
            )
        )
        .first()
    )
    if user is None:
        raise Http404
    if not user.is_active:
        raise ValidationError(_("Dit account is geblokkeerd; open het eerst weer."))
    if user.has_usable_password():
        raise ValidationError(
            _(
                "%(email)s heeft al een wachtwoord gekozen. Is het vergeten, dan kan de persoon "
                "een nieuw wachtwoord aanvragen op de inlogpagina."
            )
            % {"email": user.email}
        )
    user_pk = user.pk
    transaction.on_commit(lambda: send_invitation_email(user_pk, base_url))
    return user


# --- a student without a linked record ---------------------------------------------------


def student_without_record(user: User) -> bool:
    """A student account not (yet) linked to a student record: nothing to show them."""
    return Role.STUDENT in roles_of(user) and not Student.objects.filter(user=user).exists()


def admins_for_student(user: User) -> list[User]:
    """Whom a student without a linked record can ask: their school's administrators."""
    schools = (
        Membership.objects.active().filter(user=user, role=Role.STUDENT).values("organisation_id")
    )
    admin_roles = Membership.objects.active().filter(
        user=OuterRef("pk"), organisation_id__in=schools, role=Role.FUNCTIONAL_ADMIN
    )
    return list(
        User.objects.filter(Exists(admin_roles), is_active=True).order_by(
            "last_name", "first_name"
        )[:5]
    )


def schools_of_student(user: User) -> list[str]:
    return list(
        Membership.objects.active()
        .filter(user=user, role=Role.STUDENT)
        .values_list("organisation__name", flat=True)
        .order_by("organisation__name")
        .distinct()
    )
