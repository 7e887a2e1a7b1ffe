"""Retention and deletion of student data (issue 19 part 3): services and selectors.

The unit is the student. A run goes: propose (a dry-run list per institution, nothing is
deleted) → the privacy officer reviews it, holds students where the law asks to keep them,
and approves → the run deletes in batches, each batch its own transaction, resumable after a
crash. Before the first deletion the run keeps the monitor's figures of every ended period
the students count in, so the monitor shows the same numbers afterwards. The run's counts
(per table, no names) are the record of what was deleted. See docs/retention.md.
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import (
    institution_scope,
    may_manage_retention,
    municipality_scope,
    region_scope,
)
from schakelpunt.access.retention import PurgeRefused, access_log_purge
from schakelpunt.accounts.grant_erasure import role_grants_erase
from schakelpunt.accounts.models import (
    ExternalIdentity,
    IdentityProviderSecondFactor,
    Membership,
    Organisation,
    SecondFactorSetupCode,
    User,
)
from schakelpunt.events.models import Delivery
from schakelpunt.meetings.models import AgendaItem, Meeting, Participant
from schakelpunt.notifications.models import Notification
from schakelpunt.referrals.models import Referral
from schakelpunt.signals.models import AbsenceImportJob
from schakelpunt.students.models import Guardian, Student
from schakelpunt.support.models import Trajectory
from schakelpunt.transitions.models import HandoverRecord

from .models import (
    CorrectionRequest,
    LegalHold,
    Objection,
    RetentionCandidate,
    RetentionRun,
    RetentionRunStatus,
)
from .register import MODEL_CATEGORIES, RETENTION, DataCategory

logger = logging.getLogger(__name__)

# The categories whose period runs from the day the student left (register.RETENTION).
AFTER_LEAVING = (
    DataCategory.IDENTITY,
    DataCategory.CONTACT,
    DataCategory.ABSENCE,
    DataCategory.SUPPORT,
    DataCategory.REFERRALS,
    DataCategory.MEETINGS,
    DataCategory.TRANSITIONS,
    DataCategory.EARLY_WARNING,
)
# RMC: a student who left without a startkwalificatie is followed until their 23rd birthday
# (WEB art. 8.3.1), so nothing of them goes before that day.
RMC_AGE = 23
BATCH_SIZE = 50
# Import files (absence deliveries) are kept 30 days after processing (RETENTION).
IMPORT_FILE_DAYS = RETENTION[DataCategory.IMPORT_FILES].days
MONITOR_KEPT = "monitor_kept"
ERASED = "[verwijderd]"


class RetentionError(ValueError):
    """Refused in Dutch: nothing was changed."""


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _after(day: date, category: DataCategory) -> date:
    rule = RETENTION[category]
    return _add_years(day, rule.years) + timedelta(days=rule.days)


def expiry_date(student: Student, last_request: date | None = None) -> date | None:
    """The day the student's file as a whole may go: when the last category has expired.
    None while the student is enrolled."""
    if student.left_on is None:
        return None
    days = [_after(student.left_on, c) for c in AFTER_LEAVING]
    if not student.has_basic_qualification:
        days.append(_add_years(student.date_of_birth, RMC_AGE))
    if last_request is not None:
        days.append(_after(last_request, DataCategory.REQUESTS))
    return max(days)


def _last_requests(student_ids: Iterable[int]) -> dict[int, date]:
    """Per student the day their last correction request or objection was handled (or
    made, while open): requests are kept two years after that."""
    ids = list(student_ids)
    found: dict[int, date] = {}
    for model, field in ((CorrectionRequest, "answered_at"), (Objection, "decided_at")):
        rows = (
            model.objects.filter(student_id__in=ids)
            .values("student_id")
            .annotate(last=Max(field), asked=Max("requested_at"))
        )
        for row in rows:
            moment = max(m for m in (row["last"], row["asked"]) if m is not None)
            day = timezone.localtime(moment).date()
            sid = row["student_id"]
            found[sid] = max(found.get(sid, day), day)
    return found


def _hold_reason() -> str:
    return _("Blokkade: de gegevens moeten bewaard blijven (bewaarplicht).")


def _skip_reason(student: Student | None, reference_date: date, last: date | None) -> str:
    """Why a student may not (or no longer) be deleted on the reference date; "" when they
    may."""
    if student is None:
        return _("Niet meer gevonden.")
    if student.left_on is None:
        return _("Weer ingeschreven.")
    expires = expiry_date(student, last)
    if expires is None or expires > reference_date:
        return _("De bewaartermijn is nog niet verlopen.")
    if LegalHold.objects.filter(student_id=student.pk).exists():
        return _hold_reason()
    return ""


# --- selectors -------------------------------------------------------------------------


def runs_for(user: User) -> list[RetentionRun]:
    """The runs of the institutions where the user is the privacy officer."""
    from schakelpunt.access.policy import privacy_officer_institutions

    return list(
        RetentionRun.objects.filter(institution_id__in=privacy_officer_institutions(user))
        .select_related("institution")
        .order_by("-proposed_at", "-pk")
    )


def run_for(user: User, run_id: int) -> RetentionRun | None:
    """One run, or None when absent or not the user's to manage (the same 404)."""
    run = RetentionRun.objects.select_related("institution").filter(pk=run_id).first()
    if run is None or not may_manage_retention(user, run.institution_id):
        return None
    return run


