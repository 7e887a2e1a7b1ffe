"""The structure of an institution: locations, programme teams, programmes and the coaches in
each team. Reads and writes for the functional administrator; the screens, the import and the
command line all come through here.

An ended part (`ended_on`, its last day in use) is kept for history: students and reports
still point at it, but it is no longer offered for new use. A part that still has enrolled
students cannot be ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schakelpunt.access.policy import may_configure_institution
from schakelpunt.refdata.models import Municipality
from schakelpunt.students.models import Student

from .models import (
    GrantOutcome,
    Level,
    Location,
    Membership,
    Organisation,
    Pathway,
    Programme,
    ProgrammeTeam,
    User,
)
from .people import membership_end_check, membership_end_record
from .roles import Role
from .services import _Grant, membership_create

CREBO = re.compile(r"^\d{5}$")
MAX_NAME = 200
# Roles that are not staff: they are never added to a programme team.
NOT_STAFF = frozenset({Role.STUDENT, Role.PARENT})


# --- Reads ----------------------------------------------------------------------------------


def in_use(today: date | None = None) -> Q:
    """Not ended, or ending today or later (`ended_on` is the last day in use)."""
    return Q(ended_on__isnull=True) | Q(ended_on__gte=today or timezone.localdate())


def is_ended(ended_on: date | None, today: date | None = None) -> bool:
    return ended_on is not None and ended_on < (today or timezone.localdate())


def locations_in_use(institution: Organisation) -> QuerySet[Location]:
    return Location.objects.filter(in_use(), institution=institution).order_by("name")


def teams_in_use(institution: Organisation) -> QuerySet[ProgrammeTeam]:
    return (
        ProgrammeTeam.objects.filter(in_use(), location__institution=institution)
        .filter(Q(location__ended_on__isnull=True) | Q(location__ended_on__gte=_today()))
        .select_related("location")
        .order_by("location__name", "name")
    )


def _today() -> date:
    return timezone.localdate()


def enrolled_students(on: date | None = None) -> QuerySet[Student]:
    """Students still enrolled after `on` (default today): not left, or leaving later."""
    day = on or _today()
    return Student.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


def institutions_configured_by(user: User) -> list[Organisation]:
    """The institutions whose structure this user may set up."""
    seen: dict[int, Organisation] = {}
    for membership in (
        Membership.objects.active()
        .filter(user=user, role=Role.FUNCTIONAL_ADMIN)
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        org = membership.organisation
        if may_configure_institution(user, org):
            seen.setdefault(org.pk, org)
    return list(seen.values())


def staff_of(institution: Organisation) -> QuerySet[User]:
    """People with a staff role in the institution today: candidates for a team."""
    return (
        User.objects.filter(
            pk__in=Membership.objects.active()
            .filter(organisation=institution)
            .exclude(role__in=NOT_STAFF)
            .values("user_id"),
            is_active=True,
        )
        .order_by("last_name", "first_name", "email")
        .distinct()
    )


def team_coaches(team: ProgrammeTeam) -> list[Membership]:
    """The coaches in a team today, by name."""
    return list(
        Membership.objects.active()
        .filter(programme_team=team, organisation_id=team.location.institution_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


@dataclass
class TeamView:
    team: ProgrammeTeam
    programmes: list[tuple[Programme, int]]
    coaches: list[Membership]
    students: int


@dataclass
class LocationView:
    location: Location
    teams: list[TeamView] = field(default_factory=list)
    students: int = 0


def institution_structure(institution: Organisation) -> list[LocationView]:
    """Locations → teams → programmes with their enrolled students, in a fixed number of
    queries whatever the size."""
    today = _today()
    per_programme = dict(
        enrolled_students(today)
        .filter(institution=institution)
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    per_location = dict(
        enrolled_students(today)
        .filter(institution=institution)
        .values("location_id")
        .annotate(n=Count("pk"))
        .values_list("location_id", "n")
    )
    coaches: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.active()
        .filter(organisation=institution, programme_team__isnull=False)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ):
        assert membership.programme_team_id is not None  # noqa: S101 - filtered above
        coaches.setdefault(membership.programme_team_id, []).append(membership)
    programmes: dict[int, list[tuple[Programme, int]]] = {}
    for programme in Programme.objects.filter(team__location__institution=institution).order_by(
        "name", "level", "pathway"
    ):
        programmes.setdefault(programme.team_id, []).append(
            (programme, per_programme.get(programme.pk, 0))
        )
    views: dict[int, LocationView] = {}
    for location in (
        Location.objects.filter(institution=institution)
        .select_related("municipality")
        .order_by("name")
    ):
        views[location.pk] = LocationView(location, students=per_location.get(location.pk, 0))
    for team in ProgrammeTeam.objects.filter(location__institution=institution).order_by("name"):
        own = programmes.get(team.pk, [])
        views[team.location_id].teams.append(
            TeamView(team, own, coaches.get(team.pk, []), sum(n for _p, n in own))
        )
    return list(views.values())


# --- Checks shared by the writes ------------------------------------------------------------


def _require(actor: User, institution: Organisation) -> None:
    """The access policy decides; a refusal is the same as "not there" on the screens."""
    if not may_configure_institution(actor, institution):
        raise PermissionDenied


def _lock(institution: Organisation) -> None:
    """One change to an institution's structure at a time, so a name or key check holds."""
    Organisation.objects.select_for_update().filter(pk=institution.pk).first()


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Vul een naam in."))
    if len(name) > MAX_NAME:
        raise ValidationError(
            _("De naam is te lang (hoogstens %(max)s tekens).") % {"max": MAX_NAME}
        )
    return name


