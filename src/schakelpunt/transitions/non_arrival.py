"""Students who enrolled but never came: every school day of their first two weeks fully
absent (the absence import's rule: a school day without a row counts as attended; BBL
students only on the weekdays they have rows for). Not when every day was authorised
(sick, for instance): then the school knows why."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction

from schakelpunt.accounts.models import Pathway
from schakelpunt.signals.config import calendar_for
from schakelpunt.signals.models import AbsenceReasonCode, AbsenceRecord
from schakelpunt.students.models import Student

from .models import HandoverRecord, MatchStatus, NonArrival

FIRST_DAYS = 14  # calendar days from enrolment: the first two weeks
LOOK_BACK_DAYS = 60  # enrolments older than this are not looked at again
MIN_DAYS = 2


def never_showed_up(school_days: list[date], rows: list[AbsenceRecord], bbl: bool) -> bool:
    """The rule for one student, on their first two weeks' school days and absence rows."""
    by_day = {r.day: r for r in rows}
    days = (
        [d for d in school_days if d.weekday() in {r.day.weekday() for r in rows}]
        if bbl
        else school_days
    )
    if len(days) < MIN_DAYS:
        return False
    for day in days:
        row = by_day.get(day)
        if row is None or row.scheduled_hours <= 0 or row.absent_hours < row.scheduled_hours:
            return False
    return any(by_day[d].reason == AbsenceReasonCode.UNAUTHORISED for d in days)


def non_arrivals_detect(today: date) -> int:
    """Find this term's non-arrivals; each enrolment is flagged once. Returns how many new."""
    candidates = (
        Student.objects.filter(
            left_on__isnull=True,
            enrolled_on__gte=today - timedelta(days=LOOK_BACK_DAYS),
            enrolled_on__lte=today - timedelta(days=FIRST_DAYS),
        )
        .exclude(non_arrivals__enrolled_on__isnull=False)
        .select_related("institution", "programme")
    )
    by_institution: dict[int, list[Student]] = defaultdict(list)
    for student in candidates:
        by_institution[student.institution_id].append(student)
    found = 0
    for students in by_institution.values():
        calendar = calendar_for(students[0].institution)
        rows: dict[int, list[AbsenceRecord]] = defaultdict(list)
        for row in AbsenceRecord.objects.filter(
            student__in=[s.pk for s in students], day__gte=min(s.enrolled_on for s in students)
        ):
            rows[row.student_id].append(row)
        for student in students:
            end = student.enrolled_on + timedelta(days=FIRST_DAYS - 1)
            window = [r for r in rows[student.pk] if student.enrolled_on <= r.day <= end]
            days = calendar.school_days(student.enrolled_on, end)
            if not never_showed_up(days, window, student.programme.pathway == Pathway.BBL):
                continue
            with transaction.atomic():
                _item, created = NonArrival.objects.get_or_create(
                    student=student,
                    enrolled_on=student.enrolled_on,
                    defaults={"school_days": len(window), "detected_on": today},
                )
            found += int(created)
    return found


def school_year_start(today: date) -> date:
    """1 September of the running school year."""
    year = today.year if today.month >= 9 else today.year - 1
    return date(year, 9, 1)


def handed_over_not_enrolled(today: date) -> int:
    """Pupils a VO school handed over who were still not enrolled two weeks into the school
    year (the "zomerlek"). Each handover is flagged once."""
    start = school_year_start(today)
    if today < start + timedelta(days=FIRST_DAYS):
        return 0
    found = 0
    waiting = HandoverRecord.objects.filter(
        match_status__in=[MatchStatus.NONE, MatchStatus.REJECTED],
        imported_at__date__lt=start + timedelta(days=FIRST_DAYS),
        imported_at__date__gte=start - timedelta(days=365),
        non_arrival__isnull=True,
    )
    for record in waiting:
        _item, created = NonArrival.objects.get_or_create(
            handover=record,
            defaults={"enrolled_on": start, "school_days": 0, "detected_on": today},
        )
        found += int(created)
    return found