@dataclass
class CandidateRow:
    candidate: RetentionCandidate
    student: Student | None
    held: LegalHold | None


def candidate_rows(run: RetentionRun) -> list[CandidateRow]:
    """The run's list with the students read live (None once deleted)."""
    candidates = list(run.candidates.order_by("pk"))
    ids = [c.student_id for c in candidates]
    students = {s.pk: s for s in Student.objects.filter(pk__in=ids)}
    holds = {h.student_id: h for h in LegalHold.objects.filter(student_id__in=ids)}
    return [
        CandidateRow(c, students.get(c.student_id), holds.get(c.student_id)) for c in candidates
    ]


def fingerprint(run: RetentionRun) -> str:
    """What the officer saw: who is on the list and who is skipped. Approval is refused when
    it changed in between."""
    rows = run.candidates.order_by("student_id").values_list("student_id", "skipped_reason")
    text = "|".join(f"{sid}:{reason}" for sid, reason in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- services --------------------------------------------------------------------------


def _expired_students(
    institution: Organisation, reference_date: date
) -> list[tuple[Student, date]]:
    # No category runs longer than this after leaving (the RMC rule only adds to it).
    longest = max(_after(date(2000, 1, 1), c) for c in AFTER_LEAVING) - date(2000, 1, 1)
    left_before = reference_date - longest + timedelta(days=1)
    students = list(
        Student.objects.filter(
            institution=institution, left_on__isnull=False, left_on__lte=left_before
        ).order_by("pk")
    )
    last = _last_requests(s.pk for s in students)
    found = []
    for student in students:
        expires = expiry_date(student, last.get(student.pk))
        if expires is not None and expires <= reference_date:
            found.append((student, expires))
    return found


def retention_propose(
    *, institution: Organisation, reference_date: date, proposed_by: User | None = None
) -> RetentionRun:
    """The dry run: the institution's students whose retention expired on the reference
    date, as a run to review. Nothing is deleted. A run still waiting for review is replaced;
    while an approved run is busy, no new one is made."""
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=institution.pk).first()
        busy = RetentionRun.objects.filter(
            institution=institution, status=RetentionRunStatus.APPROVED
        ).exists()
        if busy:
            raise RetentionError(
                _(
                    "Er loopt al een goedgekeurde ronde voor deze instelling; wacht tot die klaar is."
                )
            )
        RetentionRun.objects.filter(
            institution=institution, status=RetentionRunStatus.PROPOSED
        ).update(status=RetentionRunStatus.CANCELLED, finished_at=timezone.now())
        run = RetentionRun.objects.create(
            institution=institution, reference_date=reference_date, proposed_by=proposed_by
        )
        expired = _expired_students(institution, reference_date)
        held = set(
            LegalHold.objects.filter(student_id__in=[s.pk for s, _e in expired]).values_list(
                "student_id", flat=True
            )
        )
        RetentionCandidate.objects.bulk_create(
            RetentionCandidate(
                run=run,
                student_id=s.pk,
                expired_on=expires,
                skipped_reason=_hold_reason() if s.pk in held else "",
            )
            for s, expires in expired
        )
    return run