def _check_unchanged(current: str, expected: str | None) -> None:
    """A rename from a form loaded before someone else renamed it is refused."""
    if expected is not None and current != expected:
        raise ValidationError(
            _(
                "Iemand anders heeft de naam intussen gewijzigd in '%(name)s'. Bekijk de nieuwe "
                "naam en probeer het opnieuw als u hem toch wilt wijzigen."
            )
            % {"name": current}
        )


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def _refuse_students(count: int, subject: str, on: date) -> None:
    """`subject` names the part with its article: "De locatie Enschede"."""
    if count:
        raise ValidationError(
            ngettext(
                "%(subject)s kan niet worden beëindigd: na %(day)s staat er nog %(count)s "
                "student ingeschreven. Schrijf de student eerst uit of zet de student over.",
                "%(subject)s kan niet worden beëindigd: na %(day)s staan er nog %(count)s "
                "studenten ingeschreven. Schrijf de studenten eerst uit of zet ze over.",
                count,
            )
            % {"subject": subject, "day": _day(on), "count": count}
        )


def _location_name_taken(institution: Organisation, name: str, exclude: int = 0) -> bool:
    return (
        Location.objects.annotate(lower=Lower("name"))
        .filter(institution=institution, lower=name.lower())
        .exclude(pk=exclude)
        .exists()
    )


def _team_name_taken(location: Location, name: str, exclude: int = 0) -> bool:
    return (
        ProgrammeTeam.objects.annotate(lower=Lower("name"))
        .filter(location=location, lower=name.lower())
        .exclude(pk=exclude)
        .exists()
    )


# --- Locations ------------------------------------------------------------------------------


def location_create(
    *, actor: User, institution: Organisation, name: str, municipality: Municipality
) -> Location:
    _require(actor, institution)
    name = _clean_name(name)
    with transaction.atomic():
        _lock(institution)
        if _location_name_taken(institution, name):
            raise ValidationError(
                _("Er is al een locatie '%(name)s' bij deze instelling.") % {"name": name}
            )
        return Location.objects.create(
            institution=institution, name=name, municipality=municipality
        )


