"""THE need-to-know decisions. Nothing else in Schakelpunt decides who sees which student.

Every rule below is one row: which role, which students (a queryset filter), which parts
may be viewed, changed and exported. Views, the API and exports ask `students_for_user`,
`student_access` and `student_get_for_user`; nobody filters students by hand.
Deny is the default: a user without a matching rule sees no student and no part.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple, NoReturn

from django.db import models
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.accounts.models import ApiClient, Membership, Organisation, Programme, User
from schakelpunt.accounts.roles import ROLE_ORGANISATION_KINDS, OrganisationKind, Role
from schakelpunt.accounts.scopes import SCOPE_ROLES, ApiScope
from schakelpunt.core.dates import years_before
from schakelpunt.meetings.models import Meeting
from schakelpunt.refdata.models import Municipality, RmcRegion
from schakelpunt.referrals.models import (
    REFERRAL_ACTIVE_STATUSES,
    Consent,
    ConsentBasis,
    Referral,
    ReferralStatus,
)
from schakelpunt.signals.models import AbsenceReport, Concern, ConcernSource
from schakelpunt.students.models import Guardian, Student
from schakelpunt.support.models import PlanAction, SupportTeamMember
from schakelpunt.transitions.models import HandoverRecord, NonArrival

from .decisions import record_refusal
from .parts import Action, Part

CARE_TEAM_ROLES = frozenset({Role.CARE_COORDINATOR, Role.STUDENT_ADVISOR, Role.SCHAKELFUNCTIONARIS})
SCHOOL_ROLES = CARE_TEAM_ROLES | {Role.COACH}
# Roles whose holders may open a student file of someone else.
FILE_ROLES = SCHOOL_ROLES | {
    Role.ABSENCE_OFFICER,
    Role.EXTERNAL_CARE_WORKER,
    Role.ATTENDANCE_OFFICER,
}
# Roles that only ever see counts, never a name.
AGGREGATE_ROLES = frozenset({Role.MUNICIPAL_ADVISOR, Role.GOVERNANCE})

_SCHOOL_CARE_PARTS = frozenset(
    {Part.IDENTITY, Part.CONTACT, Part.ENROLMENT, Part.ABSENCE, Part.SUPPORT, Part.REFERRALS}
)
_COACH_PARTS = frozenset({Part.IDENTITY, Part.CONTACT, Part.ENROLMENT, Part.ABSENCE, Part.SUPPORT})
# What the law gives leerplicht/RMC: who the student is, where enrolled, and the absence.
_ATTENDANCE_PARTS = frozenset({Part.IDENTITY, Part.CONTACT, Part.ENROLMENT, Part.ABSENCE})
# The school's attendance coordinator: the absence of every student at the school (or location).
_ABSENCE_OFFICER_PARTS = _ATTENDANCE_PARTS
# What may ever be shared with an external provider, and only with consent.
SHAREABLE_PARTS = frozenset({Part.CONTACT, Part.ENROLMENT, Part.ABSENCE, Part.SUPPORT})
_STUDENT_OWN_PARTS = _SCHOOL_CARE_PARTS
# Early leavers stay on the RMC list until their 23rd birthday.
RMC_AGE_LIMIT = 23


@dataclass(frozen=True)
class Grant:
    """One reason why a user may see a student, and what it allows."""

    reason: str
    role: str
    view: frozenset[Part]
    change: frozenset[Part] = frozenset()
    export: frozenset[Part] = frozenset()
    # The viewed parts that rest only on an emergency share (no consent): their reads are
    # logged as emergency access, on the ground of vital interest (issue 19).
    emergency: frozenset[Part] = frozenset()

    def parts_for(self, action: Action) -> frozenset[Part]:
        return {Action.VIEW: self.view, Action.CHANGE: self.change, Action.EXPORT: self.export}[
            action
        ]


@dataclass(frozen=True)
class _Rule:
    grant: Grant
    scope: Q
    # Set for rules whose parts depend on the student (consent); None means `grant.view`.
    consent_organisation_id: int | None = None


@dataclass(frozen=True)
class StudentAccess:
    """What one user may do with one student's file."""

    grants: tuple[Grant, ...] = field(default_factory=tuple)

    def parts(self, action: Action = Action.VIEW) -> frozenset[Part]:
        result: frozenset[Part] = frozenset()
        for grant in self.grants:
            result |= grant.parts_for(action)
        return result

    def allows(self, action: Action, part: Part) -> bool:
        return part in self.parts(action)

    def rests_on_emergency(self, parts: Iterable[Part | str]) -> bool:
        """Does reading these parts rest on an emergency share: is one of them given only by
        grants that hold it through a share without consent?"""
        for part in parts:
            giving = [g for g in self.grants if part in g.view]
            if giving and all(part in g.emergency for g in giving):
                return True
        return False

    @property
    def roles(self) -> str:
        """The granting roles as codes, as written to the access log."""
        return ",".join(sorted({g.role for g in self.grants}))

    @property
    def roles_display(self) -> str:
        return describe_roles(self.roles)


def describe_roles(codes: str) -> str:
    """'coach,support_team' -> 'Studieloopbaanbegeleider (SLB), lid van het ondersteuningsteam'."""
    labels = {str(role.value): str(role.label) for role in Role}
    labels["support_team"] = str(_("lid van het ondersteuningsteam"))
    labels["referral"] = str(_("verwijzer"))
    labels["referral_recipient"] = str(_("ontvanger van een verwijzing"))
    labels["consent_withdrawn"] = str(_("trok toestemming in"))
    labels["action_owner"] = str(_("eigenaar van een actie"))
    labels["triage"] = str(_("behandelt zorgmeldingen"))
    return ", ".join(labels.get(code, code) for code in codes.split(",") if code)