def retention_refresh(run: RetentionRun) -> bool:
    """Check the list again (a student may have come back, or been held since): update who
    is skipped and why. True when something changed."""
    if run.status != RetentionRunStatus.PROPOSED:
        return False
    changed = False
    with transaction.atomic():
        candidates = list(run.candidates.select_for_update().order_by("pk"))
        ids = [c.student_id for c in candidates]
        students = Student.objects.in_bulk(ids)
        last = _last_requests(ids)
        for c in candidates:
            reason = _skip_reason(
                students.get(c.student_id), run.reference_date, last.get(c.student_id)
            )
            if reason != c.skipped_reason:
                c.skipped_reason = reason
                c.save(update_fields=["skipped_reason"])
                changed = True
    return changed


def _officer_run(actor: User | None, run: RetentionRun) -> None:
    if actor is not None and not may_manage_retention(actor, run.institution_id):
        raise RetentionError(_("Alleen de privacyfunctionaris van de instelling mag dit."))


def retention_approve(*, actor: User, run: RetentionRun, seen: str) -> RetentionRun:
    """Approve the list the officer reviewed (`seen`: its fingerprint). Refused when the run
    is no longer waiting, or when the list changed since (then it is shown again)."""
    _officer_run(actor, run)
    # Checked again first, in its own transaction: a refused approval still shows the
    # officer the list as it is now.
    retention_refresh(run)
    with transaction.atomic():
        locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RetentionRunStatus.PROPOSED:
            raise RetentionError(
                _("Deze ronde wacht niet meer op goedkeuring (status: %(status)s).")
                % {"status": locked.get_status_display()}
            )
        if retention_refresh(locked) or fingerprint(locked) != seen:
            raise RetentionError(
                _(
                    "De lijst is veranderd sinds u hem bekeek (iemand is weer ingeschreven of "
                    "geblokkeerd). Bekijk de lijst opnieuw en keur dan goed."
                )
            )
        locked.status = RetentionRunStatus.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
    return locked


def retention_cancel(*, actor: User | None, run: RetentionRun) -> RetentionRun:
    _officer_run(actor, run)
    with transaction.atomic():
        locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RetentionRunStatus.PROPOSED:
            raise RetentionError(
                _("Alleen een ronde die op goedkeuring wacht kan worden geannuleerd.")
            )
        locked.status = RetentionRunStatus.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
    return locked


def legal_hold_set(*, actor: User, student: Student, reason: str) -> LegalHold:
    """Stop the deletion of this student until the hold is lifted."""
    if not may_manage_retention(actor, student.institution_id):
        raise RetentionError(_("Alleen de privacyfunctionaris van de instelling mag dit."))
    reason = reason.strip()
    if not reason:
        raise RetentionError(_("Geef een reden voor de blokkade."))
    with transaction.atomic():
        hold, _created = LegalHold.objects.update_or_create(
            student=student, defaults={"reason": reason, "set_by": actor, "set_at": timezone.now()}
        )
        _mark_open_runs(student.pk)
    return hold


def legal_hold_lift(*, actor: User, student: Student) -> None:
    if not may_manage_retention(actor, student.institution_id):
        raise RetentionError(_("Alleen de privacyfunctionaris van de instelling mag dit."))
    with transaction.atomic():
        deleted, _rows = LegalHold.objects.filter(student=student).delete()
        if not deleted:
            raise RetentionError(_("Voor deze student staat geen blokkade."))
        _mark_open_runs(student.pk)


def _mark_open_runs(student_id: int) -> None:
    for run in RetentionRun.objects.filter(
        status=RetentionRunStatus.PROPOSED, candidates__student_id=student_id
    ).distinct():
        retention_refresh(run)


# --- the run ---------------------------------------------------------------------------


def _ended_periods(students: list[Student], today: date) -> set[str]:
    from schakelpunt.monitor.periods import parse_period, school_year_of

    codes: set[str] = set()
    for s in students:
        year = school_year_of(s.enrolled_on)
        last = school_year_of(s.left_on or today)
        while year.start <= last.start:
            for code in (year.code, f"{year.code}-S1", f"{year.code}-S2"):
                period = parse_period(code)
                if period.end < today and period.start <= (s.left_on or today):
                    codes.add(code)
            year = parse_period(f"{year.start.year + 1}-{year.start.year + 2}")
    return codes