def location_rename(
    *, actor: User, location: Location, name: str, expected_name: str | None = None
) -> Location:
    _require(actor, location.institution)
    name = _clean_name(name)
    with transaction.atomic():
        _lock(location.institution)
        current = Location.objects.select_for_update().get(pk=location.pk)
        _check_unchanged(current.name, expected_name)
        if _location_name_taken(current.institution, name, current.pk):
            raise ValidationError(
                _("Er is al een locatie '%(name)s' bij deze instelling.") % {"name": name}
            )
        current.name = name
        current.save(update_fields=["name"])
    return current


def location_end(*, actor: User, location: Location, ended_on: date | None = None) -> Location:
    """End a location; refused while it has enrolled students or teams or programmes in use."""
    _require(actor, location.institution)
    day = ended_on or _today()
    with transaction.atomic():
        _lock(location.institution)
        current = Location.objects.select_for_update().get(pk=location.pk)
        _ended_check(current.ended_on, _("De locatie %(name)s") % {"name": current.name})
        _refuse_students(
            enrolled_students(day).filter(location=current).count(),
            _("De locatie %(name)s") % {"name": current.name},
            day,
        )
        open_programmes = Programme.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day), team__location=current
        ).count()
        open_teams = ProgrammeTeam.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day), location=current
        ).count()
        if open_programmes or open_teams:
            raise ValidationError(
                _(
                    "De locatie kan niet worden beëindigd: er lopen nog %(teams)s team(s) en "
                    "%(programmes)s opleiding(en). Beëindig die eerst."
                )
                % {"teams": open_teams, "programmes": open_programmes}
            )
        current.ended_on = day
        current.save(update_fields=["ended_on"])
    return current


# --- Programme teams ------------------------------------------------------------------------


def _ended_check(ended_on: date | None, subject: str) -> None:
    """Ending twice (a stale page) never moves the end date silently. `subject` names the
    part with its article: "De locatie Enschede"."""
    if ended_on is not None:
        raise ValidationError(
            _("%(subject)s is al beëindigd per %(day)s.")
            % {"subject": subject, "day": _day(ended_on)}
        )


def _require_in_use(ended_on: date | None, message: str) -> None:
    if is_ended(ended_on):
        raise ValidationError(message)


def team_create(*, actor: User, location: Location, name: str) -> ProgrammeTeam:
    _require(actor, location.institution)
    name = _clean_name(name)
    with transaction.atomic():
        _lock(location.institution)
        current = Location.objects.get(pk=location.pk)
        _require_in_use(
            current.ended_on,
            _("Locatie %(name)s is beëindigd; daar kan geen team meer bij.")
            % {"name": current.name},
        )
        if _team_name_taken(current, name):
            raise ValidationError(
                _("Er is al een team '%(name)s' op locatie %(location)s.")
                % {"name": name, "location": current.name}
            )
        return ProgrammeTeam.objects.create(location=current, name=name)


def team_rename(
    *, actor: User, team: ProgrammeTeam, name: str, expected_name: str | None = None
) -> ProgrammeTeam:
    institution = team.location.institution
    _require(actor, institution)
    name = _clean_name(name)
    with transaction.atomic():
        _lock(institution)
        current = ProgrammeTeam.objects.select_for_update().get(pk=team.pk)
        _check_unchanged(current.name, expected_name)
        if _team_name_taken(current.location, name, current.pk):
            raise ValidationError(
                _("Er is al een team '%(name)s' op locatie %(location)s.")
                % {"name": name, "location": current.location.name}
            )
        current.name = name
        current.save(update_fields=["name"])
    return current


