"""Absence days from the school's student information system over the API: the rules of the
absence file, all or nothing, the same batch again a no-op, large batches in the background
with a job resource, problem+json in Dutch for every refusal, and nothing saved then."""

import json
import threading
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from schakelpunt.signals.importer import absence_batch_import, absence_import, day_cells
from schakelpunt.signals.models import (
    AbsenceImportJob,
    AbsenceRecord,
    AbsenceReport,
    Concern,
    EarlyWarning,
)

from .test_absence import HEADER, MONDAY

URL = "/api/v1/absence/batches"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def system(organisation, scopes=("absence:write",)) -> tuple[Client, Any]:  # type: ignore[no-untyped-def]
    issued = api_client_create(
        actor=None,
        organisation=organisation,
        name="EduArte",
        scopes=list(scopes),
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}"), issued.client


def day(number: str = "200", on: date = MONDAY, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "studentNumber": number,
        "date": on.isoformat(),
        "scheduledHours": 8,
        "absentHours": 4,
        "authorised": False,
        "reason": "unauthorised",
    }
    values.update(changes)
    return values


def post(client: Client, body: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def params(body: dict[str, Any]) -> list[dict[str, str]]:
    """The wrong values a 400 names, without their codes."""
    return [{"name": p["name"], "reason": p["reason"]} for p in body["invalidParams"]]


def test_a_batch_is_imported_and_the_same_batch_again_changes_nothing(school):
    roc, _admin, minor, adult = school
    client, api_client = system(roc)
    days = [day("200"), day("201", absentHours=6.5, authorised=True, reason="illness")]
    first = post(client, {"days": days})
    assert first.status_code == 200, first.content
    assert first.json() == {"created": 2, "replaced": 0, "unchanged": 0}
    stored = dict(AbsenceRecord.objects.values_list("student__student_number", "absent_hours"))
    assert stored == {"200": Decimal(4), "201": Decimal("6.5")}
    ids = sorted(AbsenceRecord.objects.values_list("pk", flat=True))
    again = post(client, {"days": days})
    assert again.json() == {"created": 0, "replaced": 0, "unchanged": 2}
    assert sorted(AbsenceRecord.objects.values_list("pk", flat=True)) == ids
    # A later delivery of a day replaces it.
    later = post(client, {"days": [day("200", absentHours=8)]})
    assert later.json() == {"created": 0, "replaced": 1, "unchanged": 0}
    # Who changed whose absence: the system, by name, in the students' access log.
    logged = AccessLogEntry.objects.filter(action="change", part="absence")
    assert {e.student_id for e in logged} == {minor.pk, adult.pk}
    assert {e.user_id for e in logged} == {api_client.user_id}
    assert all("EduArte" in e.user_display for e in logged)
    assert logged.filter(student_id=minor.pk).count() == 2  # created, then replaced; not the no-op


def test_one_bad_day_saves_nothing_and_names_the_day_and_field_in_dutch(school):
    roc, *_ = school
    client, _ = system(roc)
    response = post(
        client,
        {"days": [day("200"), day("201", absentHours=9), day("999", on=MONDAY)]},
    )
    body = assert_problem(response, 400)
    assert "niets opgeslagen" in body["detail"]
    assert params(body) == [
        {"name": "days.1.absentHours", "reason": "afwezige_uren is meer dan geroosterde_uren"},
        {
            "name": "days.2.studentNumber",
            "reason": "studentnummer '999' is onbekend bij deze instelling",
        },
    ]
    assert not AbsenceRecord.objects.exists()


# The same day as a file row and as an API day, each breaking one rule of the file.
SAME_RULES = [
    ("999;2025-09-01;8;4;nee;ongeoorloofd", day("999")),
    ("200;2025-09-01;25;4;nee;ongeoorloofd", day(scheduledHours=25)),
    ("200;2025-09-01;8;-1;nee;ongeoorloofd", day(absentHours=-1)),
    ("200;2025-09-01;8;9;nee;ongeoorloofd", day(absentHours=9)),
    ("200;2025-09-01;8;4;ja;ongeoorloofd", day(authorised=True)),
    ("200;2025-09-01;8;4;nee;ziek", day(reason="illness")),
]


@pytest.mark.parametrize(("file_row", "api_day"), SAME_RULES)
def test_the_api_refuses_a_day_with_the_files_own_words(school, file_row, api_day):
    roc, admin, *_ = school
    from_file = absence_import(actor=admin, institution=roc, data=f"{HEADER}{file_row}\n".encode())
    client, _ = system(roc)
    body = assert_problem(post(client, {"days": [api_day]}), 400)
    assert from_file.errors == [
        "Regel 2: " + "; ".join(p["reason"] for p in body["invalidParams"]) + "."
    ]
    assert not AbsenceRecord.objects.exists()


def test_the_same_student_and_day_twice_in_a_batch_is_refused(school):
    roc, *_ = school
    client, _ = system(roc)
    body = assert_problem(post(client, {"days": [day(), day(absentHours=2)]}), 400)
    assert params(body) == [
        {"name": "days.1.date", "reason": "dezelfde student en datum staan ook op #/days/0"}
    ]


def test_a_large_batch_goes_to_the_worker_with_a_job_to_follow(
    school, monkeypatch, django_capture_on_commit_callbacks
):
    roc, *_ = school
    monkeypatch.setattr("schakelpunt.signals.api.IN_REQUEST", 3)
    client, api_client = system(roc)
    days = [day(n, MONDAY + timedelta(days=i)) for i in range(3) for n in ("200", "201")]
    with django_capture_on_commit_callbacks(execute=True):
        accepted = post(client, {"days": days})
    assert accepted.status_code == 202, accepted.content
    job = AbsenceImportJob.objects.get()
    assert accepted["Location"] == f"/api/v1/absence/batches/{job.pk}"
    assert (accepted.json()["status"], accepted.json()["total"]) == ("queued", 6)
    assert job.uploaded_by_id == api_client.user_id
    followed = client.get(accepted["Location"]).json()
    assert (followed["status"], followed["created"], followed["errors"]) == ("done", 6, [])
    assert AbsenceRecord.objects.count() == 6
    with django_capture_on_commit_callbacks(execute=True):
        again = post(client, {"days": days})
    followed = client.get(again["Location"]).json()
    assert (followed["created"], followed["replaced"], followed["unchanged"]) == (0, 0, 6)


@pytest.mark.parametrize("size", ["small", "large"])
def test_new_absence_brings_reports_and_early_warnings_up_to_date_at_once(
    school, officer, monkeypatch, time_machine, django_capture_on_commit_callbacks, size
):
    """The school's system sends four days the student was absent all day: the 16-hour
    report and the early warning (with its signal in the triage queue) are there right
    after the delivery, not the next morning, for a small batch as for a large one."""
    roc, _admin, minor, adult = school
    friday = date(2025, 11, 28)
    time_machine.move_to(datetime(2025, 11, 28, 14, 0, tzinfo=AMSTERDAM), tick=False)
    if size == "large":
        monkeypatch.setattr("schakelpunt.signals.api.IN_REQUEST", 3)
    client, _ = system(roc)
    days = [
        day("200", friday - timedelta(days=back), scheduledHours=6, absentHours=6)
        for back in range(4)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, {"days": days})
    assert answer.status_code == (200 if size == "small" else 202), answer.content
    assert AbsenceReport.objects.filter(student=minor, kind="16_in_4").exists()
    warning = EarlyWarning.objects.get(student=minor)
    assert warning.flagged
    assert "consecutive_days" in {f["code"] for f in warning.factors}
    assert Concern.objects.filter(student=minor).count() == 1
    assert not AbsenceReport.objects.filter(student=adult).exists()
    # The same days again change nothing, and leave the signal as it is.
    with django_capture_on_commit_callbacks(execute=True):
        post(client, {"days": days})
    assert Concern.objects.filter(student=minor).count() == 1


def test_a_large_batch_with_one_bad_day_is_refused_at_once_and_queues_nothing(school, monkeypatch):
    roc, *_ = school
    monkeypatch.setattr("schakelpunt.signals.api.IN_REQUEST", 3)
    client, _ = system(roc)
    days = [day("200", MONDAY + timedelta(days=i)) for i in range(5)]
    days[3]["reason"] = "illness"
    body = assert_problem(post(client, {"days": days}), 400)
    assert params(body) == [
        {"name": "days.3.authorised", "reason": "geoorloofd en reden spreken elkaar tegen"}
    ]
    assert not AbsenceImportJob.objects.exists()
    assert not AbsenceRecord.objects.exists()


def test_only_who_delivered_a_batch_reads_its_job(school, monkeypatch):
    roc, _admin, *_ = school
    monkeypatch.setattr("schakelpunt.signals.api.IN_REQUEST", 0)
    client, _ = system(roc)
    location = post(client, {"days": [day()]})["Location"]
    other, _ = system(roc)
    assert_problem(other.get(location), 404)
    assert_problem(client.get("/api/v1/absence/batches/999999"), 404)
    assert_problem(client.get("/api/v1/absence/batches/99999999999999999999"), 404)
    huge = assert_problem(post(client, {"institution": 10**20, "days": [day()]}), 400)
    assert huge["invalidParams"][0]["name"] == "institution"


def test_malformed_json_is_a_dutch_problem_and_saves_nothing(school):
    roc, *_ = school
    client, _ = system(roc)
    response = client.post(URL, data='{"days": [', content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    not_json = client.post(URL, data="studentnummer;datum", content_type="text/csv")
    assert_problem(not_json, 415)
    assert not AbsenceRecord.objects.exists()


def test_an_unknown_or_missing_field_is_refused_and_nothing_is_saved(school):
    roc, *_ = school
    client, _ = system(roc)
    typo = day()
    typo["hours"] = typo.pop("absentHours")
    body = assert_problem(post(client, {"days": [day("201"), typo]}), 400)
    assert {p["name"] for p in body["invalidParams"]} == {"days.1.hours"}
    assert body["invalidParams"][0]["reason"] == "Dit veld bestaat niet (of kan niet worden gezet)."
    missing = day()
    del missing["authorised"]
    body = assert_problem(post(client, {"days": [missing]}), 400)
    assert params(body) == [{"name": "days.0.authorised", "reason": "Dit veld is vereist."}]
    extra = assert_problem(post(client, {"days": [day()], "dagen": []}), 400)
    assert extra["invalidParams"][0]["name"] == "dagen"
    assert not AbsenceRecord.objects.exists()


def test_a_body_larger_than_the_installation_takes_is_refused_naming_the_limit(school, settings):
    roc, *_ = school
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    client, _ = system(roc)
    days = [day("200", MONDAY + timedelta(days=i)) for i in range(9_000)]
    body = assert_problem(post(client, {"days": days}), 413)
    assert body["detail"].startswith("De aanvraag is 1.2 MB; deze installatie neemt hoogstens")
    assert body["detail"].endswith("Stuur de dagen in leveringen van hoogstens 10000 dagen.")
    assert not AbsenceRecord.objects.exists()
    assert not AbsenceImportJob.objects.exists()


def test_a_token_without_the_absence_scope_is_refused(school):
    roc, *_ = school
    client, _ = system(roc, scopes=("students:write",))
    body = assert_problem(post(client, {"days": [day()]}), 403)
    assert body["detail"] == "Deze koppeling heeft het recht voor deze aanvraag niet."
    assert not AbsenceRecord.objects.exists()


def test_a_system_of_another_institution_cannot_write_here(school):
    roc, *_ = school
    elsewhere, _ = system(OrganisationFactory(name="ROC Anders"))
    refused = assert_problem(post(elsewhere, {"institution": roc.pk, "days": [day()]}), 403)
    assert refused["detail"] == "Een koppeling levert alleen aan voor de eigen instelling."
    # Without naming it, its own institution is meant: these students are unknown there.
    unknown = assert_problem(post(elsewhere, {"days": [day()]}), 400)
    assert unknown["invalidParams"][0]["name"] == "days.0.studentNumber"
    assert not AbsenceRecord.objects.exists()


def test_a_person_names_the_institution_and_the_policy_decides(school, officer):
    roc, _admin, *_ = school
    session = Client()
    session.force_login(officer)
    must_choose = assert_problem(post(session, {"days": [day()]}), 400)
    assert params(must_choose) == [{"name": "institution", "reason": "Kies de instelling."}]
    done = post(session, {"institution": roc.pk, "days": [day()]})
    assert done.json() == {"created": 1, "replaced": 0, "unchanged": 0}
    other_school = OrganisationFactory(name="ROC Anders")
    stranger = UserFactory(email="beheer@anders.nl")
    MembershipFactory(user=stranger, organisation=other_school, role=Role.FUNCTIONAL_ADMIN)
    session.force_login(stranger)
    refused = assert_problem(post(session, {"institution": roc.pk, "days": [day("201")]}), 403)
    assert refused["detail"] == "U mag voor deze instelling geen verzuim aanleveren."
    assert_problem(post(session, {"institution": 999999, "days": [day("201")]}), 403)
    assert AbsenceRecord.objects.count() == 1


def test_the_file_import_records_whose_absence_it_changed_as_well(school):
    roc, admin, minor, _adult = school
    absence_import(
        actor=admin, institution=roc, data=f"{HEADER}200;2025-09-01;8;4;nee;ongeoorloofd\n".encode()
    )
    entry = AccessLogEntry.objects.get(action="change", part="absence")
    assert (entry.student_id, entry.user_id) == (minor.pk, admin.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL connections")
def test_two_deliveries_of_the_same_new_days_at_once_both_succeed(school):
    """The second waits for the first and finds its days: no error, nothing twice."""
    roc, admin, *_ = school
    days = [
        day_cells(
            student_number=number,
            day=MONDAY,
            scheduled=Decimal(8),
            absent=Decimal(4),
            authorised=False,
            reason="unauthorised",
        )
        for number in ("200", "201")
    ]
    first_written = threading.Event()
    outcomes: dict[str, Any] = {}

    def deliver(name: str, linger: bool) -> None:
        try:
            if not linger:
                first_written.wait(10)
            with transaction.atomic():
                result = absence_batch_import(actor=admin, institution=roc, days=days, path="t")
                if linger:
                    first_written.set()
                    time.sleep(1.5)  # not committed yet while the second delivery runs
            outcomes[name] = (result.created, result.unchanged, result.problems)
        except Exception as error:
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=deliver, args=("first", True)),
        threading.Thread(target=deliver, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == {"first": (2, 0, []), "second": (0, 2, [])}
    assert AbsenceRecord.objects.count() == 2
