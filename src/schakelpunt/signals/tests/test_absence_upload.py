"""Absence files through the screen: CSV and Excel, in the background, with progress."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from openpyxl import Workbook
from tests.world import client_for

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.signals.importer import absence_import, absence_import_job_run
from schakelpunt.signals.models import AbsenceImportJob, AbsenceRecord

from .test_absence import HEADER, MONDAY, row

EXCEL_DAY = datetime(2025, 9, 1)  # noqa: DTZ001 - Excel cells carry no time zone
COLUMNS = ["studentnummer", "datum", "geroosterde_uren", "afwezige_uren", "geoorloofd", "reden"]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_file_with_real_dates_and_numbers_is_read_like_csv(school):
    roc, admin, *_ = school
    data = workbook(
        [
            [200, EXCEL_DAY, 8, 4, "nee", "ongeoorloofd"],
            ["201", date(2025, 9, 1), 6.5, 6.5, "ja", "Ziek"],
        ]
    )
    result = absence_import(actor=admin, institution=roc, data=data)
    assert (result.ok, result.created) == (True, 2), result.errors
    days = dict(AbsenceRecord.objects.values_list("student__student_number", "absent_hours"))
    assert days == {"200": 4, "201": 6.5}
    again = absence_import(actor=admin, institution=roc, data=data)
    assert (again.created, again.unchanged) == (0, 2)


def test_bad_excel_row_names_its_line_and_changes_nothing(school):
    roc, admin, *_ = school
    data = workbook(
        [
            [200, EXCEL_DAY, 8, 4, "nee", "ongeoorloofd"],
            [200, "gisteren", 8, 4, "nee", "ongeoorloofd"],
        ]
    )
    result = absence_import(actor=admin, institution=roc, data=data)
    assert result.errors == [
        "Regel 3: datum 'gisteren' is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ)."
    ]
    assert not AbsenceRecord.objects.exists()


def test_a_broken_excel_file_is_refused_with_a_dutch_message(school):
    roc, admin, *_ = school
    data = workbook([[200, EXCEL_DAY, 8, 4, "nee", "ongeoorloofd"]])[:300]
    result = absence_import(actor=admin, institution=roc, data=data)
    assert result.errors == [
        "Het Excel-bestand kan niet worden gelezen. Sla het opnieuw op als .xlsx."
    ]


def test_progress_is_reported_while_checking_and_saving(school, monkeypatch):
    roc, admin, *_ = school
    monkeypatch.setattr("schakelpunt.signals.importer.PROGRESS_EVERY", 10)
    monkeypatch.setattr("schakelpunt.core.bulk.BATCH", 20)
    days = [MONDAY + timedelta(days=i) for i in range(50)]
    seen: list[tuple[str, int, int]] = []
    result = absence_import(
        actor=admin,
        institution=roc,
        data=(HEADER + "".join(row("200", d, 1) for d in days)).encode(),
        progress=lambda *p: seen.append(p),
    )
    assert result.created == 50
    checks = [p for p in seen if p[0] == "check"]
    # Data rows, not file lines: 50 rows under a header, with a trailing newline.
    assert checks == [("check", n, 50) for n in (10, 20, 30, 40, 50, 50)]
    assert [p for p in seen if p[0] == "save"] == [
        ("save", 20, 50),
        ("save", 40, 50),
        ("save", 50, 50),
    ]


def test_progress_counts_data_rows_in_excel_and_with_blank_lines_in_csv(school, monkeypatch):
    """Found: "60458 van 60458 regels" for 60,456 rows (the header and the last newline
    counted). An import of N rows says N van N, in CSV and Excel alike."""
    roc, admin, *_ = school
    monkeypatch.setattr("schakelpunt.signals.importer.PROGRESS_EVERY", 10)
    days = [MONDAY + timedelta(days=i) for i in range(25)]
    seen: list[tuple[str, int, int]] = []
    csv_rows = [row("200", d, 1) for d in days]
    csv_rows.insert(12, "\n")  # a blank line in between is not a row
    data = (HEADER + "".join(csv_rows) + "\n").encode()
    absence_import(actor=admin, institution=roc, data=data, progress=lambda *p: seen.append(p))
    assert [p for p in seen if p[0] == "check"] == [
        ("check", 10, 25),
        ("check", 20, 25),
        ("check", 25, 25),
    ]
    seen.clear()
    book = workbook([[201, EXCEL_DAY + timedelta(days=i), 8, 1, "ja", "ziek"] for i in range(25)])
    absence_import(actor=admin, institution=roc, data=book, progress=lambda *p: seen.append(p))
    assert [p for p in seen if p[0] == "check"][-1] == ("check", 25, 25)
    assert all(total == 25 for phase, _, total in seen if phase == "check")


def upload(client, name: str, data: bytes, capture):  # type: ignore[no-untyped-def]
    """Post a file; the background import runs when the request's transaction commits."""
    file = io.BytesIO(data)
    file.name = name
    with capture(execute=True):
        response = client.post(reverse("signals:import"), {"file": file})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_attendance_coordinator_uploads_and_sees_the_result(
    school, officer, django_capture_on_commit_callbacks
):
    client = client_for(officer)
    page = client.get(reverse("signals:import"))
    assert "Verzuimbestand (CSV of Excel)" in page.content.decode()
    text = upload(
        client,
        "verzuim-sept.xlsx",
        workbook([[200, EXCEL_DAY, 8, 4, "nee", "ongeoorloofd"]]),
        django_capture_on_commit_callbacks,
    )
    assert "Verzuim inlezen: verzuim-sept.xlsx" in text
    assert "Ingelezen: 1 nieuw, 0 vervangen, 0 ongewijzigd." in text
    job = AbsenceImportJob.objects.get()
    assert bytes(job.data) == b""  # the file is not kept once read
    # Someone else cannot follow this upload.
    other = UserFactory()
    MembershipFactory(user=other, organisation=school[0], role=Role.ABSENCE_OFFICER)
    assert client_for(other).get(reverse("signals:import_job", args=[job.pk])).status_code == 404


