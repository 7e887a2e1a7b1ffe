"""The school's attendance coordinator, in a real browser (issue 4's walk-through)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schakelpunt.accounts.models import Organisation
from schakelpunt.signals.calendar import school_calendar
from schakelpunt.signals.models import AbsenceReport
from schakelpunt.support.models import ContactNote

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def recent_school_days(institution: Organisation, n: int) -> list[date]:
    """The last n days the app counts as school days: in the Christmas week or on Koningsdag
    the last weekdays are not."""
    calendar = school_calendar(institution)
    days, day = [], timezone.localdate()
    while len(days) < n:
        if calendar.is_school_day(day):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def test_attendance_coordinator_imports_sees_reports_and_contacts_the_student(
    live_server, page, world, tmp_path
):
    base = live_server.url
    anna = world.students["t1"]  # 17, no startkwalificatie
    AbsenceReport.objects.all().delete()  # start without earlier reports
    lines = ["studentnummer;datum;geroosterde_uren;afwezige_uren;geoorloofd;reden"]
    lines += [
        f"{anna.student_number};{d.isoformat()};6;6;nee;ongeoorloofd"
        for d in recent_school_days(anna.institution, 3)
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