def team_end(*, actor: User, team: ProgrammeTeam, ended_on: date | None = None) -> ProgrammeTeam:
    """End a team; refused while it has enrolled students, programmes or coaches."""
    institution = team.location.institution
    _require(actor, institution)
    day = ended_on or _today()
    with transaction.atomic():
        _lock(institution)
        current = ProgrammeTeam.objects.select_for_update().get(pk=team.pk)
        _ended_check(current.ended_on, _("Het team %(name)s") % {"name": current.name})
        _refuse_students(
            enrolled_students(day).filter(programme__team=current).count(),
            _("Het team %(name)s") % {"name": current.name},
            day,
        )
        open_programmes = Programme.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day), team=current
        ).count()
        if open_programmes:
            raise ValidationError(
                _(
                    "Het team kan niet worden beëindigd: er lopen nog %(count)s opleiding(en) "
                    "in dit team. Beëindig die eerst of zet ze in een ander team."
                )
                % {"count": open_programmes}
            )
        coaches = (
            Membership.objects.filter(programme_team=current)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
            .count()
        )
        if coaches:
            raise ValidationError(
                _(
                    "Het team kan niet worden beëindigd: %(count)s medewerker(s) horen er na "
                    "die dag nog bij. Beëindig eerst hun lidmaatschap van het team."
                )
                % {"count": coaches}
            )
        current.ended_on = day
        current.save(update_fields=["ended_on"])
    return current


# --- Programmes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeValues:
    crebo: str
    name: str
    level: int
    pathway: str


def programme_values_check(*, crebo: str, name: str, level: int, pathway: str) -> ProgrammeValues:
    crebo = crebo.strip()
    if not CREBO.match(crebo):
        raise ValidationError(
            _("Crebo '%(crebo)s' moet uit vijf cijfers bestaan.") % {"crebo": crebo}
        )
    if level not in Level.values:
        raise ValidationError(_("Niveau moet Entree, 2, 3 of 4 zijn."))
    pathway = pathway.strip().upper()
    if pathway not in Pathway.values:
        raise ValidationError(_("Leerweg moet BOL of BBL zijn."))
    return ProgrammeValues(crebo, _clean_name(name), level, pathway)


def _programme_key_taken(
    location_id: int, crebo: str, pathway: str, exclude: int = 0
) -> Programme | None:
    return (
        Programme.objects.filter(team__location_id=location_id, crebo=crebo, pathway=pathway)
        .exclude(pk=exclude)
        .first()
    )


def programme_create(
    *, actor: User, team: ProgrammeTeam, crebo: str, name: str, level: int, pathway: str
) -> Programme:
    """A programme in a team; its location is the team's. Crebo and leerweg are unique per
    location (the student import finds the programme by them)."""
    institution = team.location.institution
    _require(actor, institution)
    values = programme_values_check(crebo=crebo, name=name, level=level, pathway=pathway)
    with transaction.atomic():
        _lock(institution)
        current = ProgrammeTeam.objects.select_related("location").get(pk=team.pk)
        _require_in_use(
            current.ended_on,
            _("Team %(name)s is beëindigd; daar kan geen opleiding meer bij.")
            % {"name": current.name},
        )
        _require_in_use(
            current.location.ended_on,
            _("Locatie %(name)s is beëindigd; daar kan geen opleiding meer bij.")
            % {"name": current.location.name},
        )
        if _programme_key_taken(current.location_id, values.crebo, values.pathway):
            raise ValidationError(
                _("Op locatie %(location)s is er al een opleiding met crebo %(crebo)s (%(pw)s).")
                % {"location": current.location.name, "crebo": values.crebo, "pw": values.pathway}
            )
        return Programme.objects.create(
            team=current,
            crebo=values.crebo,
            name=values.name,
            level=values.level,
            pathway=values.pathway,
        )


def programme_rename(
    *, actor: User, programme: Programme, name: str, expected_name: str | None = None
) -> Programme:
    institution = programme.team.location.institution
    _require(actor, institution)
    name = _clean_name(name)
    with transaction.atomic():
        _lock(institution)
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        _check_unchanged(current.name, expected_name)
        current.name = name
        current.save(update_fields=["name"])
    return current