def keep_monitor_figures(
    students: list[Student], progress: Callable[[str], None] | None = None
) -> int:
    """Before anyone is deleted: make sure the monitor keeps the figures of every ended
    period of every population these students count in (institution, municipality, RMC
    region). Kept figures are left as they are; missing ones are computed now, while the
    students are still there. Returns how many figures were computed."""
    from schakelpunt.monitor.models import MonitorSnapshot
    from schakelpunt.monitor.periods import parse_period
    from schakelpunt.monitor.snapshots import DASHBOARD, METHOD_KEY, dashboard_for, table_for
    from schakelpunt.monitor.suppression import METHOD_VERSION
    from schakelpunt.monitor.tables import BREAKDOWNS

    today = timezone.localdate()
    scopes = {}
    for s in students:
        for scope in _scopes_of(s):
            scopes[scope.key] = scope
    periods = sorted(_ended_periods(students, today))
    built = 0
    for scope in scopes.values():
        kept = set(
            MonitorSnapshot.objects.filter(
                scope=scope.key, period__in=periods, **{f"data__{METHOD_KEY}": METHOD_VERSION}
            ).values_list("period", "kind")
        )
        for code in periods:
            period = parse_period(code)
            if (code, DASHBOARD) not in kept:
                dashboard_for(scope, period, force=True)
                built += 1
            for breakdown in BREAKDOWNS:
                if (code, f"tabel:{breakdown}") not in kept:
                    table_for(scope, period, breakdown, force=True)
                    built += 1
        if progress is not None:
            progress(scope.title)
    return built


def _scopes_of(student: Student) -> list[Any]:
    scopes = [institution_scope(student.institution)]
    if student.residence_municipality is not None:
        scopes.append(municipality_scope(student.residence_municipality))
        scopes.append(region_scope(student.residence_municipality.rmc_region))
    return scopes


def _count(counts: Counter[str], result: tuple[int, dict[str, int]]) -> None:
    for label, n in result[1].items():
        if n:
            counts[label] += n


def _scrub(text: str, needles: list[str]) -> str:
    for needle in needles:
        if needle:
            text = text.replace(needle, ERASED)
    return text


def _identifiers(student: Student) -> list[str]:
    names = {student.full_name, student.display_name, student.sort_name}
    found = sorted((n for n in names if n), key=len, reverse=True)
    return [*found, student.student_number, student.bsn, student.email, student.phone]


