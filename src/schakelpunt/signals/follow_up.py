"""Leerplicht/RMC follow-up: of statutory reports, and of students who left without
startkwalificatie before 23 (the RMC list)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import RMC_AGE_LIMIT, may_follow_up, students_for_user
from schakelpunt.accounts.models import User
from schakelpunt.core.dates import years_before
from schakelpunt.students.models import Student

from .models import AbsenceReport, FollowUpFields, FollowUpStatus, LeaverFollowUp


def follow_up_save(
    target: FollowUpFields, *, actor: User, status: str, note: str, expected_version: int
) -> None:
    if target.follow_up_version != expected_version:
        raise ValidationError(
            _(
                "Iemand anders heeft de opvolging intussen bijgewerkt. Bekijk de nieuwe stand en "
                "probeer het opnieuw."
            ),
            code="stale",
        )
    if status not in FollowUpStatus.values:
        raise ValidationError(_("Kies een status."))
    target.follow_up_status = status
    target.follow_up_note = note.strip()[:500]
    target.follow_up_at = timezone.now()
    target.follow_up_by = actor
    target.follow_up_version += 1
    target.save()


def report_follow_up_record(
    *, actor: User, report_id: int, status: str, note: str, expected_version: int
) -> AbsenceReport:
    with transaction.atomic():
        report = (
            AbsenceReport.objects.select_for_update().select_related("student").get(pk=report_id)
        )
        if not may_follow_up(actor, report.student):
            raise PermissionDenied
        follow_up_save(
            report, actor=actor, status=status, note=note, expected_version=expected_version
        )
    return report


# Left without startkwalificatie: none, or one obtained only after leaving (on the day they
# left they had none).
LEFT_WITHOUT_BASIC_QUALIFICATION = Q(has_basic_qualification=False) | Q(
    basic_qualification_on__gt=F("left_on")
)


def rmc_leavers(user: User, today: date) -> QuerySet[Student]:
    """Students this user may see who left without startkwalificatie and are not yet 23."""
    return (
        students_for_user(user, part=Part.ENROLMENT)
        .filter(
            LEFT_WITHOUT_BASIC_QUALIFICATION,
            left_on__isnull=False,
            left_on__lte=today,
            date_of_birth__gt=years_before(today, RMC_AGE_LIMIT),
        )
        .select_related("residence_municipality", "programme", "institution")
        .order_by("-left_on", "last_name")
    )


def leaver_follow_ups(students: list[Student]) -> dict[tuple[int, date], LeaverFollowUp]:
    found = LeaverFollowUp.objects.filter(student__in=students).select_related("follow_up_by")
    return {(f.student_id, f.left_on): f for f in found}


def leaver_follow_up_record(
    *, actor: User, student_id: int, status: str, note: str, expected_version: int
) -> LeaverFollowUp:
    with transaction.atomic():
        student = Student.objects.select_for_update().get(pk=student_id)
        if student.left_on is None or not may_follow_up(actor, student):
            raise PermissionDenied
        follow_up, _created = LeaverFollowUp.objects.get_or_create(
            student=student, left_on=student.left_on
        )
        follow_up_save(
            follow_up, actor=actor, status=status, note=note, expected_version=expected_version
        )
    return follow_up
