"""The school's attendance coordinator, in a real browser (issue 4's walk-through)."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from schakelpunt.signals.calendar import school_calendar
from schakelpunt.signals.daily import school_year_start
from schakelpunt.signals.models import AbsenceReport
from schakelpunt.signals.statutory import SchoolCalendar
from schakelpunt.support.models import ContactNote

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def recent_school_days(calendar: SchoolCalendar, n: int, today: date) -> list[date]:
    """The last n days up to `today` the app counts as school days: in the Christmas week or
    on Koningsdag the last weekdays are not (the longest holiday is shorter than 60 days)."""
    return calendar.school_days(today - timedelta(days=60), today)[-n:]


@pytest.fixture
def school_morning(world):  # type: ignore[no-untyped-def]
    """Today, or in a holiday the first school day after it: the early warning looks at this
    school year, and in the summer holiday the last school days were in the one before. The
    clock (of this process and its live server) moves there for the test."""
    calendar = school_calendar(world.students["t1"].institution)
    day = timezone.localdate()
    while not (
        calendar.is_school_day(day)
        and recent_school_days(calendar, 3, day)[0] >= school_year_start(day)
    ):
        day += timedelta(days=1)
    if day == timezone.localdate():
        yield day
        return
    with time_machine.travel(datetime.combine(day, time(10), timezone.get_current_timezone())):
        yield day


def test_attendance_coordinator_imports_sees_reports_and_contacts_the_student(
    live_server, page, world, tmp_path, school_morning
):
    base = live_server.url
    anna = world.students["t1"]  # 17, no startkwalificatie
    AbsenceReport.objects.all().delete()  # start without earlier reports
    lines = ["studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden"]
    lines += [
        f"{anna.student_number};{d.isoformat()};6;6;nee;ongeoorloofd"
        for d in recent_school_days(school_calendar(anna.institution), 3, school_morning)
    ]
    path = tmp_path / "verzuim-deze-week.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    log_in(page, base, "absence@example.nl")
    page.get_by_role("link", name="Verzuim inlezen").click()
    page.get_by_label("Verzuimbestand (CSV of Excel)").set_input_files(str(path))
    page.get_by_role("button", name="Inlezen").click()
    expect(page.get_by_text("Ingelezen: 3 nieuw, 0 vervangen, 0 ongewijzigd.")).to_be_visible()

    # 18 hours in this week: a '16 uur in 4 weken' report waits to be made at DUO.
    page.get_by_role("link", name="Naar de verzuimmeldingen").click()
    row = page.locator("tr", has_text=anna.student_number)
    expect(row.get_by_text("16 uur in 4 weken")).to_be_visible()
    row.get_by_placeholder("Kenmerk DUO").fill("DUO-4711")
    row.get_by_role("button", name="Gemeld").click()
    expect(page.get_by_text("Vastgelegd als gemeld.")).to_be_visible()

    # Anna is flagged in the triage queue, with the reasons.
    page.get_by_role("link", name="Triage").click()
    card = page.locator("section.card", has_text=anna.first_name)
    expect(card.get_by_text("3 schooldagen achter elkaar afwezig.")).to_be_visible()
    expect(card.get_by_text("Vroegsignalering")).to_be_visible()
    # The coordinator sends the 'we hebben je gemist' message that is already filled in.
    assert "we hebben je gemist" in card.get_by_label("Bericht aan de student").input_value()
    card.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Het bericht is verstuurd.")).to_be_visible()
    note = ContactNote.objects.get(student=anna)
    assert note.shared_with_student and "we hebben je gemist" in note.summary

    # Anna reads it in her notifications.
    log_in(page, base, "anna@example.nl")
    page.goto(f"{base}/meldingen/")
    expect(page.get_by_text("we hebben je gemist", exact=False).first).to_be_visible()