def _anonymise_user(user: User, counts: Counter[str]) -> None:
    """Keep the User row (the access log points at it), but nothing that says who it was,
    and nothing that lets anyone log in with it."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    address = user.email
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        _count(counts, model.objects.filter(username__iexact=address).delete())
    _count(counts, Membership.objects.filter(user=user).delete())
    _count(counts, TOTPDevice.objects.filter(user=user).delete())
    _count(counts, SecondFactorSetupCode.objects.filter(user=user).delete())
    _count(counts, ExternalIdentity.objects.filter(user=user).delete())
    _count(counts, IdentityProviderSecondFactor.objects.filter(user=user).delete())
    _count(counts, Notification.objects.filter(recipient=user).delete())
    _count(counts, Participant.objects.filter(user=user).delete())
    sessions = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now() - timedelta(days=365))
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    _count(counts, Session.objects.filter(pk__in=sessions).delete())
    user.groups.clear()
    user.user_permissions.clear()
    user.first_name = ""
    user.last_name = ""
    user.email = f"verwijderd-{user.pk}@verwijderd.invalid"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.email_notifications = False
    user.save()
    counts["accounts.User (geanonimiseerd)"] += 1


def delete_student(student: Student, counts: Counter[str]) -> None:
    """Remove every row about this student in every app and anonymise their account and a
    parent's account that has no other child. Call inside a transaction."""
    sid = student.pk
    needles = _identifiers(student)
    student_user = student.user
    parents = [
        g.user
        for g in Guardian.objects.filter(student=student, user__isnull=False).select_related("user")
        if g.user is not None
        and not Guardian.objects.filter(user=g.user).exclude(student=student).exists()
    ]
    # Rows that name the student without a foreign key.
    _count(counts, Notification.objects.filter(student_id=sid).delete())
    _count(counts, Delivery.objects.filter(student_id=sid).delete())
    _count(
        counts,
        HandoverRecord.objects.filter(
            Q(student=student)
            | Q(institution_id=student.institution_id, mbo_student_number=student.student_number)
        ).delete(),
    )
    # An uncertain handover match lists the students it could be: not this one any more.
    for handover in HandoverRecord.objects.filter(
        institution_id=student.institution_id, student__isnull=True
    ).exclude(candidates=[]):
        if sid in handover.candidates:
            handover.candidates = [c for c in handover.candidates if c != sid]
            handover.save(update_fields=["candidates"])
    # A meeting's own title and general notes should not name a student; where they do,
    # the name goes.
    meetings = Meeting.objects.filter(
        pk__in=AgendaItem.objects.filter(student=student).values("meeting_id")
    )
    for meeting in meetings:
        title, notes = _scrub(meeting.title, needles), _scrub(meeting.notes, needles)
        if (title, notes) != (meeting.title, meeting.notes):
            Meeting.objects.filter(pk=meeting.pk).update(title=title, notes=notes)
            counts["meetings.Meeting (naam verwijderd)"] += 1
        if student.email:
            _count(
                counts,
                Participant.objects.filter(meeting=meeting, email__iexact=student.email).delete(),
            )
    # The trajectory protects the student, a referral its consent: they go first.
    _count(counts, Trajectory.objects.filter(student=student).delete())
    _count(counts, Referral.objects.filter(student=student).delete())
    # Addresses a refused invitation may name without an account: the student's, and a
    # parent's that no other child's file holds.
    addresses = {student.email}
    for g in Guardian.objects.filter(student=student).exclude(email=""):
        if not Guardian.objects.filter(email__iexact=g.email).exclude(student=student).exists():
            addresses.add(g.email)
    _count(counts, Student.objects.filter(pk=sid).delete())
    accounts = {u.pk: u for u in [student_user, *parents] if u is not None}
    # The role grants' append-only log: only through its one deliberate path.
    deleted, redacted = role_grants_erase(
        user_ids=accounts,
        emails=[*addresses, *(u.email for u in accounts.values())],
        organisation_id=student.institution_id,
        student_number=student.student_number,
    )
    if deleted:
        counts["accounts.RoleGrant"] += deleted
    if redacted:
        counts["accounts.RoleGrant (naam verwijderd)"] += redacted
    for user in accounts.values():
        _anonymise_user(user, counts)


def clear_old_import_files(institution: Organisation, counts: Counter[str]) -> None:
    """Absence import files hold student numbers; they are kept 30 days after processing."""
    cutoff = timezone.now() - timedelta(days=IMPORT_FILE_DAYS)
    jobs = AbsenceImportJob.objects.filter(institution=institution, started_at__lt=cutoff).filter(
        ~Q(data=b"") | ~Q(errors=[])
    )
    cleared = jobs.update(data=b"", errors=[])
    if cleared:
        counts["signals.AbsenceImportJob (bestand gewist)"] += cleared


def purge_access_logs(run: RetentionRun, *, limit: int = 10_000) -> None:
    """The access and decision logs go after their own five years, only through the access
    app's deliberate path; each part in the same transaction as its counts on the run."""
    years = RETENTION[DataCategory.ACCESS_LOG].years
    start = datetime.combine(run.reference_date, time.min, tzinfo=timezone.get_current_timezone())
    before = (
        start.replace(year=start.year - years)
        if not (start.month == 2 and start.day == 29)
        else start.replace(year=start.year - years, day=28)
    )
    while True:
        with transaction.atomic():
            locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
            try:
                result = access_log_purge(before=before, limit=limit)
            except PurgeRefused as problem:
                logger.error("retention: access log purge refused: %s", problem)
                locked.counts = {**locked.counts, "access_log_purge_refused": str(problem)}
                locked.save(update_fields=["counts"])
                return
            counts: Counter[str] = Counter()
            counts["access.AccessLogEntry"] += result.entries
            counts["access.AccessDecision"] += result.decisions
            _merge(locked, +counts)
            if result.held_by_hold:
                # Counts only: how many log rows a legal hold kept (no names, no ids).
                locked.counts = {
                    **locked.counts,
                    "access_log_held_by_legal_hold": result.held_by_hold,
                }
            locked.save(update_fields=["counts"])
        if not result.more:
            return


