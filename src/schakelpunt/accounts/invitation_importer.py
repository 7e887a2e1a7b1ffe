"""Invite many people at once from a CSV file (docs/import-uitnodigingen.md).

All or nothing per file: every row is checked first; one bad row and nothing is written, with
a Dutch message per row and line number. A person who already has the role in the file is left
alone (no second e-mail); importing the same file again changes nothing.
"""

from dataclasses import dataclass, field, replace
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from schakelpunt.access.policy import ADULT_AGE, may_manage_users, roles_user_may_grant
from schakelpunt.core.csvfiles import (
    UnreadableExport,
    checked_rows,
    decode_export,
    export_header,
    export_reader,
)
from schakelpunt.students.models import Guardian, Student

from .mail import send_invitation_email
from .models import Location, Membership, Organisation, ProgrammeTeam, User
from .roles import Role
from .services import (
    _membership_check,
    _taken_refusal,
    guardian_pick,
    parent_invite,
    student_email_refusal,
    user_invite,
)

REQUIRED = ["email", "voornaam", "achternaam", "rol", "organisatie"]
OPTIONAL = ["locatie", "team", "studentnummer", "ouder"]
MAX_ROWS = 5_000


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Regel {self.line}: {self.message}" if self.line else self.message


@dataclass
class InvitationImportResult:
    invited: int = 0  # new accounts, each sent one invitation
    added: int = 0  # roles added to people who already had an account
    unchanged: int = 0  # rows whose person already had that role
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Invitation:
    line: int
    email: str
    first_name: str
    last_name: str
    organisation: Organisation
    role: Role
    location: Location | None
    programme_team: ProgrammeTeam | None
    student_number: str
    guardian_named: str = ""  # a parent: the guardian's recorded name or e-mail ("ouder")
    guardian_id: int | None = None  # a parent: the guardian found for the row

    @property
    def key(self) -> tuple[str, int, str, int | None, int | None, str]:
        return (
            self.email,
            self.organisation.pk,
            self.role,
            self.location.pk if self.location else None,
            self.programme_team.pk if self.programme_team else None,
            # A parent with two children at the school has a row for each.
            self.student_number if self.role == Role.PARENT else "",
        )


def _role_names() -> dict[str, Role]:
    """A role by its code, its Dutch name, or a part of that name ("SLB", "Zorgcoördinator")."""
    names: dict[str, Role] = {}
    for role in Role:
        label = str(role.label).lower()
        names[role.value] = role
        names[label] = role
        short, _sep, between = label.partition(" (")
        names.setdefault(short.strip(), role)
        if between:
            names.setdefault(between.rstrip(")").strip(), role)
        for part in short.split(" / "):
            names.setdefault(part.strip(), role)
    names.setdefault("ouder", Role.PARENT)
    names.setdefault("verzorger", Role.PARENT)
    return names


class _Lookups:
    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.grantable = roles_user_may_grant(actor)
        self.organisations: dict[str, Organisation] = {}
        for org in Organisation.objects.filter(pk__in=sorted(self.grantable)):
            self.organisations.setdefault(org.name.strip().lower(), org)
        self.roles = _role_names()
        today = timezone.localdate()
        self.locations: dict[tuple[int, str], Location] = {}
        self.teams: dict[tuple[int, str], list[ProgrammeTeam]] = {}
        self.today = today
        for location in Location.objects.filter(institution_id__in=sorted(self.grantable)):
            self.locations[(location.institution_id, location.name.strip().lower())] = location
        for team in ProgrammeTeam.objects.filter(
            location__institution_id__in=sorted(self.grantable)
        ).select_related("location"):
            self.teams.setdefault(
                (team.location.institution_id, team.name.strip().lower()), []
            ).append(team)