_CACHE_ATTRIBUTE = "_schakelpunt_active_memberships"
_CLIENT_ATTRIBUTE = "_schakelpunt_api_client"


def _active_memberships(user: User) -> list[Membership]:
    """The user's memberships valid today, read once per user object (so once per request)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        if user.is_api_client:
            cached = _client_memberships(user)
        else:
            cached = list(
                Membership.objects.active()
                .filter(user=user)
                .select_related("organisation")
                .order_by("pk")
            )
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def active_api_client(user: User) -> ApiClient | None:
    """The connected system this principal is, while its token is neither revoked nor expired."""
    if not user.is_authenticated or not user.is_api_client:
        return None
    if not hasattr(user, _CLIENT_ATTRIBUTE):  # read once per user object (once per request)
        setattr(
            user,
            _CLIENT_ATTRIBUTE,
            ApiClient.objects.select_related("organisation").filter(user=user).first(),
        )
    client: ApiClient | None = getattr(user, _CLIENT_ATTRIBUTE)
    return client if client is not None and client.is_active() else None


def _client_memberships(user: User) -> list[Membership]:
    """A system holds the roles its scopes give (accounts/scopes.py) in its own organisation,
    institution-wide, as unsaved memberships: every rule below then treats it as it treats a
    person in that role, and no list of people or of recipients ever finds it."""
    client = active_api_client(user)
    if client is None:
        return []
    roles = sorted({SCOPE_ROLES[s] for s in client.scopes if s in SCOPE_ROLES})
    return [Membership(user=user, organisation=client.organisation, role=role) for role in roles]


def client_has_scope(user: User, organisation: Organisation, scope: ApiScope | str) -> bool:
    """Is this principal a live system of that organisation, given that scope?"""
    client = active_api_client(user)
    return (
        client is not None and client.organisation_id == organisation.pk and scope in client.scopes
    )


def _active_consent(organisation_id: int, today: date) -> QuerySet[Consent]:
    return Consent.objects.filter(
        organisation_id=organisation_id, withdrawn_at__isnull=True, given_on__lte=today
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def _school_scope(m: Membership) -> Q:
    """The students of the member's institution, or of their location when they have one."""
    scope = Q(institution_id=m.organisation_id)
    if m.location_id:
        scope &= Q(location_id=m.location_id)
    return scope


