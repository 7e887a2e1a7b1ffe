"""One school year of demo absence, and the statutory reports the rules then find.

Most students are rarely absent; a tail is often or chronically absent; illness comes in a
winter wave; Mondays see more absence. BBL students are at school one day a week.
Holidays: region Noord (Twente), the public holidays and the school's own days off.
"""

import csv
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from schakelpunt import refdata
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.signals.config import calendar_for
from schakelpunt.signals.daily import daily_signals_compute, statutory_reports_compute
from schakelpunt.signals.models import (
    AbsenceRecord,
    AbsenceReport,
    Concern,
    ConcernStatus,
    HolidayRegion,
    SchoolHoliday,
    SignalSettings,
    Urgency,
)
from schakelpunt.signals.public_holidays import PUBLIC_HOLIDAYS
from schakelpunt.signals.quality import quality_compute
from schakelpunt.signals.statutory import SchoolCalendar
from schakelpunt.students.models import Student
from schakelpunt.support.models import LifeDomain

YEAR_START = date(2025, 9, 1)
YEAR_END = date(2026, 7, 10)
# The current school year runs on until the day the demo is built, up to the last holiday
# this demo knows of (so no school days are invented inside an unknown holiday).
CURRENT_YEAR_START = date(2026, 8, 24)
# The region's school holidays (refdata/data/schoolvakanties.csv, region Noord, which the
# demo school chooses) and the official public holidays are in its calendar already; these
# are the school's own days off on top, as a real school enters them on the school calendar.
OWN_DAYS_OFF = [
    ("Goede Vrijdag", date(2026, 4, 3), date(2026, 4, 3)),
    ("Vrijdag na Hemelvaart", date(2026, 5, 15), date(2026, 5, 15)),
    ("Studiedag", date(2026, 11, 11), date(2026, 11, 11)),
]


def _region_noord() -> list[tuple[str, date, date]]:
    with (Path(refdata.__file__).parent / "data" / "schoolvakanties.csv").open() as file:
        return [
            (
                row["vakantie"],
                date.fromisoformat(row["eerste_dag"]),
                date.fromisoformat(row["laatste_dag"]),
            )
            for row in csv.DictReader(file)
            if row["regio"] == "noord"
        ]


# Every day off of the demo school, as the app's own calendar (signals/calendar.py) has them.
DAYS_OFF = [
    *_region_noord(),
    *(("feestdag", day, day) for day, _name in PUBLIC_HOLIDAYS),
    *OWN_DAYS_OFF,
]
KNOWN_CALENDAR_END = max(end for _name, _start, end in DAYS_OFF)
# Share of students, and the chance that they skip a given school day without valid reason.
PROFILES = [(0.70, 0.005), (0.20, 0.03), (0.08, 0.08), (0.02, 0.30)]


def build_absence(
    rng: random.Random, roc: Organisation, students: list[Student], today: date
) -> int:
    # Twente is in holiday region Noord (a real school chooses it on the school calendar).
    SignalSettings.objects.update_or_create(
        institution=roc, defaults={"holiday_region": HolidayRegion.NORTH}
    )
    SchoolHoliday.objects.bulk_create(
        SchoolHoliday(institution=roc, name=name, start=start, end=end)
        for name, start, end in OWN_DAYS_OFF
    )
    calendar = SchoolCalendar(tuple((s, e) for _n, s, e in DAYS_OFF))
    last_day = min(today - timedelta(days=1), KNOWN_CALENDAR_END)
    school_days = calendar.school_days(YEAR_START, YEAR_END) + calendar.school_days(
        CURRENT_YEAR_START, last_day
    )
    shares = [p for p, _chance in PROFILES]
    records: list[AbsenceRecord] = []
    for student in students:
        first = max(YEAR_START, student.enrolled_on)
        last = min(last_day, student.left_on or last_day)
        if first > last:
            continue
        dropping_out = student.left_on is not None and not student.has_basic_qualification
        # Those who will leave without diploma were more often absent, most of them visibly.
        weights = [0.25, 0.2, 0.3, 0.25] if dropping_out else shares
        skip = rng.choices([c for _p, c in PROFILES], weights=weights)[0]
        bbl = student.programme.pathway == "BBL"
        scheduled = Decimal(7 if bbl else 6)
        chronic_from = None
        if dropping_out and student.left_on and rng.random() < 0.6:
            # Stops coming some weeks before leaving.
            chronic_from = student.left_on - timedelta(days=rng.randrange(20, 70))
        elif skip >= 0.3 and rng.random() < 0.5:  # some stop coming altogether for a while
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
        if report.threshold_on < YEAR_END - timedelta(days=30):
            report.reported_on = report.threshold_on + timedelta(days=rng.randrange(1, 6))
            report.reference = f"DUO-{rng.randrange(100000, 999999)}"
            done.append(report)
    AbsenceReport.objects.bulk_update(done, ["reported_on", "reference"], batch_size=2000)
    return len(reports)


CONCERN_TEXTS = [
    "Komt steeds later binnen en lijkt moe.",
    "Vertelde dat het thuis onrustig is.",
    "Maakt zich zorgen over geld, heeft twee baantjes.",
    "Trekt zich terug in de groep, zegt weinig.",
    "Stage dreigt te stoppen, begeleider belde.",
    "Vraagt om hulp bij plannen, loopt achter.",
]
CLOSE_REASONS = [
    "Gesprek gehad, gaat weer goed.",
    "Mentor houdt het in de gaten.",
    "Doorgezet naar een traject.",
    "Ouders gebeld, afspraak gemaakt.",
]


def build_signals(
    rng: random.Random,
    roc: Organisation,
    students: list[Student],
    staff: list[User],
    today: date,
) -> int:
    """Concerns of the past year (handled, mostly in time) and of this week, today's reports
    and early warnings, and the look back at last school year."""
    calendar = calendar_for(roc)
    past_days = calendar.school_days(YEAR_START, YEAR_END)
    concerns = []
    for student in students:
        if rng.random() < 0.015:
            day = rng.choice(past_days)
            raised = timezone.make_aware(datetime.combine(day, time(10, rng.randrange(0, 60))))
            acted = raised + timedelta(days=rng.choice([0, 1, 1, 2, 3, 4, 6, 9, 14]))
            concerns.append(
                Concern(
                    student=student,
                    raised_by=rng.choice(staff),
                    text=rng.choice(CONCERN_TEXTS),
                    life_domains=[rng.choice(LifeDomain.values)],
                    status=ConcernStatus.CLOSED,
                    created_at=raised,
                    first_action_at=acted,
                    closed_at=acted,
                    closed_reason=rng.choice(CLOSE_REASONS),
                )
            )
    current = [s for s in students if s.left_on is None]
    for student in rng.sample(current, min(12, len(current))):
        concerns.append(
            Concern(
                student=student,
                raised_by=rng.choice(staff),
                text=rng.choice(CONCERN_TEXTS),
                life_domains=[rng.choice(LifeDomain.values)],
                urgency=Urgency.URGENT if rng.random() < 0.2 else Urgency.NORMAL,
                created_at=timezone.now() - timedelta(days=rng.randrange(0, 4), hours=2),
            )
        )
    Concern.objects.bulk_create(concerns, batch_size=2000)
    daily_signals_compute(institution=roc, today=today)
    quality_compute(
        institution=roc, start=date(2025, 8, 1), end=date(2026, 7, 31), sample_every_weeks=2
    )
    return len(concerns)