def _merge(run: RetentionRun, counts: Counter[str]) -> None:
    tables: dict[str, int] = dict(run.counts.get("tables", {}))
    for label, n in counts.items():
        tables[label] = tables.get(label, 0) + n
    categories: dict[str, int] = {}
    for label, n in tables.items():
        model = label.split(" ")[0]
        for category in MODEL_CATEGORIES.get(model, ())[:1]:
            categories[str(category)] = categories.get(str(category), 0) + n
    run.counts = {**run.counts, "tables": dict(sorted(tables.items())), "categories": categories}


def retention_run(
    run: RetentionRun,
    *,
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[int], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RetentionRun:
    """Carry out an approved run: keep the monitor's figures, then delete the candidates in
    batches (each batch one transaction, its candidates marked done in it), so a run that was
    stopped continues with the ones left. Safe to start twice: batches lock the run."""
    run.refresh_from_db()
    if run.status == RetentionRunStatus.DONE:
        return run
    if run.status != RetentionRunStatus.APPROVED:
        raise RetentionError(_("Deze ronde is niet goedgekeurd; er wordt niets verwijderd."))
    if connection.vendor == "sqlite":
        # Deleted rows are overwritten in the file too, not left in free pages.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    if not run.counts.get(MONITOR_KEPT):
        pending = run.candidates.filter(done=False, skipped_reason="").values("student_id")
        students = list(
            Student.objects.filter(pk__in=pending).select_related(
                "institution", "residence_municipality__rmc_region"
            )
        )
        built = keep_monitor_figures(students, progress)
        with transaction.atomic():
            locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
            locked.counts = {**locked.counts, MONITOR_KEPT: True, "monitor_computed": built}
            locked.save(update_fields=["counts"])
    batches = 0
    while True:
        with transaction.atomic():
            locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
            batch = list(locked.candidates.filter(done=False).order_by("pk")[:batch_size])
            if not batch:
                break
            found = Student.objects.select_related("user").in_bulk([c.student_id for c in batch])
            last = _last_requests(c.student_id for c in batch)
            counts: Counter[str] = Counter()
            for candidate in batch:
                student = found.get(candidate.student_id)
                reason = _skip_reason(
                    student, locked.reference_date, last.get(candidate.student_id)
                )
                if student is not None and not reason:
                    delete_student(student, counts)
                    counts["students"] += 1
                else:
                    candidate.skipped_reason = reason
                candidate.done = True
            RetentionCandidate.objects.bulk_update(batch, ["done", "skipped_reason"])
            students_deleted = counts.pop("students", 0)
            _merge(locked, counts)
            locked.counts["students"] = locked.counts.get("students", 0) + students_deleted
            locked.counts["skipped"] = (
                locked.candidates.filter(done=True).exclude(skipped_reason="").count()
            )
            locked.save(update_fields=["counts"])
        batches += 1
        if progress is not None:
            progress(_("%(n)s studenten verwijderd") % {"n": locked.counts["students"]})
        if after_batch is not None:
            after_batch(batches)
    purge_access_logs(run)
    with transaction.atomic():
        locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RetentionRunStatus.APPROVED:
            counts = Counter[str]()
            clear_old_import_files(locked.institution, counts)
            _merge(locked, counts)
            locked.status = RetentionRunStatus.DONE
            locked.finished_at = timezone.now()
            locked.save(update_fields=["counts", "status", "finished_at"])
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # And out of the write-ahead log (an in-memory database has none).
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except DatabaseError:
            logger.info("retention: no write-ahead log to checkpoint")
    run.refresh_from_db()
    return run


def yearly_proposals(reference_date: date | None = None) -> list[RetentionRun]:
    """Per MBO institution a dry-run list for its privacy officer (the yearly job)."""
    from schakelpunt.accounts.roles import OrganisationKind

    day = reference_date or timezone.localdate()
    runs = []
    for institution in Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION):
        try:
            runs.append(retention_propose(institution=institution, reference_date=day))
        except RetentionError as exc:
            logger.info("retention: %s skipped: %s", institution.pk, exc)
    return runs