class _In(Func):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`, which PostgreSQL
    (unlike an IN-subquery) can use as an index condition next to the other rules' ORed
    conditions, instead of reading every student to test it."""

    arity = 2
    template = "%(expressions)s"
    arg_joiner = " IN "
    output_field = BooleanField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = self.as_sql(compiler, connection, arg_joiner=" = ANY(ARRAY", **extra)
        return f"{sql})", params


def _in(column: str, values: QuerySet[Any]) -> Q:
    """The students whose `column` is one of `values` (a one-column queryset)."""
    return Q(_In(F(column), Subquery(values.order_by())))


def about_students(students: QuerySet[Student], field: str = "student_id") -> Q:
    """Rows (referrals, concerns, trajectories) about one of these students, each row's student
    looked up by its key: SQLite otherwise first lists every student of a school (tens of
    thousands) for a few hundred rows; PostgreSQL plans both the same."""
    return Q(Exists(students.filter(pk=OuterRef(field))))


def _rules(user: User) -> list[_Rule]:
    """Every rule that applies to this user, one per membership (plus own file and team).

    A scope that depends on other tables is written `_in("pk", <student ids>)`, never as a
    correlated EXISTS: ORed with the other rules, an EXISTS made the database test it for
    every student of the school (seconds per list, issue 16)."""
    today = timezone.localdate()
    rules: list[_Rule] = []
    school_ids: set[int] = set()
    for m in _active_memberships(user):
        if m.role == Role.COACH and m.programme_team_id:
            school_ids.add(m.organisation_id)
            rules.append(
                _Rule(
                    Grant(
                        "programme_team",
                        m.role,
                        _COACH_PARTS,
                        change=frozenset({Part.SUPPORT}),
                        export=frozenset({Part.SUPPORT}),  # the plan, for a conversation
                    ),
                    _in(
                        "programme_id",
                        Programme.objects.filter(team_id=m.programme_team_id).values("pk"),
                    )
                    & Q(institution_id=m.organisation_id),
                )
            )
        elif m.role in CARE_TEAM_ROLES:
            school_ids.add(m.organisation_id)
            rules.append(
                _Rule(
                    Grant(
                        "care_team",
                        m.role,
                        _SCHOOL_CARE_PARTS,
                        change=_SCHOOL_CARE_PARTS - {Part.IDENTITY},
                        export=_SCHOOL_CARE_PARTS,
                    ),
                    _school_scope(m),
                )
            )
        elif m.role == Role.ABSENCE_OFFICER:
            rules.append(
                _Rule(
                    Grant(
                        "absence_officer",
                        m.role,
                        _ABSENCE_OFFICER_PARTS,
                        change=frozenset({Part.ABSENCE}),
                        export=frozenset({Part.IDENTITY, Part.ABSENCE}),
                    ),
                    _school_scope(m),
                )
            )
        elif m.role == Role.EXTERNAL_CARE_WORKER:
            referred = Referral.objects.filter(
                to_organisation_id=m.organisation_id, status__in=REFERRAL_ACTIVE_STATUSES
            ).values("student_id")
            consented = _active_consent(m.organisation_id, today).values("student_id")
            rules.append(
                _Rule(
                    Grant("referral_with_consent", m.role, frozenset({Part.IDENTITY})),
                    _in("pk", referred) & _in("pk", consented),
                    consent_organisation_id=m.organisation_id,
                )
            )
        elif m.role == Role.ATTENDANCE_OFFICER:
            if m.organisation.rmc_region_id:
                area = Q(
                    residence_municipality_id__in=Municipality.objects.filter(
                        rmc_region_id=m.organisation.rmc_region_id
                    ).values("pk")
                )
            elif m.organisation.municipality_id:
                area = Q(residence_municipality_id=m.organisation.municipality_id)
            else:
                continue
            reported = AbsenceReport.objects.values("student_id")
            never_came = NonArrival.objects.filter(student__isnull=False).values("student_id")
            born_after = years_before(today, RMC_AGE_LIMIT)
            # Without startkwalificatie on the day they left (one obtained later still counts).
            early_leaver = Q(left_on__isnull=False, date_of_birth__gt=born_after) & (
                Q(has_basic_qualification=False) | Q(basic_qualification_on__gt=F("left_on"))
            )
            rules.append(
                _Rule(
                    Grant("statutory_task", m.role, _ATTENDANCE_PARTS, export=_ATTENDANCE_PARTS),
                    area & (Q(pk__in=reported) | early_leaver | Q(pk__in=never_came)),
                )
            )
    if school_ids:
        # Colleagues at the student's own school who joined the support team.
        in_team = SupportTeamMember.objects.filter(user=user, ended_on__isnull=True).values(
            "student_id"
        )
        rules.append(
            _Rule(
                Grant(
                    "support_team",
                    "support_team",
                    _SCHOOL_CARE_PARTS,
                    change=frozenset({Part.SUPPORT}),
                    export=frozenset({Part.SUPPORT}),
                ),
                _in("pk", in_team) & Q(institution_id__in=sorted(school_ids)),
            )
        )
    # Their own file, while the role Student at that school runs: an ended role ends it.
    own_schools = sorted(
        {m.organisation_id for m in _active_memberships(user) if m.role == Role.STUDENT}
    )
    if own_schools:
        rules.append(
            _Rule(
                Grant(
                    "own_file",
                    Role.STUDENT,
                    _STUDENT_OWN_PARTS,
                    export=frozenset({Part.SUPPORT}),  # their own plan as a PDF
                ),
                Q(user=user, institution_id__in=own_schools),
            )
        )
    return rules


def students_for_user(
    user: User, part: Part | None = None, action: Action = Action.VIEW
) -> QuerySet[Student]:
    """Every student this user may open, and no other. Empty for aggregate-only roles.

    With `part`: only the students whose `part` this user may see for every one of them
    (consent-based rules, which differ per student, are left out).
    """
    rules = _rules(user)
    if part is None:
        return _students_in(rules)
    return _students_in(
        [
            r
            for r in rules
            if r.consent_organisation_id is None and part in r.grant.parts_for(action)
        ]
    )


def _students_in(rules: list[_Rule]) -> QuerySet[Student]:
    """The students any of these rules covers; none without rules (deny by default)."""
    if not rules:
        return Student.objects.none()
    scope = Q()
    for rule in rules:
        scope |= rule.scope
    return Student.objects.filter(scope)


def student_access(user: User, student: Student) -> StudentAccess:
    """Which grants apply to this user for this student (none means: no access at all)."""
    today = timezone.localdate()
    grants: list[Grant] = []
    for rule in _rules(user):
        if not Student.objects.filter(pk=student.pk).filter(rule.scope).exists():
            continue
        if rule.consent_organisation_id is None:
            grants.append(rule.grant)
            continue
        consented: set[Part] = set()
        by_consent: set[Part] | None = None  # None: no consent, only emergency shares
        for consent in _active_consent(rule.consent_organisation_id, today).filter(student=student):
            parts = {Part(p) for p in consent.parts if p in SHAREABLE_PARTS}
            consented |= parts
            if consent.basis != ConsentBasis.EMERGENCY:
                by_consent = (by_consent or set()) | parts
        # Without any consent the share itself (and so the name) rests on the emergency.
        emergency = consented | rule.grant.view if by_consent is None else consented - by_consent
        grants.append(
            Grant(
                rule.grant.reason,
                rule.grant.role,
                rule.grant.view | frozenset(consented),
                emergency=frozenset(emergency),
            )
        )
    return StudentAccess(tuple(grants))


def student_get_for_user(
    *, user: User, student_id: int, action: Action = Action.VIEW, part: Part = Part.IDENTITY
) -> tuple[Student, StudentAccess]:
    """The student with the user's access, or the same 404 for 'absent' and 'not allowed'."""
    student = (
        Student.objects.select_related(
            "institution",
            "location__municipality",
            "programme__team",
            "residence_municipality__rmc_region",
        )
        .filter(pk=student_id)
        .first()
    )
    if student is None:
        raise Http404
    access = student_access(user, student)
    if not access.allows(action, part):
        _keep_refusal(user, student.pk, action, part)
        raise Http404
    return student, access


def _keep_refusal(user: User, student_id: int, action: Action, part: Part) -> None:
    """An existing student refused: kept in the decision log, so probing shows."""
    record_refusal(
        user=user,
        student_id=student_id,
        action=action,
        part=part,
        roles=",".join(sorted(roles_of(user))),
        behalf=acting_for(user),
    )


def refuse_student(
    *, user: User, student_id: int, action: Action = Action.VIEW, part: Part = Part.IDENTITY
) -> NoReturn:
    """The 404 of a page about one student this user may not open: the decision log keeps
    the attempt when the student exists (an absent id leaves no row); the answer is the same."""
    if Student.objects.filter(pk=student_id).exists():
        _keep_refusal(user, student_id, action, part)
    raise Http404


def refuse_referral(
    *, user: User, referral_id: int, action: Action = Action.VIEW, part: Part = Part.REFERRALS
) -> NoReturn:
    """The 404 of a referral this user may not open, kept as a refusal about its student."""
    about = Referral.objects.filter(pk=referral_id).values_list("student_id", flat=True)
    for student_id in about[:1]:
        _keep_refusal(user, student_id, action, part)
    raise Http404


def refuse_meeting(*, user: User, meeting: Meeting) -> NoReturn:
    """The 404 of a meeting this user may not open: a refusal about each student on its
    agenda (what the page would have shown of them is their support)."""
    for student_id in sorted(set(meeting.items.values_list("student_id", flat=True))):
        _keep_refusal(user, student_id, Action.VIEW, Part.SUPPORT)
    raise Http404


def may_open_student_files(user: User) -> bool:
    """Does any role of this user open student files of others?"""
    return any(m.role in FILE_ROLES for m in _active_memberships(user))


# Roles that see only their own file or their own child's, never another student's.
END_USER_ROLES = frozenset({Role.STUDENT, Role.PARENT})


def must_use_second_factor(user: User) -> bool:
    """Every role but the student's own and the parent's needs a second factor: who works in
    Schakelpunt sees students, counts, the log or the roles (docs/decisions/0017). A parent,
    like the student, sees one child's plan only (docs/decisions/0023)."""
    return any(m.role not in END_USER_ROLES for m in _active_memberships(user))


def roles_of(user: User) -> set[str]:
    return {m.role for m in _active_memberships(user)}


def acting_for(user: User, roles: Iterable[str] | None = None) -> str:
    """On whose behalf the user acts, as the processing log names it: the organisations of
    their active memberships in these roles (all roles when None), by name."""
    wanted = None if roles is None else set(roles)
    names = sorted(
        {
            m.organisation.name
            for m in _active_memberships(user)
            if wanted is None or m.role in wanted
        }
    )
    return ", ".join(names)


def has_any_role(user: User, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return any(m.role in wanted for m in _active_memberships(user))


def privacy_officer_institutions(user: User) -> list[int]:
    """The institutions whose access log this user may search."""
    return sorted(
        m.organisation_id for m in _active_memberships(user) if m.role == Role.PRIVACY_OFFICER
    )


def may_view_access_log(user: User, student: Student) -> bool:
    """The student sees who opened their own file; the privacy officer of the school too."""
    if student.user_id is not None and student.user_id == user.pk:
        return True
    return student.institution_id in privacy_officer_institutions(user)


def students_overseen_by(user: User) -> QuerySet[Student]:
    """The students a privacy officer may name while overseeing their school: on the access
    log and the shares without consent. Only the identity part, and not a file they can open:
    these students are not in `students_for_user` (docs/decisions/0021)."""
    return Student.objects.filter(institution_id__in=privacy_officer_institutions(user))


def students_for_export(user: User, parts: frozenset[Part]) -> QuerySet[Student]:
    """The students whose given parts this user may export (a care team, leerplicht/RMC)."""
    return _students_in(
        [r for r in _rules(user) if r.consent_organisation_id is None and parts <= r.grant.export]
    )


def provider_organisation_ids(user: User) -> list[int]:
    """The care providers this user works for as an external care worker."""
    return sorted(
        m.organisation_id for m in _active_memberships(user) if m.role == Role.EXTERNAL_CARE_WORKER
    )


def provider_worker_ids(organisation_id: int) -> list[int]:
    """The people who handle referrals to this organisation."""
    return sorted(
        Membership.objects.active()
        .filter(organisation_id=organisation_id, role=Role.EXTERNAL_CARE_WORKER)
        .values_list("user_id", flat=True)
    )


def referral_side(user: User, referral: Referral) -> Literal["school", "provider"] | None:
    """Who the user is for this referral: the school that refers (a care team that may change
    the student's referrals), a worker of the receiving organisation (once it is sent), or
    nobody."""
    if student_access(user, referral.student).allows(Action.CHANGE, Part.REFERRALS):
        return "school"
    if (
        referral.status != ReferralStatus.DRAFT
        and referral.to_organisation_id in provider_organisation_ids(user)
    ):
        return "provider"
    return None


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """The referrals a user may open: of students whose referrals they see (the school, the
    student), and those sent to their organisation (the provider)."""
    school = students_for_user(user, part=Part.REFERRALS)
    provider = Q(to_organisation_id__in=provider_organisation_ids(user)) & ~Q(
        status=ReferralStatus.DRAFT
    )
    return Referral.objects.filter(about_students(school) | provider)


def may_share_in_emergency(user: User, student: Student) -> bool:
    """The separate permission to share without consent, for the student's own school."""
    return any(
        m.emergency_sharing
        and m.role in CARE_TEAM_ROLES
        and m.organisation_id == student.institution_id
        for m in _active_memberships(user)
    )


def emergency_shares_visible_to(user: User) -> QuerySet[Consent]:
    """Shares without consent, for the privacy officer of the student's school."""
    return Consent.objects.filter(
        basis="emergency", student__institution_id__in=privacy_officer_institutions(user)
    )


def may_edit_directory_entry(user: User, account_id: int | None) -> bool:
    """The functional administrator edits the whole sociale kaart; a provider's workers edit
    the entries of their own organisation."""
    if may_edit_whole_directory(user):
        return True
    return account_id is not None and account_id in provider_organisation_ids(user)


def may_edit_whole_directory(user: User) -> bool:
    """Every entry of the sociale kaart, for any organisation: the functional administrator."""
    return has_any_role(user, {Role.FUNCTIONAL_ADMIN})


def may_manage_funding(user: User) -> bool:
    """Funding streams of services, their prices and the school's hourly rate: the functional
    administrator, who also keeps the whole sociale kaart."""
    return may_edit_whole_directory(user)


def may_edit_directory(user: User) -> bool:
    return has_any_role(user, {Role.FUNCTIONAL_ADMIN, Role.EXTERNAL_CARE_WORKER})


def may_organise_meeting_for(user: User, student: Student) -> bool:
    """Plan a case meeting about a student, run it and keep its minutes: whoever may change
    the student's support (the care team, the coordinator)."""
    return student_access(user, student).allows(Action.CHANGE, Part.SUPPORT)


def may_handle_handover(user: User, institution: Organisation) -> bool:
    """Handover records from VO schools: the institution's care team and functional admin
    (they are about pupils who may not be students yet)."""
    return any(
        m.organisation_id == institution.pk
        and (m.role in CARE_TEAM_ROLES or m.role == Role.FUNCTIONAL_ADMIN)
        for m in _active_memberships(user)
    )


def handovers_visible_to(user: User) -> QuerySet[HandoverRecord]:
    """Handover records this user may read: the receiving institution's care team and
    functional admin, and leerplicht/RMC of the pupil's residence for pupils who never
    enrolled (a non-arrival)."""
    scope = Q(pk__in=[])
    for m in _active_memberships(user):
        if m.role in CARE_TEAM_ROLES or m.role == Role.FUNCTIONAL_ADMIN:
            scope |= Q(institution_id=m.organisation_id)
        elif m.role == Role.ATTENDANCE_OFFICER:
            if m.organisation.rmc_region_id:
                area = Q(residence_municipality__rmc_region_id=m.organisation.rmc_region_id)
            elif m.organisation.municipality_id:
                area = Q(residence_municipality_id=m.organisation.municipality_id)
            else:
                continue
            scope |= area & Q(non_arrival__isnull=False)
    return HandoverRecord.objects.filter(scope)


class Scope(NamedTuple):
    """A population in the monitor: its key (for kept figures), its name, its students."""

    key: str
    title: str
    students: QuerySet[Student]


def municipality_scope(municipality: Municipality) -> Scope:
    return Scope(
        f"gemeente:{municipality.cbs_code}",
        str(_("Gemeente %(name)s") % {"name": municipality.name}),
        Student.objects.filter(residence_municipality=municipality),
    )


def region_scope(region: RmcRegion) -> Scope:
    return Scope(
        f"regio:{region.code}",
        str(_("RMC-regio %(name)s") % {"name": region.name}),
        Student.objects.filter(residence_municipality__rmc_region=region),
    )


def institution_scope(institution: Organisation) -> Scope:
    return Scope(
        f"instelling:{institution.pk}",
        str(institution),
        Student.objects.filter(institution=institution),
    )


def monitor_scopes(user: User) -> list[Scope]:
    """The student populations whose counts (never names) this user may see in the monitor:
    a municipal advisor their municipality's residents; governance of a municipality the
    same and the residents of its RMC region (the regional overleg); governance of an
    institution its students."""
    scopes: list[Scope] = []
    for m in _active_memberships(user):
        if m.role not in AGGREGATE_ROLES:
            continue
        org = m.organisation
        if org.kind == OrganisationKind.MUNICIPALITY and org.municipality:
            scopes.append(municipality_scope(org.municipality))
            if m.role == Role.GOVERNANCE:
                scopes.append(region_scope(org.municipality.rmc_region))
        elif org.kind == OrganisationKind.MBO_INSTITUTION and m.role == Role.GOVERNANCE:
            scopes.append(institution_scope(org))
    return list({scope.key: scope for scope in scopes}.values())


def may_run_meeting(user: User, meeting: Meeting) -> bool:
    """Run a case meeting (participants, decisions, minutes): the care team of every student
    on its agenda."""
    students = [item.student for item in meeting.items.select_related("student")]
    return bool(students) and all(may_organise_meeting_for(user, s) for s in students)


def may_open_meeting(user: User, meeting: Meeting) -> bool:
    """Its participants, and whoever runs it; each still sees only what the rules above allow
    about each student on the agenda."""
    return meeting.participants.filter(user=user).exists() or may_run_meeting(user, meeting)


def may_manage_users(user: User) -> bool:
    """The functional administrator invites people and gives them roles."""
    return has_any_role(user, {Role.FUNCTIONAL_ADMIN})


def organisations_user_may_manage(user: User) -> list[int]:
    """Whose people this user keeps: the institutions where they are functional administrator,
    and the providers, municipalities and RMC offices the operator let those institutions
    manage (`Organisation.managed_by`). Never another institution."""
    own = {m.organisation_id for m in _active_memberships(user) if m.role == Role.FUNCTIONAL_ADMIN}
    if not own:
        return []
    managed = Organisation.objects.filter(managed_by_id__in=sorted(own)).values_list(
        "pk", flat=True
    )
    return sorted(own | set(managed))


def roles_user_may_grant(user: User) -> dict[int, frozenset[str]]:
    """Per organisation this user manages: the roles they may give there (those that fit it)."""
    return {
        org.pk: frozenset(
            role for role, kinds in ROLE_ORGANISATION_KINDS.items() if org.kind in kinds
        )
        for org in Organisation.objects.filter(pk__in=organisations_user_may_manage(user))
    }


def may_grant_role(
    user: User, *, grantee: User | None, organisation: Organisation, role: str
) -> bool:
    """Give a person a role from the screen (the operator's command line is not asked)."""
    if grantee is not None and grantee.pk == user.pk:
        return False  # never to oneself, not even an extra role
    return role in roles_user_may_grant(user).get(organisation.pk, frozenset())


def role_grants_visible_to(user: User) -> Q:
    """The role grants a privacy officer reads: in their institution, in the organisations it
    manages, and those tried by their institution's functional administrators elsewhere."""
    ids = privacy_officer_institutions(user)
    if not ids:
        return Q(pk__in=[])
    admins = Membership.objects.filter(organisation_id__in=ids, role=Role.FUNCTIONAL_ADMIN).values(
        "user_id"
    )
    return (
        Q(organisation_id__in=ids) | Q(organisation__managed_by_id__in=ids) | Q(actor_id__in=admins)
    )


def is_own_file(user: User, student: Student) -> bool:
    """The student themselves, while their role Student at the school runs: may add to their
    plan and ask for help, nothing more."""
    return bool(
        user.is_authenticated
        and student.user_id is not None
        and student.user_id == user.pk
        and any(
            m.role == Role.STUDENT and m.organisation_id == student.institution_id
            for m in _active_memberships(user)
        )
    )


def students_for_follow_up(user: User) -> QuerySet[Student]:
    """Leerplicht/RMC record what they did with the reports and leavers in their area."""
    return _students_in([r for r in _rules(user) if r.grant.role == Role.ATTENDANCE_OFFICER])


def may_follow_up(user: User, student: Student) -> bool:
    return students_for_follow_up(user).filter(pk=student.pk).exists()


def concerns_user_may_handle(user: User) -> Q:
    """Concerns in the user's triage queue: every concern about students whose support they
    may change (the care team), and the early-warning signals about attendance of students
    whose absence they may change (the school's attendance coordinator)."""
    support = students_for_user(user, part=Part.SUPPORT, action=Action.CHANGE)
    absence = students_for_user(user, part=Part.ABSENCE, action=Action.CHANGE)
    return about_students(support) | (
        about_students(absence) & Q(source=ConcernSource.EARLY_WARNING, about_absence=True)
    )


def may_handle_concern(user: User, concern: Concern) -> bool:
    access = student_access(user, concern.student)
    return access.allows(Action.CHANGE, Part.SUPPORT) or (
        concern.source == ConcernSource.EARLY_WARNING
        and concern.about_absence
        and access.allows(Action.CHANGE, Part.ABSENCE)
    )


def institutions_for_signal_quality(user: User) -> list[Organisation]:
    """Care coordinators and governance look back at the signalling of their institution
    (counts only, never names)."""
    return [
        m.organisation
        for m in _active_memberships(user)
        if m.role in {Role.CARE_COORDINATOR, Role.GOVERNANCE}
        and m.organisation.kind == OrganisationKind.MBO_INSTITUTION
    ]


def may_configure_institution(user: User, institution: Organisation) -> bool:
    """The functional administrator of the institution sets it up (students, settings)."""
    return any(
        m.role == Role.FUNCTIONAL_ADMIN and m.organisation_id == institution.pk
        for m in _active_memberships(user)
    )


def may_import_students(user: User, institution: Organisation) -> bool:
    """The functional administrator of the institution loads its students; so does its
    student information system with the scope for it."""
    return may_configure_institution(user, institution) or client_has_scope(
        user, institution, ApiScope.STUDENTS_WRITE
    )


def may_write_programmes(user: User, institution: Organisation) -> bool:
    """The institution's programmes: its functional administrator, or its system."""
    return may_configure_institution(user, institution) or client_has_scope(
        user, institution, ApiScope.PROGRAMMES_WRITE
    )


def may_import_absence(user: User, institution: Organisation) -> bool:
    """The functional administrator or the school's attendance coordinator loads absence."""
    return any(
        m.role in {Role.FUNCTIONAL_ADMIN, Role.ABSENCE_OFFICER}
        and m.organisation_id == institution.pk
        and (m.role == Role.FUNCTIONAL_ADMIN or m.location_id is None)
        for m in _active_memberships(user)
    ) or client_has_scope(user, institution, ApiScope.ABSENCE_WRITE)


# From this age the student decides whether school involves parents (AVG, Civil Code 1:233).
ADULT_AGE = 18


def guardian_may_be_involved(student: Student, student_consents: bool, today: date) -> bool:
    """Under 18 parents are involved; from 18 only with the student's consent."""
    return student.age_on(today) < ADULT_AGE or student_consents


# --- What surrounds the file: names in messages, minutes, advice, lists, the timeline. ---

CONSENT_REASON = "referral_with_consent"


def may_see_identity(user: User, student: Student) -> bool:
    """May a message, list or page name this student to this user? Only if the user may
    already open the student (every rule grants the identity part)."""
    return students_for_user(user).filter(pk=student.pk).exists()


def student_ids_showing(user: User, student_ids: Iterable[int], part: Part) -> set[int]:
    """Of these students, those whose `part` this user may see: one query for the rules that
    grant the part to every student in scope, one per consent-based rule."""
    wanted = set(student_ids)
    rules = _rules(user)
    fixed = [r for r in rules if r.consent_organisation_id is None and part in r.grant.view]
    shown: set[int] = set()
    if fixed and wanted:
        in_scope = _students_in(fixed).filter(pk__in=sorted(wanted))
        shown |= set(in_scope.values_list("pk", flat=True))
    today = timezone.localdate()
    for rule in rules:
        if rule.consent_organisation_id is None or part not in SHAREABLE_PARTS:
            continue
        open_ids = Student.objects.filter(rule.scope, pk__in=sorted(wanted - shown))
        consents = _active_consent(rule.consent_organisation_id, today).filter(student__in=open_ids)
        for student_id, parts in consents.values_list("student_id", "parts"):
            if part in parts:
                shown.add(student_id)
    return shown


def is_consent_only(access: StudentAccess) -> bool:
    """Does the user see this student only through a referral with consent (a provider)?"""
    return bool(access.grants) and all(g.reason == CONSENT_REASON for g in access.grants)


def provider_period_start(user: User, student: Student, access: StudentAccess) -> date | None:
    """For a provider: the day its referral of this student was sent (or accepted); the
    provider sees only what happened from then on. None for everyone else."""
    if not is_consent_only(access):
        return None
    today = timezone.localdate()
    referrals = Referral.objects.filter(
        student=student,
        to_organisation_id__in=provider_organisation_ids(user),
        status__in=REFERRAL_ACTIVE_STATUSES,
    )
    starts = [_referral_start(r, today) for r in referrals]
    return min(starts, default=today)


def _referral_start(referral: Referral, today: date) -> date:
    sent = referral.sent_at or referral.received_at
    if sent is not None:
        return timezone.localdate(sent)
    return referral.accepted_on or today


def timeline_shows_concerns(access: StudentAccess) -> bool:
    """Concerns are the school's own signals (with the reporter's name): not for providers."""
    return not is_consent_only(access)


def may_see_guardian_contact(
    access: StudentAccess, guardian_consents: bool, involved: bool
) -> bool:
    """A guardian's phone and e-mail: school staff with the contact part whenever school may
    involve the guardian; a provider only with consent to the contact part and the student's
    own agreement to involve this guardian."""
    if not access.allows(Action.VIEW, Part.CONTACT):
        return False
    if not involved:
        return False
    if not is_consent_only(access):
        return True
    return guardian_consents


def actions_owned_by(user: User) -> QuerySet[PlanAction]:
    """An action's text is for whoever was given it, also when that person may not open the
    student's file (a colleague asked at a meeting): the task, not the rest of the plan, and
    the student named only where `may_see_identity` allows (docs/decisions/0021)."""
    if not user.is_authenticated or not user.is_active:
        return PlanAction.objects.none()
    return PlanAction.objects.filter(owner=user)


def referrals_with_visible_advice(user: User) -> QuerySet[Referral]:
    """The referrals whose handelingsadvies the user reads: the referral's own access (the
    school's care team and the student all of the student's; a provider only its own)."""
    return referrals_for_user(user)


def may_read_agenda_item_minutes(user: User, student: Student) -> bool:
    """The minutes of one student's agenda item: whoever may see that student's support
    (the student their own item)."""
    return student_access(user, student).allows(Action.VIEW, Part.SUPPORT)


def may_read_general_minutes(user: User, meeting: Meeting) -> bool:
    """The general part of the minutes (meant to hold nothing about a student, but written
    by people): whoever runs the meeting, or may see the support of every student on it."""
    if may_run_meeting(user, meeting):
        return True
    students = [item.student for item in meeting.items.select_related("student")]
    return all(may_read_agenda_item_minutes(user, s) for s in students)


def concern_visible_to_student(concern: Concern) -> bool:
    """The student sees concerns about them, unless someone held one back with a reason."""
    return not concern.withheld_reason


def may_hold_back_concern(user: User, concern: Concern) -> bool:
    """Hold a concern back from the student: the person who raised it, or the care team."""
    if concern.raised_by_id is not None and concern.raised_by_id == user.pk:
        return True
    return student_access(user, concern.student).allows(Action.CHANGE, Part.SUPPORT)


def held_back_concerns_to_review(user: User) -> Q:
    """Concerns held back from the student that this user reviews: a care coordinator, those
    about the students of their school (or location)."""
    schools = [
        _school_scope(m) for m in _active_memberships(user) if m.role == Role.CARE_COORDINATOR
    ]
    if not schools:
        return Q(pk__in=[])
    scope = Q()
    for school in schools:
        scope |= school
    return Q(student__in=Student.objects.filter(scope))


def may_review_held_back_concern(user: User, concern: Concern) -> bool:
    return Concern.objects.filter(held_back_concerns_to_review(user), pk=concern.pk).exists()


# --- Parents and carers (issue 17, docs/decisions/0023). ---
#
# A parent is no file role: no student list, no /studenten/<id>/, no API, no export. They read
# their child's own parent page, which shows at most the parts below; all three lie within
# the support part of the file, and each read is logged in the child's access log.


class ParentPart(models.TextChoices):
    """What a parent can see of their child's file; `Guardian.shared_parts` holds these codes."""

    PLAN = "plan", gettext_lazy("De doelen en afspraken uit het plan")
    APPOINTMENTS = "appointments", gettext_lazy("Geplande gesprekken en overleggen")
    TEAM = "team", gettext_lazy("Wie helpt en hoe ze te bereiken zijn")


ALL_PARENT_PARTS = frozenset(ParentPart.values)
# From this age the student chooses what their parents see (AVG art. 8, UAVG art. 5: 16).
PARENT_SHARING_AGE = 16
# The file part each parent part is logged as.
PARENT_LOGGED_PARTS = frozenset({Part.IDENTITY, Part.SUPPORT})


def parent_parts_of_guardian(guardian: Guardian, today: date) -> frozenset[str]:
    """What this guardian's account may see of the student today, by age alone: under 16
    everything a parent sees; from 16 what the student shared; from the 18th birthday
    nothing, unless the adult student involves them on "Delen met ouders"
    (`Guardian.adult_involves_parent`; then again what the student shared). Never
    `student_consents`: under 18 that is the student's agreement that providers see this
    person's contact details, and it must not open a parent's page after the 18th birthday."""
    age = guardian.student.age_on(today)
    if age < PARENT_SHARING_AGE:
        return ALL_PARENT_PARTS
    shared = frozenset(str(p) for p in guardian.shared_parts or []) & ALL_PARENT_PARTS
    if age < ADULT_AGE:
        return shared
    if guardian.adult_involves_parent:
        return shared
    return frozenset()


def _parent_institution_ids(user: User) -> list[int]:
    return sorted({m.organisation_id for m in _active_memberships(user) if m.role == Role.PARENT})


def _guardianships(user: User) -> QuerySet[Guardian]:
    """The guardian rows of this account, in the institutions where they are a parent now."""
    institutions = _parent_institution_ids(user)
    if not institutions:
        return Guardian.objects.none()
    return Guardian.objects.filter(
        user=user, student__institution_id__in=institutions
    ).select_related("student")


@dataclass(frozen=True)
class ParentView:
    """One child a parent may look at today, and which parts."""

    guardian: Guardian
    student: Student
    parts: frozenset[str]

    def shows(self, part: str) -> bool:
        return part in self.parts


def children_for_parent(user: User) -> list[ParentView]:
    """The children this parent may look at today (at least one part), by first name."""
    if not user.is_authenticated or not user.is_active:
        return []
    today = timezone.localdate()
    views: dict[int, ParentView] = {}
    for guardian in _guardianships(user).order_by("student__first_name", "student_id", "pk"):
        parts = parent_parts_of_guardian(guardian, today)
        if not parts:
            continue
        seen = views.get(guardian.student_id)
        if seen is not None:  # two guardian rows for one person: the widest
            parts |= seen.parts
        views[guardian.student_id] = ParentView(guardian, guardian.student, parts)
    return list(views.values())


def parent_view_get(*, user: User, student_id: int) -> ParentView:
    """One child's parent page, or the same 404 for 'not your child' and 'nothing to see'."""
    for view in children_for_parent(user):
        if view.student.pk == student_id:
            return view
    refuse_student(user=user, student_id=student_id, part=Part.SUPPORT)


def parent_parts_for(user: User, student: Student) -> frozenset[str]:
    """What this user sees of this student as a parent today (empty: nothing)."""
    for view in children_for_parent(user):
        if view.student.pk == student.pk:
            return view.parts
    return frozenset()


def parent_sharing_is_chosen(student: Student, today: date) -> bool:
    """From 16 the student chooses what each parent sees; before that the law lets parents
    of a minor follow the plan."""
    return student.age_on(today) >= PARENT_SHARING_AGE


def may_set_parent_sharing(user: User, guardian: Guardian, today: date) -> bool:
    """Only the student themselves, from 16; from 18 the same screen also holds whether they
    involve this parent at all."""
    student = guardian.student
    if not is_own_file(user, student):
        return False
    return parent_sharing_is_chosen(student, today)


def may_link_guardian_account(user: User, guardian: Guardian, today: date) -> bool:
    """The institution's functional administrator gives a parent of a minor an account."""
    student = guardian.student
    return may_configure_institution(user, student.institution) and (
        student.age_on(today) < ADULT_AGE
    )


# --- Privacy by law (issue 19): the student's rights and retention --------------------------


def may_download_own_data(user: User, student: Student) -> bool:
    """The student downloads everything held about them (AVG art. 15); the privacy officer of
    the school does so on the student's request."""
    return is_own_file(user, student) or student.institution_id in privacy_officer_institutions(
        user
    )


def own_data_parts() -> frozenset[Part]:
    """The parts of the file a student sees of themselves, and so what their download holds
    (also when the privacy officer makes it for them, whose account may have ended)."""
    return _STUDENT_OWN_PARTS


def may_make_privacy_request(user: User, student: Student) -> bool:
    """Only the student asks to correct their data or objects to a processing."""
    return is_own_file(user, student)


def _request_handler_memberships(user: User) -> list[Membership]:
    return [m for m in _active_memberships(user) if m.role == Role.CARE_COORDINATOR]


def privacy_requests_scope(user: User, field: str = "student") -> Q:
    """The students whose correction requests and objections this user answers: the care
    coordinator's own school (or location). Everyone else: none."""
    scopes = [_school_scope(m) for m in _request_handler_memberships(user)]
    if not scopes:
        return Q(pk__in=[])
    combined = scopes[0]
    for scope in scopes[1:]:
        combined |= scope
    return Q(**{f"{field}__in": Student.objects.filter(combined).values("pk")})


def may_handle_privacy_request(user: User, student: Student) -> bool:
    """Does this user answer this student's correction requests and objections?"""
    return any(
        Student.objects.filter(pk=student.pk).filter(_school_scope(m)).exists()
        for m in _request_handler_memberships(user)
    )


def may_manage_retention(user: User, institution_id: int) -> bool:
    """The privacy officer of the institution reviews, approves and holds deletions."""
    return institution_id in privacy_officer_institutions(user)