def _row(line: int, raw: dict[str, str], lookups: _Lookups) -> tuple[_Invitation | None, list[str]]:
    errors: list[str] = []
    value = {k: (raw.get(k) or "").strip() for k in REQUIRED + OPTIONAL}
    for column in REQUIRED:
        if not value[column]:
            errors.append(f"{column} ontbreekt.")
    email = User.objects.normalize_email(value["email"]).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"e-mailadres '{value['email']}' is ongeldig.")
        if email == lookups.actor.email.lower():
            errors.append("u kunt uzelf geen rol geven; vraag een andere beheerder.")
    for column, limit in (
        ("voornaam", 150),
        ("achternaam", 150),
        ("studentnummer", 20),
        ("ouder", 254),
    ):
        if len(value[column]) > limit:
            errors.append(f"{column} is te lang (hoogstens {limit} tekens).")
    role = lookups.roles.get(value["rol"].lower()) if value["rol"] else None
    if value["rol"] and role is None:
        errors.append(f"rol '{value['rol']}' bestaat niet.")
    organisation = None
    if value["organisatie"]:
        organisation = lookups.organisations.get(value["organisatie"].lower())
        if organisation is None:
            errors.append(
                f"organisatie '{value['organisatie']}' bestaat niet, of u beheert haar mensen niet."
            )
    if organisation is None or role is None:
        return None, errors
    if role not in lookups.grantable.get(organisation.pk, frozenset()):
        errors.append(f"de rol {role.label} past niet bij {organisation.name}.")
        return None, errors
    location = team = None
    if value["locatie"]:
        location = lookups.locations.get((organisation.pk, value["locatie"].lower()))
        if location is None:
            errors.append(f"locatie '{value['locatie']}' bestaat niet bij {organisation.name}.")
        elif location.ended_on is not None and location.ended_on < lookups.today:
            errors.append(f"locatie '{value['locatie']}' is beëindigd.")
    if value["team"]:
        teams = lookups.teams.get((organisation.pk, value["team"].lower()), [])
        if location is not None:
            teams = [t for t in teams if t.location_id == location.pk]
        if not teams:
            errors.append(f"team '{value['team']}' bestaat niet bij {organisation.name}.")
        elif len(teams) > 1:
            errors.append(
                f"er zijn meer teams '{value['team']}'; vul ook de locatie in om te kiezen."
            )
        else:
            team = teams[0]
            if team.ended_on is not None and team.ended_on < lookups.today:
                errors.append(f"team '{value['team']}' is beëindigd.")
    if errors:
        return None, errors
    try:
        _membership_check(
            organisation=organisation, role=role, location=location, programme_team=team
        )
    except ValidationError as error:
        errors.extend(_in_row(m) for m in error.messages)
    if role == Role.STUDENT and not value["studentnummer"]:
        errors.append("bij de rol Student hoort een studentnummer.")
    elif role == Role.PARENT and not value["studentnummer"]:
        errors.append("bij de rol Ouder of verzorger hoort het studentnummer van het kind.")
    elif role not in {Role.STUDENT, Role.PARENT} and value["studentnummer"]:
        errors.append("een studentnummer hoort alleen bij de rol Student of Ouder of verzorger.")
    if role != Role.PARENT and value["ouder"]:
        errors.append("de kolom ouder hoort alleen bij de rol Ouder of verzorger.")
    if role == Role.PARENT and (location is not None or team is not None):
        errors.append("een ouder of verzorger hoort niet bij een locatie of team.")
    if errors:
        return None, errors
    return (
        _Invitation(
            line=line,
            email=email,
            first_name=value["voornaam"],
            last_name=value["achternaam"],
            organisation=organisation,
            role=role,
            location=location,
            programme_team=team,
            student_number=value["studentnummer"],
            guardian_named=value["ouder"],
        ),
        [],
    )


def _in_row(message: str) -> str:
    """A sentence of the services after "Regel 3: "."""
    return message[:1].lower() + message[1:]


