"""Students and enrolments from the student information system over the API: an upsert by
institution and student number with the rules of the student file, all or nothing, the same
student again a no-op, the writes in the access log under the system's name, and every
refusal a Dutch problem+json answer with nothing saved."""

import json
import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.students.importer import FIELDS, student_batch_import, student_import
from schakelpunt.students.models import Student

BATCH = "/api/v1/students/batch"
HEADER = (
    "studentnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;bsn;email;postcode;locatie;"
    "crebo;leerweg;startdatum;uitschrijfdatum;vooropleiding;startkwalificatie;"
    "startkwalificatie_datum\n"
)


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    roc = OrganisationFactory(name="ROC Import")
    location = LocationFactory(institution=roc, name="Enschede")
    ProgrammeFactory(team=ProgrammeTeamFactory(location=location), crebo="25901", pathway="BOL")
    admin = UserFactory(email="beheer@roc.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    return roc, admin


def system(organisation, scopes=("students:write",)) -> tuple[Client, Any]:  # type: ignore[no-untyped-def]
    issued = api_client_create(
        actor=None,
        organisation=organisation,
        name="Osiris",
        scopes=list(scopes),
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}"), issued.client


def sanne(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "firstName": "Sanne",
        "namePrefix": "van der",
        "lastName": "Berg",
        "dateOfBirth": "2008-03-12",
        "bsn": "111222333",
        "email": "Sanne@Example.nl",
        "postcode": "7511 AB",
        "location": "Enschede",
        "crebo": "25901",
        "pathway": "BOL",
        "enrolledOn": "2025-09-01",
        "priorEducation": "vmbo",
        "hasBasicQualification": False,
    }
    values.update(changes)
    return values


# The same student as a file row (the header above).
SANNE_ROW = (
    "100;Sanne;van der;Berg;2008-03-12;111222333;Sanne@Example.nl;7511 AB;Enschede;25901;BOL;"
    "2025-09-01;;vmbo;nee;"
)


def post(client: Client, body: Any) -> Any:
    return client.post(BATCH, data=json.dumps(body), content_type="application/json")


def one(client: Client, number: str, body: dict[str, Any]) -> Any:
    """One student, as a system sends one: a batch of one (no student number in a URL)."""
    student = dict(body)
    envelope = {"institution": student.pop("institution")} if "institution" in student else {}
    return post(client, {**envelope, "students": [{"studentNumber": number, **student}]})


def result(response: Any) -> str:
    """What a batch of one did to its student: created, updated or unchanged."""
    assert response.status_code == 200, response.content
    counts: dict[str, int] = response.json()
    assert sum(counts.values()) == 1, counts
    return next(name for name, count in counts.items() if count)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def params(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["name"], p["reason"]) for p in body["invalidParams"]]


def stored(number: str) -> dict[str, Any]:
    return Student.objects.filter(student_number=number).values(*FIELDS).get()


def test_one_student_is_created_then_the_same_again_changes_nothing_then_updated(school):
    roc, _admin = school
    client, api_client = system(roc)
    created = one(client, "100", sanne())
    assert created.status_code == 200, created.content
    assert created.json() == {"created": 1, "updated": 0, "unchanged": 0}
    student = Student.objects.get(institution=roc, student_number="100")
    assert (student.full_name, student.email, student.programme.crebo) == (
        "Sanne van der Berg",
        "sanne@example.nl",
        "25901",
    )
    assert student.residence_municipality is not None
    assert student.residence_municipality.cbs_code == "GM0153"
    assert result(one(client, "100", sanne())) == "unchanged"
    assert result(one(client, "100", sanne(postcode="7551 AA", leftOn="2026-01-31"))) == "updated"
    student.refresh_from_db()
    assert (student.postcode, student.left_on) == ("7551 AA", date(2026, 1, 31))
    assert Student.objects.count() == 1
    # Created and updated: in the student's access log, under the system's name.
    logged = AccessLogEntry.objects.filter(student_id=student.pk, action="change")
    assert {e.part for e in logged} == {"identity", "contact", "enrolment"}
    assert {e.user_id for e in logged} == {api_client.user_id}
    assert all("Osiris" in e.user_display for e in logged)
    assert len({e.event_id for e in logged}) == 2  # created and updated; not the no-op


