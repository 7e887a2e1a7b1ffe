"""Writes of support trajectories. One door per change: access, lock, version, event, log."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import student_access
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.events.services import emit
from schakelpunt.notifications.services import involved_people, notify
from schakelpunt.privacy.register import Activity
from schakelpunt.students.models import Student

from .models import (
    STATES_WITH_COORDINATOR,
    TIER_ORDER,
    CloseReason,
    LifeDomain,
    SupportTeamMember,
    Tier,
    Trajectory,
    TrajectoryEvent,
    TrajectoryEventKind,
    TrajectoryState,
)
from .selectors import open_trajectory_for
from .workflow import transition_allowed


def _tell_everyone(
    trajectory: Trajectory,
    *,
    actor: User,
    staff: str,
    student: str,
    values: dict[str, object] | None = None,
    also: Iterable[int] = (),
) -> None:
    """Notify everyone involved in the student's support (after commit for e-mail)."""
    people = involved_people(trajectory.student, trajectory.coordinator_id) | set(also)
    notify(
        actor=actor,
        student=trajectory.student,
        recipients=people,
        staff_message=staff,
        student_message=student,
        values=values,
    )


class ConcurrentEditError(ValidationError):
    """Someone else saved first; nothing was changed."""


def _require_support_change(actor: User, student: Student) -> str:
    """The roles that allow `actor` to change support for `student`; refuses otherwise."""
    access = student_access(actor, student)
    if not access.allows(Action.CHANGE, Part.SUPPORT):
        raise PermissionDenied
    return access.roles


def _check_coordinator(coordinator: User, student: Student) -> None:
    if not student_access(coordinator, student).allows(Action.CHANGE, Part.SUPPORT):
        raise ValidationError(
            _("%(name)s werkt niet met deze student en kan geen regisseur zijn.")
            % {"name": coordinator}
        )


def _clean_domains(domains: Iterable[str]) -> list[str]:
    chosen = set(domains)
    unknown = chosen - set(LifeDomain.values)
    if unknown:
        raise ValidationError(_("Onbekend leefgebied: %(d)s.") % {"d": ", ".join(sorted(unknown))})
    return [d for d in LifeDomain.values if d in chosen]


def _locked(trajectory_id: int, expected_version: int) -> Trajectory:
    trajectory = (
        Trajectory.objects.select_for_update().select_related("student").get(pk=trajectory_id)
    )
    if trajectory.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Iemand anders heeft dit traject intussen gewijzigd. Uw wijziging is niet "
                "opgeslagen; bekijk de nieuwe stand en probeer het opnieuw."
            ),
            code="concurrent_edit",
        )
    return trajectory


def _record(
    trajectory: Trajectory,
    *,
    actor: User,
    roles: str,
    kind: str,
    old: str = "",
    new: str = "",
    reason: str = "",
    effective_on: date | None = None,
) -> None:
    TrajectoryEvent.objects.create(
        trajectory=trajectory,
        kind=kind,
        old_value=old,
        new_value=new,
        reason=reason.strip(),
        effective_on=effective_on or timezone.localdate(),
        actor=actor,
    )
    access_log_record(
        actor=actor,
        activity=Activity.SUPPORT,
        students=[trajectory.student],
        action=Action.CHANGE,
        parts=[Part.SUPPORT],
        role=roles,
        path=f"trajectory/{trajectory.pk}/{kind}",
    )


def _save(trajectory: Trajectory, fields: list[str]) -> None:
    trajectory.version += 1
    trajectory.save(update_fields=[*fields, "version"])


def trajectory_open(
    *,
    actor: User,
    student: Student,
    life_domains: Iterable[str] = (),
    reason: str = "",
    tier: str = Tier.BASIS,
) -> Trajectory:
    """Open the student's trajectory (state: signalled). A student has one open at a time."""
    roles = _require_support_change(actor, student)
    domains = _clean_domains(life_domains)
    try:
        with transaction.atomic():
            Student.objects.select_for_update().filter(pk=student.pk).first()
            if (
                Trajectory.objects.filter(student=student)
                .exclude(state=TrajectoryState.CLOSED)
                .exists()
            ):
                raise ValidationError(_("Deze student heeft al een lopend traject."))
            trajectory = Trajectory.objects.create(
                student=student, tier=Tier(tier), life_domains=domains
            )
            _record(
                trajectory,
                actor=actor,
                roles=roles,
                kind=TrajectoryEventKind.OPENED,
                new=trajectory.state,
                reason=reason,
            )
            emit(trajectory)
            _tell_everyone(
                trajectory,
                actor=actor,
                staff=_("%(name)s: ondersteuningstraject geopend (%(tier)s)."),
                values={"tier": trajectory.get_tier_display()},
                student=_("Je krijgt nu extra hulp van school."),
            )
    except IntegrityError as error:  # two people opened one at the same moment
        raise ValidationError(_("Deze student heeft al een lopend traject.")) from error
    return trajectory