def _check_students(rows: list[_Invitation]) -> list[RowError]:
    """The student records named: at the row's institution, not linked to another account."""
    errors: list[RowError] = []
    wanted = [r for r in rows if r.role == Role.STUDENT]
    if not wanted:
        return errors
    students = {
        (s.institution_id, s.student_number): s
        for s in Student.objects.filter(
            institution_id__in={r.organisation.pk for r in wanted},
            student_number__in={r.student_number for r in wanted},
        ).select_related("user")
    }
    linked = dict(
        Student.objects.filter(user__email__in={r.email for r in wanted}).values_list(
            "user__email", "pk"
        )
    )
    by_number: dict[tuple[int, str], _Invitation] = {}
    by_email: dict[str, _Invitation] = {}
    for r in wanted:
        student = students.get((r.organisation.pk, r.student_number))
        if student is None:
            errors.append(
                RowError(
                    r.line,
                    f"bij {r.organisation.name} staat geen student met studentnummer "
                    f"{r.student_number}.",
                )
            )
            continue
        if student.user is not None and student.user.email != r.email:
            errors.append(
                RowError(
                    r.line, f"de student met studentnummer {r.student_number} heeft al een account."
                )
            )
        elif refusal := student_email_refusal(student, r.email):
            errors.append(RowError(r.line, _in_row(refusal)))
        elif r.email in linked and linked[r.email] != student.pk:
            errors.append(RowError(r.line, _in_row(_taken_refusal(r.email))))
        earlier = by_number.get((r.organisation.pk, r.student_number))
        if earlier is not None and earlier.email != r.email:
            errors.append(
                RowError(
                    r.line,
                    f"studentnummer {r.student_number} staat ook op regel {earlier.line} "
                    f"met een ander e-mailadres.",
                )
            )
        other = by_email.get(r.email)
        if other is not None and other.student_number != r.student_number:
            errors.append(
                RowError(
                    r.line,
                    f"{r.email} staat ook op regel {other.line} met een ander studentnummer.",
                )
            )
        by_number.setdefault((r.organisation.pk, r.student_number), r)
        by_email.setdefault(r.email, r)
    return errors


def _check_parents(rows: list[_Invitation]) -> tuple[list[_Invitation], list[RowError]]:
    """Each parent row's guardian: of a student under 18 at the row's institution, named by
    the `ouder` column, with the row's address recorded and without another account.
    Returns the rows with their guardian."""
    wanted = [r for r in rows if r.role == Role.PARENT]
    if not wanted:
        return rows, []
    today = timezone.localdate()
    students = {
        (s.institution_id, s.student_number): s
        for s in Student.objects.filter(
            institution_id__in={r.organisation.pk for r in wanted},
            student_number__in={r.student_number for r in wanted},
        )
    }
    guardians: dict[int, list[Guardian]] = {}
    for guardian in (
        Guardian.objects.filter(student__in=list(students.values()))
        .select_related("user")
        .order_by("name", "pk")
    ):
        guardians.setdefault(guardian.student_id, []).append(guardian)
    errors: list[RowError] = []
    found: dict[int, int] = {}  # line -> guardian
    for r in wanted:
        student = students.get((r.organisation.pk, r.student_number))
        if student is None:
            errors.append(
                RowError(
                    r.line,
                    f"bij {r.organisation.name} staat geen student met studentnummer "
                    f"{r.student_number}.",
                )
            )
            continue
        if student.age_on(today) >= ADULT_AGE:
            errors.append(
                RowError(
                    r.line,
                    f"de student met studentnummer {r.student_number} is 18 of ouder; ouders "
                    f"van volwassen studenten krijgen geen account.",
                )
            )
            continue
        recorded = guardians.get(student.pk, [])
        if not recorded:
            errors.append(
                RowError(
                    r.line,
                    f"in het dossier van studentnummer {r.student_number} staat geen ouder of "
                    f"verzorger.",
                )
            )
            continue
        try:
            guardian = guardian_pick(recorded, wanted=r.guardian_named, email=r.email)
        except ValidationError as error:
            errors.append(RowError(r.line, _in_row(" ".join(error.messages))))
            continue
        if guardian.user is not None and guardian.user.email != r.email:
            errors.append(RowError(r.line, f"{guardian.name} heeft al een ander account."))
            continue
        if guardian.email.strip().casefold() != r.email.casefold():
            # Only the address recorded for the guardian becomes their account.
            errors.append(
                RowError(
                    r.line,
                    f"{r.email} is niet het e-mailadres dat bij {guardian.name} in het dossier "
                    f"staat ({guardian.email or 'geen'}).",
                )
            )
            continue
        found[r.line] = guardian.pk
    return [replace(r, guardian_id=found.get(r.line)) for r in rows], errors


