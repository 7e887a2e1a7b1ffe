"""A long absence's report: the threshold day and, once the absence stops, its end date.

And the startkwalificatie with a date: hours before it count for the statutory rules, hours
after it do not. Dates in September 2025, before any region's autumn holiday.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.signals.daily import daily_signals_compute, statutory_reports_compute
from schakelpunt.signals.follow_up import rmc_leavers
from schakelpunt.signals.models import AbsenceRecord, AbsenceReport

FIRST = date(2025, 9, 1)  # a Monday


def school_days(start: date, end: date) -> list[date]:
    return [
        start + timedelta(days=i)
        for i in range((end - start).days + 1)
        if (start + timedelta(days=i)).weekday() < 5
    ]


def absent(student, days, hours=Decimal(6)):  # type: ignore[no-untyped-def]
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=student,
            day=d,
            scheduled_hours=Decimal(6),
            absent_hours=hours,
            reason="unauthorised",
        )
        for d in days
    )


def long_report(student) -> AbsenceReport:  # type: ignore[no-untyped-def]
    return AbsenceReport.objects.get(student=student, kind="long_relative")


def test_a_long_absence_gets_its_end_date_the_morning_after_the_student_returns(school):
    roc, _admin, minor, _adult = school
    # Absent all day for five school weeks: more than four weeks on Monday 29 September.
    absent(minor, school_days(FIRST, date(2025, 10, 3)))
    daily_signals_compute(institution=roc, today=date(2025, 10, 3))
    report = long_report(minor)
    assert (report.start_date, report.threshold_on, report.end_date) == (
        FIRST,
        date(2025, 9, 29),
        None,
    )
    # Reported to DUO while the absence lasts.
    AbsenceReport.objects.filter(pk=report.pk).update(reported_on=date(2025, 9, 30))
    # Back at school on Monday 6 October (no absence that day). That morning nothing is known
    # yet; the next morning the report gets the day back as its end date: the same report.
    daily_signals_compute(institution=roc, today=date(2025, 10, 6))
    assert long_report(minor).end_date is None
    daily_signals_compute(institution=roc, today=date(2025, 10, 7))
    report = long_report(minor)
    assert (report.threshold_on, report.end_date, report.reported_on) == (
        date(2025, 9, 29),
        date(2025, 10, 6),
        date(2025, 9, 30),
    )
    assert AbsenceReport.objects.filter(student=minor, kind="long_relative").count() == 1
    listed = statutory_reports_compute(institution=roc, on_date=date(2025, 10, 8))
    assert [(r.kind, r.end_date) for r in listed if r.kind == "long_relative"] == [
        ("long_relative", date(2025, 10, 6))
    ]


def test_deregistration_ends_a_long_absence(school):
    roc, _admin, _minor, adult = school
    absent(adult, school_days(FIRST, date(2025, 10, 3)))
    daily_signals_compute(institution=roc, today=date(2025, 10, 1))
    rmc = AbsenceReport.objects.get(student=adult, kind="rmc")
    assert (rmc.threshold_on, rmc.end_date) == (date(2025, 9, 26), None)
    adult.left_on = date(2025, 10, 2)
    adult.save(update_fields=["left_on"])
    daily_signals_compute(institution=roc, today=date(2025, 10, 3))
    rmc.refresh_from_db()
    assert (rmc.threshold_on, rmc.end_date) == (date(2025, 9, 26), date(2025, 10, 2))


def test_sixteen_hours_count_only_before_the_startkwalificatie(school):
    roc, _admin, minor, _adult = school
    # 4 hours on each Monday of four school weeks: 16 hours on Monday 22 September.
    mondays = [FIRST + timedelta(weeks=w) for w in range(4)]
    absent(minor, mondays, hours=Decimal(4))
    minor.has_basic_qualification = True
    minor.basic_qualification_on = date(2025, 9, 23)  # obtained the day after
    minor.save()
    daily_signals_compute(institution=roc, today=date(2025, 9, 30))
    (report,) = AbsenceReport.objects.filter(student=minor)
    assert (report.kind, report.threshold_on, report.end_date) == (
        "16_in_4",
        date(2025, 9, 22),
        date(2025, 9, 22),
    )
    # The same hours for a student who obtained it on 22 September: no report.
    same_student = type(minor).objects.get(pk=minor.pk)
    AbsenceReport.objects.all().delete()
    same_student.basic_qualification_on = date(2025, 9, 22)
    same_student.save()
    daily_signals_compute(institution=roc, today=date(2025, 9, 30))
    assert not AbsenceReport.objects.filter(student=minor).exists()
    # A startkwalificatie without a date: obtained before enrolment, nothing counts.
    same_student.basic_qualification_on = None
    same_student.save()
    daily_signals_compute(institution=roc, today=date(2025, 9, 30))
    assert not AbsenceReport.objects.filter(student=minor).exists()


def test_worklist_and_csv_show_the_threshold_day_and_the_end_date(school, officer):
    roc, _admin, minor, adult = school
    absent(minor, school_days(FIRST, date(2025, 10, 3)))  # still absent
    absent(adult, school_days(FIRST, date(2025, 9, 30)))  # back on 1 October
    daily_signals_compute(institution=roc, today=date(2025, 10, 3))
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("signals:worklist"), {"status": "alle"}).content.decode()
    assert '<th scope="col">Drempel bereikt op</th><th scope="col">Einddatum</th>' in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")
    minor_row = next(row for row in rows if "Langdurig relatief verzuim" in row)
    assert "29 september 2025" in minor_row and "loopt nog" in minor_row
    adult_row = next(row for row in rows if "RMC-melding" in row)
    assert "26 september 2025" in adult_row and "1 oktober 2025" in adult_row
    export = client.get(reverse("signals:export"), {"status": "alle"})
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    header = lines[0]
    threshold, end = header.index("drempel bereikt op"), header.index("einddatum")
    by_kind = {row[header.index("soort melding")]: row for row in lines[1:]}
    assert (
        by_kind["Langdurig relatief verzuim"][threshold],
        by_kind["Langdurig relatief verzuim"][end],
    ) == ("2025-09-29", "loopt nog")
    assert (
        by_kind["RMC-melding (18–23 jaar)"][threshold],
        by_kind["RMC-melding (18–23 jaar)"][end],
    ) == ("2025-09-26", "2025-10-01")


def test_a_startkwalificatie_obtained_after_leaving_keeps_the_student_on_the_rmc_list(school):
    roc, _admin, minor, adult = school
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, organisation=roc, role=Role.CARE_COORDINATOR)
    for student, obtained in ((minor, date(2025, 10, 1)), (adult, date(2025, 9, 1))):
        student.left_on = date(2025, 9, 15)
        student.has_basic_qualification = True
        student.basic_qualification_on = obtained
        student.save()
    # The minor left on 15 September and obtained it only on 1 October: left without one.
    assert list(rmc_leavers(coordinator, date(2025, 10, 3))) == [minor]