def trajectory_move(
    *,
    actor: User,
    trajectory_id: int,
    to_state: str,
    expected_version: int,
    reason: str = "",
    close_reason: str = "",
) -> Trajectory:
    """Move to another state, if the workflow allows it; closing needs a reason."""
    with transaction.atomic():
        trajectory = _locked(trajectory_id, expected_version)
        roles = _require_support_change(actor, trajectory.student)
        old = trajectory.state
        if not transition_allowed(old, to_state):
            raise ValidationError(
                _("Een traject in de fase '%(old)s' kan niet naar '%(new)s'.")
                % {
                    "old": TrajectoryState(old).label,
                    "new": TrajectoryState(to_state).label
                    if to_state in TrajectoryState.values
                    else to_state,
                }
            )
        if to_state in STATES_WITH_COORDINATOR and trajectory.coordinator_id is None:
            raise ValidationError(_("Kies eerst een regisseur voor dit traject."))
        fields = ["state"]
        if to_state == TrajectoryState.CLOSED:
            if close_reason not in CloseReason.values:
                raise ValidationError(_("Kies waarom het traject wordt afgesloten."))
            trajectory.close_reason = close_reason
            trajectory.closed_at = timezone.now()
            fields += ["close_reason", "closed_at"]
        trajectory.state = to_state
        _save(trajectory, fields)
        _record(
            trajectory,
            actor=actor,
            roles=roles,
            kind=TrajectoryEventKind.STATE,
            old=old,
            new=to_state,
            reason=reason or close_reason,
        )
        emit(trajectory)
        if to_state == TrajectoryState.CLOSED:
            _tell_everyone(
                trajectory,
                actor=actor,
                staff=_("%(name)s: traject afgesloten (%(reason)s)."),
                values={"reason": CloseReason(close_reason).label},
                student=_("Je extra hulp van school is klaar."),
            )
    return trajectory


def trajectory_set_coordinator(
    *,
    actor: User,
    trajectory_id: int,
    coordinator: User,
    expected_version: int,
    reason: str = "",
) -> Trajectory:
    """Make one person the coordinator (regisseur); there is never more than one."""
    with transaction.atomic():
        trajectory = _locked(trajectory_id, expected_version)
        roles = _require_support_change(actor, trajectory.student)
        if trajectory.state == TrajectoryState.CLOSED:
            raise ValidationError(_("Dit traject is afgesloten."))
        _check_coordinator(coordinator, trajectory.student)
        if trajectory.coordinator_id == coordinator.pk:
            raise ValidationError(_("%(name)s is al de regisseur.") % {"name": coordinator})
        previous_id = trajectory.coordinator_id
        old = str(trajectory.coordinator or "")
        trajectory.coordinator = coordinator
        _save(trajectory, ["coordinator"])
        _record(
            trajectory,
            actor=actor,
            roles=roles,
            kind=TrajectoryEventKind.COORDINATOR,
            old=old,
            new=str(coordinator),
            reason=reason,
        )
        notify(
            actor=actor,
            student=trajectory.student,
            recipients=[coordinator.pk],
            staff_message=_("U bent nu regisseur van %(name)s."),
            student_message="",
        )
        if previous_id is not None:
            notify(
                actor=actor,
                student=trajectory.student,
                recipients=[previous_id],
                staff_message=_("%(name)s: %(coordinator)s is nu regisseur in plaats van u."),
                student_message="",
                values={"coordinator": coordinator},
            )
        if trajectory.student.user_id is not None:
            notify(
                actor=actor,
                student=trajectory.student,
                recipients=[trajectory.student.user_id],
                staff_message="",
                student_message=_(
                    "Vanaf nu kun je voor je extra hulp op school terecht bij %(coordinator)s."
                ),
                values={"coordinator": coordinator},
            )
    return trajectory


