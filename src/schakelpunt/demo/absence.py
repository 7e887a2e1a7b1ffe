"""One school year of demo absence, and the statutory reports the rules then find.

Most students are rarely absent; a tail is often or chronically absent; illness comes in a
winter wave; Mondays see more absence. BBL students are at school one day a week.
Holidays: school year 2025-2026, region Noord (Twente), as schools published them.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from schakelpunt.accounts.models import Organisation
from schakelpunt.signals.models import AbsenceRecord, AbsenceReport, SchoolHoliday
from schakelpunt.signals.services import statutory_reports_compute
from schakelpunt.signals.statutory import SchoolCalendar
from schakelpunt.students.models import Student

YEAR_START = date(2025, 9, 1)
YEAR_END = date(2026, 7, 10)
HOLIDAYS_NOORD_2025_2026 = [
    ("Herfstvakantie", date(2025, 10, 18), date(2025, 10, 26)),
    ("Kerstvakantie", date(2025, 12, 20), date(2026, 1, 4)),
    ("Voorjaarsvakantie", date(2026, 2, 21), date(2026, 3, 1)),
    ("Goede Vrijdag en Pasen", date(2026, 4, 3), date(2026, 4, 6)),
    ("Meivakantie", date(2026, 4, 18), date(2026, 5, 3)),
    ("Hemelvaart", date(2026, 5, 14), date(2026, 5, 15)),
    ("Pinksteren", date(2026, 5, 25), date(2026, 5, 25)),
    ("Zomervakantie", date(2026, 7, 11), date(2026, 8, 23)),
]
# Share of students, and the chance that they skip a given school day without valid reason.
PROFILES = [(0.70, 0.005), (0.20, 0.03), (0.08, 0.08), (0.02, 0.30)]


def build_absence(rng: random.Random, roc: Organisation, students: list[Student]) -> int:
    SchoolHoliday.objects.bulk_create(
        SchoolHoliday(institution=roc, name=name, start=start, end=end)
        for name, start, end in HOLIDAYS_NOORD_2025_2026
    )
    calendar = SchoolCalendar(tuple((s, e) for _n, s, e in HOLIDAYS_NOORD_2025_2026))
    school_days = calendar.school_days(YEAR_START, YEAR_END)
    shares = [p for p, _chance in PROFILES]
    records: list[AbsenceRecord] = []
    for student in students:
        first = max(YEAR_START, student.enrolled_on)
        last = min(YEAR_END, student.left_on or YEAR_END)
        if first > last:
            continue
        skip = rng.choices([c for _p, c in PROFILES], weights=shares)[0]
        bbl = student.programme.pathway == "BBL"
        scheduled = Decimal(7 if bbl else 6)
        chronic_from = None
        if skip >= 0.3 and rng.random() < 0.5:  # some stop coming altogether for a while
            chronic_from = first + timedelta(days=rng.randrange(30, 200))
        for day in school_days:
            if day < first or day > last or (bbl and day.weekday() != 1):
                continue
            away = chronic_from is not None and chronic_from <= day <= chronic_from + timedelta(
                days=40
            )
            if away:  # not coming at all: whole days, no valid reason
                records.append(
                    AbsenceRecord(
                        student=student,
                        day=day,
                        scheduled_hours=scheduled,
                        absent_hours=scheduled,
                        reason="unauthorised",
                    )
                )
                continue
            winter = date(day.year, 1, 10) <= day <= date(day.year, 2, 20)
            if rng.random() < (0.05 if winter else 0.02):
                records.append(
                    AbsenceRecord(
                        student=student,
                        day=day,
                        scheduled_hours=scheduled,
                        absent_hours=scheduled,
                        reason="illness",
                    )
                )
                continue
            chance = skip * (1.6 if day.weekday() == 0 else 1.0)
            if rng.random() < chance:
                hours = (
                    scheduled if rng.random() < 0.6 else Decimal(rng.randrange(1, int(scheduled)))
                )
                records.append(
                    AbsenceRecord(
                        student=student,
                        day=day,
                        scheduled_hours=scheduled,
                        absent_hours=hours,
                        reason="unauthorised",
                    )
                )
    AbsenceRecord.objects.bulk_create(records, batch_size=5000)
    return len(records)


def build_reports(rng: random.Random, roc: Organisation) -> int:
    """Compute the reports; those older than a month were already made at DUO."""
    reports = statutory_reports_compute(institution=roc, on_date=YEAR_END)
    done = []
    for report in reports:
        if report.end_date < YEAR_END - timedelta(days=30):
            report.reported_on = report.end_date + timedelta(days=rng.randrange(1, 6))
            report.reference = f"DUO-{rng.randrange(100000, 999999)}"
            done.append(report)
    AbsenceReport.objects.bulk_update(done, ["reported_on", "reference"], batch_size=2000)
    return len(reports)