def test_the_api_and_the_file_store_the_same_student(school):
    roc, admin = school
    assert student_import(
        actor=admin, institution=roc, data=(HEADER + SANNE_ROW + "\n").encode()
    ).ok
    from_file = stored("100")
    client, _ = system(roc)
    assert result(one(client, "100", sanne())) == "unchanged"
    assert result(one(client, "101", sanne())) == "created"
    assert stored("101") == from_file


def test_a_date_the_care_team_recorded_stays_when_the_system_sends_none(school):
    roc, _admin = school
    client, _ = system(roc)
    assert result(one(client, "100", sanne())) == "created"
    Student.objects.filter(student_number="100").update(
        has_basic_qualification=True, basic_qualification_on=date(2025, 7, 1)
    )
    assert result(one(client, "100", sanne())) == "unchanged"
    assert stored("100")["basic_qualification_on"] == date(2025, 7, 1)


# One wrong value, as a file row and as an API field: the same rule, the same words.
SAME_RULES = [
    ({"bsn": "123456789"}, "bsn", "123456789"),
    ({"postcode": "12345"}, "postcode", "12345"),
    ({"location": "Hengelo"}, "location", "Hengelo"),
    ({"crebo": "99999"}, "crebo", "99999"),
    ({"email": "geen-adres"}, "email", "geen-adres"),
    ({"dateOfBirth": "2024-01-01"}, "dateOfBirth", "2024-01-01"),
    ({"leftOn": "2025-08-01"}, "leftOn", "2025-08-01"),
]
COLUMN_OF = {
    "bsn": 5,
    "email": 6,
    "postcode": 7,
    "location": 8,
    "crebo": 9,
    "dateOfBirth": 4,
    "leftOn": 12,
}


@pytest.mark.parametrize(("change", "field", "text"), SAME_RULES)
def test_a_wrong_value_is_refused_with_the_files_own_words(school, change, field, text):
    roc, admin = school
    cells = SANNE_ROW.split(";")
    cells[COLUMN_OF[field]] = text
    from_file = student_import(
        actor=admin, institution=roc, data=(HEADER + ";".join(cells) + "\n").encode()
    )
    client, _ = system(roc)
    body = problem(one(client, "100", sanne(**change)), 400)
    assert [f"Regel 2: {reason}" for _name, reason in params(body)] == [
        str(e) for e in from_file.errors
    ]
    assert {name for name, _reason in params(body)} == {f"students.0.{field}"}
    assert not Student.objects.exists()


def test_a_future_startkwalificatie_date_is_refused(school):
    roc, _admin = school
    client, _ = system(roc)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = problem(
        one(client, "100", sanne(hasBasicQualification=True, basicQualificationOn=tomorrow)), 400
    )
    assert params(body)[0][0] == "students.0.basicQualificationOn"
    assert "ligt in de toekomst" in params(body)[0][1]


def test_a_batch_is_all_or_nothing_and_counts_what_it_did(school):
    roc, _admin = school
    client, _ = system(roc)
    assert result(one(client, "100", sanne())) == "created"
    batch = [
        {"studentNumber": "100", **sanne()},
        {"studentNumber": "101", **sanne(firstName="Daan", bsn="")},
    ]
    done = post(client, {"students": batch})
    assert done.status_code == 200, done.content
    assert done.json() == {"created": 1, "updated": 0, "unchanged": 1}
    batch.append({"studentNumber": "102", **sanne(postcode="kerk")})
    batch[1]["firstName"] = "Daniël"
    body = problem(post(client, {"students": batch}), 400)
    assert params(body) == [
        ("students.2.postcode", "postcode 'kerk' is geen Nederlandse postcode.")
    ]
    assert Student.objects.get(student_number="101").first_name == "Daan"
    assert not Student.objects.filter(student_number="102").exists()


def test_a_student_number_twice_in_a_batch_is_refused(school):
    roc, _admin = school
    client, _ = system(roc)
    twice = [{"studentNumber": "100", **sanne()}, {"studentNumber": "100", **sanne()}]
    body = problem(post(client, {"students": twice}), 400)
    assert params(body) == [
        ("students.1.studentNumber", "studentnummer 100 staat ook op #/students/0.")
    ]
    assert not Student.objects.exists()