def test_upload_with_errors_lists_them_and_saves_nothing(
    school, officer, django_capture_on_commit_callbacks
):
    text = upload(
        client_for(officer),
        "verzuim.csv",
        (HEADER + "999;2025-09-01;8;4;nee;ongeoorloofd\n").encode(),
        django_capture_on_commit_callbacks,
    )
    assert "Niets ingelezen: 1 fout" in text
    assert "Regel 2: studentnummer &#x27;999&#x27; is onbekend bij deze instelling." in text
    assert not AbsenceRecord.objects.exists()


def test_unfinished_job_keeps_polling_and_shows_progress(school, officer):
    roc, *_ = school
    job = AbsenceImportJob.objects.create(
        institution=roc,
        uploaded_by=officer,
        filename="groot.csv",
        status="check",
        done=250_000,
        total=1_000_000,
    )
    fragment = client_for(officer).get(
        reverse("signals:import_job", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    text = fragment.content.decode()
    assert "Regels controleren: 250000 van 1000000 regels" in text
    assert 'value="25"' in text and 'hx-trigger="every 1s"' in text


def test_only_the_school_may_upload_absence(school, officer):
    roc, *_ = school
    coach = UserFactory()
    MembershipFactory(user=coach, organisation=roc, role=Role.CARE_COORDINATOR)
    assert client_for(coach).get(reverse("signals:import")).status_code == 404


def test_a_crash_in_the_worker_ends_the_job_with_a_message_not_endless_progress(
    school, officer, monkeypatch
):
    roc, *_ = school
    job = AbsenceImportJob.objects.create(
        institution=roc, uploaded_by=officer, filename="verzuim.csv", data=b"x"
    )

    def broken(**_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr("schakelpunt.signals.importer.absence_import", broken)
    with pytest.raises(RuntimeError):
        absence_import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.finished
    assert job.errors[0].startswith("Er ging iets mis bij het inlezen; er is niets opgeslagen.")
    assert bytes(job.data) == b""


def test_after_an_import_only_who_may_open_the_worklist_gets_a_link_to_it(
    school, officer, django_capture_on_commit_callbacks
):
    _roc, admin, *_ = school
    file = workbook([[200, EXCEL_DAY, 8, 4, "nee", "ongeoorloofd"]])
    worklist = f'href="{reverse("signals:worklist")}"'
    # The functional administrator imports but sees no student file: no link to a 404.
    admin_client = client_for(admin)
    text = upload(admin_client, "verzuim.xlsx", file, django_capture_on_commit_callbacks)
    assert "Ingelezen: 1 nieuw" in text
    assert worklist not in text
    assert "als functioneel beheerder ziet u geen studentdossiers" in text
    assert admin_client.get(reverse("signals:worklist")).status_code == 404
    # The attendance coordinator follows the link to the reports.
    officer_client = client_for(officer)
    text = upload(officer_client, "verzuim.xlsx", file, django_capture_on_commit_callbacks)
    assert worklist in text
    assert officer_client.get(reverse("signals:worklist")).status_code == 200


def test_a_finished_job_keeps_the_number_of_rows_it_saved(school):
    """Found by the load test: a done job said "0 van 0 regels" (the step that computes the
    signals afterwards reset the counts), so nobody could see from the job what it saved."""
    roc, admin, *_ = school
    data = (HEADER + "".join(row("200", MONDAY + timedelta(days=i), 1) for i in range(5))).encode()
    job = AbsenceImportJob.objects.create(
        institution=roc, uploaded_by=admin, filename="verzuim.csv", data=data
    )
    absence_import_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.done, job.total) == ("done", 5, 5, 5)
