"""Computing the statutory reports from the absence records, and marking them as reported."""

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import student_access
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.students.models import Student

from .models import AbsenceRecord, AbsenceReport, SchoolHoliday
from .statutory import (
    REASON_OF,
    AbsenceDay,
    RegionOptions,
    SchoolCalendar,
    StudentFacts,
    reports_due,
)

# The rules look back at most this far (a window of 4 school weeks plus long absences).
LOOK_BACK_DAYS = 200


def calendar_for(institution: Organisation) -> SchoolCalendar:
    return SchoolCalendar(
        holidays=tuple(
            SchoolHoliday.objects.filter(institution=institution).values_list("start", "end")
        )
    )


def statutory_reports_record(
    *, institution: Organisation, on_date: date, options: RegionOptions | None = None
) -> int:
    """Record every report due up to `on_date`; running it again adds nothing new. Returns
    how many reports end on `on_date`."""
    options = options or RegionOptions()
    calendar = calendar_for(institution)
    since = on_date - timedelta(days=LOOK_BACK_DAYS)
    by_student: dict[int, list[AbsenceDay]] = defaultdict(list)
    for student_id, day, scheduled, absent, reason in AbsenceRecord.objects.filter(
        student__institution=institution, day__gte=since, day__lte=on_date, absent_hours__gt=0
    ).values_list("student_id", "day", "scheduled_hours", "absent_hours", "reason"):
        by_student[student_id].append(AbsenceDay(day, scheduled, absent, REASON_OF[reason]))
    facts = {
        pk: StudentFacts(born, basic_qualification_on=enrolled_on if qualified else None)
        for pk, born, qualified, enrolled_on in Student.objects.filter(
            institution=institution
        ).values_list("pk", "date_of_birth", "has_basic_qualification", "enrolled_on")
    }
    found: list[AbsenceReport] = []
    for student_id, absences in by_student.items():
        for report in reports_due(
            facts[student_id], absences, calendar, until=on_date, options=options
        ):
            found.append(
                AbsenceReport(
                    student_id=student_id,
                    kind=report.kind,
                    start_date=report.start,
                    end_date=report.end,
                    unauthorised_hours=report.unauthorised_hours,
                    rules_version=report.rules_version,
                )
            )
    with transaction.atomic():
        AbsenceReport.objects.bulk_create(found, batch_size=2000, ignore_conflicts=True)
    return sum(1 for r in found if r.end_date == on_date)


def statutory_reports_compute(
    *, institution: Organisation, on_date: date, options: RegionOptions | None = None
) -> list[AbsenceReport]:
    """Record the reports due up to `on_date` and list all of them (for the CLI and checks)."""
    statutory_reports_record(institution=institution, on_date=on_date, options=options)
    return list(
        AbsenceReport.objects.filter(student__institution=institution, end_date__lte=on_date)
        .select_related("student")
        .order_by("end_date", "student__student_number", "kind")
    )


def absence_report_mark_reported(
    *, actor: User, report_id: int, reported_on: date, reference: str
) -> AbsenceReport:
    """The attendance officer records that the report was made at DUO, with its reference."""
    with transaction.atomic():
        report = (
            AbsenceReport.objects.select_for_update().select_related("student").get(pk=report_id)
        )
        # Reporting to DUO is the school's act: it needs the right to change absence data.
        if not student_access(actor, report.student).allows(Action.CHANGE, Part.ABSENCE):
            raise PermissionDenied
        if report.reported_on is not None:
            raise ValidationError(
                _("Deze melding is al gedaan op %(day)s.") % {"day": report.reported_on}
            )
        report.reported_on = reported_on
        report.reference = reference.strip()[:50]
        report.save(update_fields=["reported_on", "reference"])
    return report