def programme_team_change(
    *, actor: User, programme: Programme, team: ProgrammeTeam, expected_team_id: int | None = None
) -> Programme:
    """Put a programme in another team at the same location: from then on that team's
    coaches see its students. Refused from a page loaded before someone else moved it."""
    institution = programme.team.location.institution
    _require(actor, institution)
    with transaction.atomic():
        _lock(institution)
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        if expected_team_id is not None and current.team_id != expected_team_id:
            raise ValidationError(
                _(
                    "Iemand anders heeft de opleiding intussen bij team %(name)s gezet. Bekijk "
                    "het nieuwe team en probeer het opnieuw als u het toch wilt wijzigen."
                )
                % {"name": current.team.name}
            )
        target = ProgrammeTeam.objects.select_related("location").get(pk=team.pk)
        if target.location_id != current.team.location_id:
            raise ValidationError(_("Een opleiding kan alleen naar een team op dezelfde locatie."))
        _require_in_use(
            target.ended_on,
            _("Team %(name)s is beëindigd; daar kan geen opleiding meer bij.")
            % {"name": target.name},
        )
        current.team = target
        current.save(update_fields=["team"])
    return current


def programme_end(*, actor: User, programme: Programme, ended_on: date | None = None) -> Programme:
    """End a programme; refused while students are enrolled in it after that day."""
    institution = programme.team.location.institution
    _require(actor, institution)
    day = ended_on or _today()
    with transaction.atomic():
        _lock(institution)
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        _ended_check(current.ended_on, _("De opleiding %(name)s") % {"name": current.name})
        _refuse_students(
            enrolled_students(day).filter(programme=current).count(),
            _("De opleiding %(name)s") % {"name": current.name},
            day,
        )
        current.ended_on = day
        current.save(update_fields=["ended_on"])
    return current


# --- Staff in teams -------------------------------------------------------------------------


def team_member_add(*, actor: User, team: ProgrammeTeam, user: User) -> Membership:
    """Add a staff member of the institution to a team as its coach (studieloopbaanbegeleider).
    The access policy is asked and the grant recorded, as for an invitation."""
    institution = team.location.institution
    _require(actor, institution)
    if is_ended(team.ended_on) or is_ended(team.location.ended_on):
        raise ValidationError(
            _("Team %(name)s is beëindigd; daar kan niemand meer bij.") % {"name": team.name}
        )
    if not staff_of(institution).filter(pk=user.pk).exists():
        raise ValidationError(
            _(
                "%(person)s werkt niet (meer) bij %(institution)s. Nodig de persoon eerst uit "
                "voor de instelling."
            )
            % {"person": user, "institution": institution.name}
        )
    today = _today()
    with transaction.atomic():
        ended = (
            Membership.objects.select_for_update(of=("self",))
            .filter(
                user=user,
                organisation=institution,
                role=Role.COACH,
                location=None,
                programme_team=team,
                valid_until__lt=today,
            )
            .first()
        )
        if ended is None:
            if (
                Membership.objects.active()
                .filter(user=user, role=Role.COACH, programme_team=team)
                .exists()
            ):
                raise ValidationError(
                    _("%(person)s hoort al bij team %(team)s.")
                    % {"person": user, "team": team.name}
                )
            return membership_create(
                user=user,
                organisation=institution,
                role=Role.COACH,
                programme_team=team,
                actor=actor,
            )
        # Back in a team they left: the same membership again, from today, recorded anew.
        grant = _Grant(actor, user, user.email, institution, Role.COACH, None, team)
        grant.check()
        ended.valid_from, ended.valid_until, ended.created_by = today, None, actor
        ended.save(update_fields=["valid_from", "valid_until", "created_by"])
        grant.record(GrantOutcome.GRANTED)
        return ended


def team_member_end(*, actor: User, membership: Membership, last_day: date) -> Membership:
    """End a person's membership of a team; `last_day` is the last day it gives access."""
    _require(actor, membership.organisation)
    if membership.programme_team_id is None:
        raise ValidationError(_("Dit is geen lidmaatschap van een team."))
    _ended_check(membership.valid_until, _("Dit lidmaatschap"))
    # As on the people screen: the policy is asked, not one's own, not before yesterday.
    membership_end_check(actor=actor, membership=membership, last_day=last_day)
    with transaction.atomic():
        current = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "organisation", "location", "programme_team")
            .get(pk=membership.pk)
        )
        _ended_check(current.valid_until, _("Dit lidmaatschap"))
        membership_end_record(actor=actor, membership=current, last_day=last_day)
    return current