def test_malformed_json_an_unknown_field_and_a_missing_one_save_nothing(school):
    roc, _admin = school
    client, _ = system(roc)
    broken = client.post(BATCH, data='{"students": [{"firstN', content_type="application/json")
    assert "geen geldige JSON" in problem(broken, 400)["detail"]
    typo = sanne()
    typo["geboortedatum"] = typo.pop("dateOfBirth")
    body = problem(one(client, "100", typo), 400)
    assert dict(params(body)) == {
        "students.0.geboortedatum": "Dit veld bestaat niet (of kan niet worden gezet)."
    }
    missing = sanne()
    del missing["lastName"]
    assert params(problem(one(client, "100", missing), 400)) == [
        ("students.0.lastName", "Dit veld is vereist.")
    ]
    unknown_around = problem(post(client, {"student": [{"studentNumber": "100", **sanne()}]}), 400)
    assert "student" in dict(params(unknown_around))
    assert not Student.objects.exists()


def test_a_body_larger_than_the_installation_takes_is_refused_naming_the_limit(school, settings):
    roc, _admin = school
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    client, _ = system(roc)
    many = [{"studentNumber": str(100 + n), **sanne()} for n in range(10)]
    body = problem(post(client, {"students": many}), 413)
    assert "neemt hoogstens 0.0 MB per aanvraag aan" in body["detail"]
    assert body["detail"].endswith("Stuur de studenten in leveringen van hoogstens 3000.")
    assert not Student.objects.exists()


def test_a_token_without_the_students_scope_is_refused(school):
    roc, _admin = school
    client, _ = system(roc, scopes=("absence:write",))
    problem(one(client, "100", sanne()), 403)
    assert not Student.objects.exists()


def test_a_system_of_another_institution_never_writes_here(school):
    roc, _admin = school
    other = OrganisationFactory(name="ROC Anders")
    client, _ = system(other)
    refused = problem(one(client, "100", {**sanne(), "institution": roc.pk}), 403)
    assert refused["detail"] == "Een koppeling levert alleen aan voor de eigen instelling."
    # Without naming one it writes into its own, where this location does not exist.
    own = problem(one(client, "100", sanne()), 400)
    assert params(own)[0][0] == "students.0.location"
    assert not Student.objects.exists()


def test_a_person_names_the_institution_and_the_policy_decides(school):
    roc, admin = school
    session = Client()
    session.force_login(admin)
    assert params(problem(one(session, "100", sanne()), 400)) == [
        ("institution", "Kies de instelling.")
    ]
    assert result(one(session, "100", {**sanne(), "institution": roc.pk})) == "created"
    coach = UserFactory(email="coach@roc.nl")
    MembershipFactory(user=coach, organisation=roc, role=Role.COACH)
    session.force_login(coach)
    refused = problem(one(session, "101", {**sanne(), "institution": roc.pk}), 403)
    assert refused["detail"] == "U mag voor deze instelling geen studenten aanleveren."
    stranger = UserFactory(email="beheer@anders.nl")
    MembershipFactory(
        user=stranger,
        organisation=OrganisationFactory(name="ROC Anders"),
        role=Role.FUNCTIONAL_ADMIN,
    )
    session.force_login(stranger)
    problem(one(session, "101", {**sanne(), "institution": roc.pk}), 403)
    assert list(Student.objects.values_list("student_number", flat=True)) == ["100"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL connections")
def test_two_deliveries_of_the_same_new_student_at_once_make_one(refdata, school):
    """The second waits for the first and finds the student: no error, no second one.
    (`refdata` first: an earlier transactional test may have emptied the reference data.)"""
    roc, admin = school
    row = dict(zip(HEADER.strip().split(";"), SANNE_ROW.split(";"), strict=True))
    first_written = threading.Event()
    outcomes: dict[str, Any] = {}

    def deliver(name: str, linger: bool) -> None:
        try:
            if not linger:
                first_written.wait(10)
            with transaction.atomic():
                result = student_batch_import(
                    actor=admin, institution=roc, records=[row], name=str, path="t"
                )
                if linger:
                    first_written.set()
                    time.sleep(1.5)  # not committed yet while the second delivery runs
            outcomes[name] = (result.created, result.unchanged, result.errors)
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
    assert outcomes == {"first": (1, 0, []), "second": (0, 1, [])}
    assert Student.objects.count() == 1