def parse_invitations(data: bytes, actor: User) -> tuple[list[_Invitation], list[RowError]]:
    """Check the whole file; return the rows, or the errors (and no rows)."""
    if not data.strip():
        return [], [RowError(0, "Het bestand is leeg.")]
    try:
        reader = export_reader(decode_export(data))
        headers = export_header(reader)
        missing = [c for c in REQUIRED if c not in headers]
        if missing:
            return [], [RowError(1, f"kolom ontbreekt: {', '.join(missing)}.")]
        reader.fieldnames = headers
        lookups = _Lookups(actor)
        rows: list[_Invitation] = []
        errors: list[RowError] = []
        seen: dict[tuple[str, int, str, int | None, int | None, str], int] = {}
        for line, raw in enumerate(checked_rows(reader), start=2):
            if line - 1 > MAX_ROWS:
                return [], [RowError(0, f"Het bestand heeft meer dan {MAX_ROWS} regels.")]
            if None in raw:
                errors.append(RowError(line, "deze regel heeft meer kolommen dan de kop."))
                continue
            if not any((v or "").strip() for v in raw.values()):
                continue  # an empty line, as spreadsheets leave at the end
            invitation, messages = _row(line, {k: v or "" for k, v in raw.items()}, lookups)
            errors.extend(RowError(line, m) for m in messages)
            if invitation is None:
                continue
            if invitation.key in seen:
                errors.append(
                    RowError(
                        line,
                        f"dezelfde rol voor {invitation.email} staat ook op regel {seen[invitation.key]}.",
                    )
                )
                continue
            seen[invitation.key] = line
            rows.append(invitation)
    except UnreadableExport as error:
        return [], [RowError(0, str(error))]
    errors.extend(_check_students(rows))
    rows, parent_errors = _check_parents(rows)
    errors.extend(parent_errors)
    errors.sort(key=lambda e: e.line)
    if not rows and not errors:
        errors.append(RowError(0, "Het bestand bevat geen mensen."))
    return ([] if errors else rows), errors


def invitation_import(*, actor: User, data: bytes, base_url: str) -> InvitationImportResult:
    """Invite everyone in the file. Bad file: nothing changes, errors returned."""
    if not may_manage_users(actor):
        raise PermissionDenied
    rows, errors = parse_invitations(data, actor)
    result = InvitationImportResult(errors=errors)
    if errors:
        return result
    today = timezone.localdate()
    to_invite: set[int] = set()
    with transaction.atomic():
        for r in rows:
            user = User.objects.filter(email=r.email).first()
            if (
                user is not None
                and (
                    r.guardian_id is None
                    or Guardian.objects.filter(pk=r.guardian_id, user=user).exists()
                )
                and Membership.objects.filter(
                    user=user,
                    organisation=r.organisation,
                    role=r.role,
                    location=r.location,
                    programme_team=r.programme_team,
                )
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
                .exists()
            ):
                result.unchanged += 1
                continue
            try:
                if r.guardian_id is not None:
                    invited = parent_invite(
                        actor=actor,
                        institution=r.organisation,
                        student_number=r.student_number,
                        guardian_id=r.guardian_id,
                        email=r.email,
                        first_name=r.first_name,
                        last_name=r.last_name,
                        base_url=base_url,
                        notify=False,
                    )
                else:
                    invited = user_invite(
                        actor=actor,
                        email=r.email,
                        first_name=r.first_name,
                        last_name=r.last_name,
                        organisation=r.organisation,
                        role=r.role,
                        location=r.location,
                        programme_team=r.programme_team,
                        student_number=r.student_number,
                        base_url=base_url,
                        notify=False,
                    )
            except ValidationError as error:
                # Checked above; only a change made meanwhile gets here. Undo the whole file.
                transaction.set_rollback(True)
                return InvitationImportResult(errors=[RowError(r.line, " ".join(error.messages))])
            if user is None:
                result.invited += 1
            else:
                result.added += 1
            if invited.is_active and not invited.has_usable_password():
                to_invite.add(invited.pk)
        for user_id in sorted(to_invite):
            transaction.on_commit(partial(send_invitation_email, user_id, base_url))
    return result
