"""The statutory reports worklist: who sees which reports, who marks them, the export."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.signals.models import AbsenceReport
from tests.world import client_for


def test_care_team_marks_a_report_as_made_once(world):
    report = AbsenceReport.objects.get(student=world.students["t1"])
    care = client_for(world.users["care_l1"])
    page = care.get("/verzuim/").content.decode()
    assert world.students["t1"].student_number in page
    assert 'name="reference"' in page
    care.post(
        f"/verzuim/{report.pk}/gemeld/", {"reported_on": "2026-11-20", "reference": "DUO-123"}
    )
    report.refresh_from_db()
    assert (str(report.reported_on), report.reference) == ("2026-11-20", "DUO-123")
    again = care.post(
        f"/verzuim/{report.pk}/gemeld/",
        {"reported_on": "2026-11-21", "reference": "DUO-999"},
        follow=True,
    )
    assert "Deze melding is al gedaan" in again.content.decode()
    assert "DUO-123" in care.get("/verzuim/?status=gemeld").content.decode()


def test_rmc_follows_reports_of_the_region_but_does_not_mark_them(world):
    report = AbsenceReport.objects.get(student=world.students["t1"])
    rmc = client_for(world.users["rmc"])
    page = rmc.get("/verzuim/").content.decode()
    assert world.students["t1"].student_number in page
    assert 'name="reference"' not in page
    response = rmc.post(
        f"/verzuim/{report.pk}/gemeld/", {"reported_on": "2026-11-20", "reference": "x"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.reported_on is None


def test_people_without_absence_rights_see_no_reports(world):
    for who in ("municipal", "worker_p1", "admin", "care_l1"):
        page = client_for(world.users[who]).get("/verzuim/").content.decode()
        shown = world.students["t1"].student_number in page
        assert shown == (who == "care_l1"), who


def test_export_of_open_reports_is_logged(world):
    response = client_for(world.users["care_l1"]).get("/verzuim/export.csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("studentnummer;naam;geboortedatum;school;")
    assert world.students["t1"].student_number in body
    assert AccessLogEntry.objects.filter(action="export", part="absence").exists()


def test_worklist_queries_do_not_grow_with_reports(world):
    care = client_for(world.users["care_l1"])
    with CaptureQueriesContext(connection) as before:
        care.get("/verzuim/")
    t1, t2 = world.students["t1"], world.students["t2"]
    today = timezone.localdate()
    for n in range(1, 15):
        AbsenceReport.objects.create(
            student=t2 if n % 2 else t1,
            kind="16_in_4",
            start_date=today - timedelta(days=140 + n),
            threshold_on=today - timedelta(days=100 + n),
            end_date=today - timedelta(days=100 + n),
            unauthorised_hours=16,
            rules_version="2026.1",
        )
    with CaptureQueriesContext(connection) as after:
        care.get("/verzuim/")
    assert len(after) == len(before)