def trajectory_change_tier(
    *,
    actor: User,
    trajectory_id: int,
    tier: str,
    reason: str,
    expected_version: int,
    effective_on: date | None = None,
) -> Trajectory:
    """Escalate or de-escalate (opschalen/afschalen), always with a reason and a date."""
    if tier not in Tier.values:
        raise ValidationError(_("Onbekende zwaarte."))
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor het op- of afschalen."))
    day = effective_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError(_("De ingangsdatum ligt in de toekomst."))
    with transaction.atomic():
        trajectory = _locked(trajectory_id, expected_version)
        roles = _require_support_change(actor, trajectory.student)
        if trajectory.state == TrajectoryState.CLOSED:
            raise ValidationError(_("Dit traject is afgesloten."))
        if trajectory.tier == tier:
            raise ValidationError(_("Het traject heeft deze zwaarte al."))
        old = trajectory.tier
        trajectory.tier = tier
        _save(trajectory, ["tier"])
        _record(
            trajectory,
            actor=actor,
            roles=roles,
            kind=TrajectoryEventKind.TIER,
            old=old,
            new=tier,
            reason=reason,
            effective_on=day,
        )
        label = Tier(tier).label
        _tell_everyone(
            trajectory,
            actor=actor,
            staff=(
                _("%(name)s: opgeschaald naar %(tier)s.")
                if is_escalation(old, tier)
                else _("%(name)s: afgeschaald naar %(tier)s.")
            ),
            student=(
                _("Je krijgt nu meer hulp.")
                if is_escalation(old, tier)
                else _("Je krijgt nu minder hulp.")
            ),
            values={"tier": label},
        )
    return trajectory


def is_escalation(old: str, new: str) -> bool:
    return TIER_ORDER[Tier(new)] > TIER_ORDER[Tier(old)]


def trajectory_set_domains(
    *,
    actor: User,
    trajectory_id: int,
    life_domains: Iterable[str],
    expected_version: int,
) -> Trajectory:
    domains = _clean_domains(life_domains)
    with transaction.atomic():
        trajectory = _locked(trajectory_id, expected_version)
        roles = _require_support_change(actor, trajectory.student)
        old = ",".join(trajectory.life_domains)
        trajectory.life_domains = domains
        _save(trajectory, ["life_domains"])
        _record(
            trajectory,
            actor=actor,
            roles=roles,
            kind=TrajectoryEventKind.DOMAINS,
            old=old,
            new=",".join(domains),
        )
    return trajectory


def support_team_add(
    *, actor: User, student: Student, member: User, role_description: str
) -> SupportTeamMember:
    """Add a professional to the student's support team; everyone involved hears of it."""
    roles = _require_support_change(actor, student)
    if not role_description.strip():
        raise ValidationError(_("Beschrijf de rol in het team."))
    with transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        if student.support_team.filter(user=member, ended_on__isnull=True).exists():
            raise ValidationError(_("%(name)s zit al in het team.") % {"name": member})
        added = SupportTeamMember.objects.create(
            student=student, user=member, role_description=role_description.strip()
        )
        access_log_record(
            actor=actor,
            activity=Activity.SUPPORT,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.SUPPORT],
            role=roles,
            path="support-team/add",
        )
        coordinator_id = _coordinator_of_open_trajectory(student)
        notify(
            actor=actor,
            student=student,
            recipients=involved_people(student, coordinator_id),
            staff_message=_("%(name)s: %(member)s is toegevoegd aan het team (%(role)s)."),
            student_message=_("%(member)s helpt je nu ook (%(role)s)."),
            values={"member": member, "role": added.role_description},
        )
    return added


def support_team_remove(*, actor: User, member_id: int) -> SupportTeamMember:
    """End someone's place in the team (kept in the history); they hear of it too."""
    with transaction.atomic():
        member = (
            SupportTeamMember.objects.select_for_update()
            .select_related("student__programme", "user")
            .get(pk=member_id)
        )
        student = member.student
        roles = _require_support_change(actor, student)
        if member.ended_on is not None:
            raise ValidationError(_("Deze persoon zit niet meer in het team."))
        member.ended_on = timezone.localdate()
        member.save(update_fields=["ended_on"])
        access_log_record(
            actor=actor,
            activity=Activity.SUPPORT,
            students=[student],
            action=Action.CHANGE,
            parts=[Part.SUPPORT],
            role=roles,
            path="support-team/remove",
        )
        notify(
            actor=actor,
            student=student,
            recipients=involved_people(student, _coordinator_of_open_trajectory(student))
            | {member.user_id},
            staff_message=_("%(name)s: %(member)s zit niet meer in het team."),
            student_message=_("%(member)s zit niet meer in je team."),
            values={"member": member.user},
        )
    return member


def _coordinator_of_open_trajectory(student: Student) -> int | None:
    trajectory = open_trajectory_for(student)
    return trajectory.coordinator_id if trajectory else None
