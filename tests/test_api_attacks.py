"""Attacks on /api/v1/ as an outsider and as each kind of caller (issue 18, review).

Each test plays one attacker and asserts what that attacker notices: a provider's system
that tries to learn a student's identity before the referral is accepted with consent, a
system of one organisation that reaches for another's referrals, students or absence jobs,
a token with the wrong scope on every operation of the published document, a token in the
wrong place or past its life, and a crawl of every read under each kind of system that
checks the access log. The document is walked, so an endpoint added later is attacked too.
"""

import hmac
import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from rest_framework.permissions import AllowAny

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.access.parts import Part
from schakelpunt.accounts.api_clients import (
    api_client_create,
    api_client_renew,
    api_client_revoke,
)
from schakelpunt.accounts.models import ApiClient, Organisation
from schakelpunt.accounts.scopes import SCOPES_BY_KIND, ApiScope
from schakelpunt.referrals.models import Consent, Referral, ReferralStatus
from schakelpunt.signals.importer import absence_batch_job_create, day_cells
from schakelpunt.signals.models import AbsenceImportJob
from schakelpunt.students.models import Student
from tests.world import World, client_for

API = "/api/v1"
METHODS = ("get", "put", "post", "patch", "delete")


# --- Callers -------------------------------------------------------------------------------


def _org(world: World, user_key: str) -> Organisation:
    return world.users[user_key].memberships.get().organisation


def _system(org: Organisation, scopes: list[str], name: str = "Systeem") -> tuple[Client, Any]:
    issued = api_client_create(
        actor=None,
        organisation=org,
        name=name,
        scopes=scopes,
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return _bearer(issued.token), issued


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


def _post(client: Client, url: str, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def _one_student(client: Client, number: str, body: dict[str, Any]) -> Any:
    """One student as a system sends one: a batch of one, no student number in the URL."""
    student = dict(body)
    envelope = {"institution": student.pop("institution")} if "institution" in student else {}
    return _post(
        client,
        f"{API}/students/batch",
        {**envelope, "students": [{**student, "studentNumber": number}]},
    )


# --- What identifies a student ---------------------------------------------------------------


def _markers(student: Student) -> dict[str, re.Pattern[str]]:
    """What would give the student away, each matched as a whole word or number."""
    values = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "preferred_name": student.preferred_name,
        "student_number": student.student_number,
        "bsn": student.bsn,
        "email": student.email,
        "phone": student.phone,
        "date_of_birth": student.date_of_birth.isoformat() if student.date_of_birth else "",
        "date_of_birth_nl": f"{student.date_of_birth:%d-%m-%Y}" if student.date_of_birth else "",
    }
    return {
        label: re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])", re.IGNORECASE)
        for label, value in values.items()
        if value and len(value) >= 3
    }


def _answer_text(response: Any) -> str:
    """Everything the caller receives: status line, headers and body."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return f"{response.status_code}\n{headers}\n{response.content.decode(errors='replace')}"


def _leaks(response: Any, students: dict[str, Student]) -> list[str]:
    text = _answer_text(response)
    return [
        f"{key}.{label}"
        for key, student in students.items()
        for label, pattern in _markers(student).items()
        if pattern.search(text)
    ]


def _without_instance(response: Any) -> dict[str, Any]:
    body = dict(response.json())
    body.pop("instance", None)
    return body


# --- The document, walked ------------------------------------------------------------------


def _operations(client: Client | None = None) -> list[tuple[str, str]]:
    document = (client or Client()).get(f"{API}/openapi.json").json()
    return [
        (path, method)
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def _fill(path: str, values: dict[str, str]) -> str:
    """The path with real ids: `values` by parameter name, or by the path's first segment
    (`referrals`, `students`, `services`, `absence`) for a parameter called id."""
    first = path.strip("/").split("/")[0]

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "id" and first in values:
            return values[first]
        return values.get(name, "1")

    return API + re.sub(r"\{([^}]+)\}", value, path)


def _required_scope(url: str, method: str) -> tuple[bool, str | None]:
    """(public, scope) of the view behind this URL and method, as api/permissions.py reads it."""
    match = resolve(url.split("?")[0])
    view = match.func
    cls = view.cls  # type: ignore[attr-defined]
    public = any(p is AllowAny for p in getattr(cls, "permission_classes", []))
    scopes = getattr(cls, "required_scopes", None)
    if isinstance(scopes, str):
        return public, scopes
    if isinstance(scopes, dict):
        actions = getattr(view, "actions", {}) or {}
        action = actions.get(method)
        return public, scopes.get(action) or scopes.get(method.upper())
    return public, None


def _call(client: Client, method: str, url: str) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, "{}", content_type="application/json")


# --- 1. No identity before acceptance with consent ----------------------------------------


def test_a_providers_system_learns_no_name_before_an_accepted_referral_with_consent(
    world: World,
) -> None:
    """List, detail, every step's answer, every refusal (400, 409, 404) and every header: the
    provider's system never meets the name, number, birth date or address of a student whose
    referral is not accepted, or is accepted without the student's consent."""
    p1 = _org(world, "worker_p1")
    quiet = world.students["t1"]  # referred to provider 1 now, no consent for it at all
    waiting = world.students["t2"]  # sent, with consent, not yet accepted
    quiet_referral = Referral.objects.create(
        student=quiet, to_organisation=p1, status=ReferralStatus.SENT, question="Vraag"
    )
    waiting_referral = Referral.objects.get(student=waiting)
    system, _issued = _system(p1, ["referrals:read", "referrals:write"])
    base = f"{API}/referrals/{quiet_referral.pk}"
    answers: list[tuple[str, Any]] = []

    def seen(label: str, response: Any) -> Any:
        answers.append((label, response))
        return response

    seen("list", system.get(f"{API}/referrals"))
    seen("list page 2", system.get(f"{API}/referrals?pageSize=1&page=2"))
    seen("list page 99", system.get(f"{API}/referrals?pageSize=1&page=99"))
    seen("detail quiet", system.get(base))
    seen("detail waiting", system.get(f"{API}/referrals/{waiting_referral.pk}"))
    seen("head", system.head(base))
    seen("options", system.options(base))
    seen("accept before receive", _post(system, f"{base}/accept", {}))  # allowed or 409
    seen("stale version", _post(system, f"{base}/receive", {"version": 999}))
    seen("malformed", _post(system, f"{base}/receive", "{not json"))
    seen("unknown field", _post(system, f"{base}/receive", {"studentNumber": "1"}))
    seen("help before contact", _post(system, f"{base}/help-started", {}))
    seen("contact in future", _post(system, f"{base}/first-contact", {"date": "2999-01-01"}))
    seen("contact not a date", _post(system, f"{base}/first-contact", {"date": "morgen"}))
    seen("end without outcome", _post(system, f"{base}/end", {}))
    seen("advice", _post(system, f"{base}/advice", {"text": "Advies"}))
    seen("first contact", _post(system, f"{base}/first-contact", {}))
    seen("decline after", _post(system, f"{base}/decline", {"reason": "Nee"}))
    seen("receive waiting", _post(system, f"{API}/referrals/{waiting_referral.pk}/receive", {}))
    seen("detail quiet after", system.get(base))
    seen("list after", system.get(f"{API}/referrals"))

    quiet_referral.refresh_from_db()
    assert quiet_referral.status == ReferralStatus.FIRST_CONTACT  # the steps themselves worked
    students = {"quiet": quiet, "waiting": waiting}
    leaks = {label: found for label, r in answers if (found := _leaks(r, students))}
    assert leaks == {}
    for label, response in answers:
        if response.content and response.get("Content-Type") == "application/json":
            body = response.json()
            rows = body.get("results", [body]) if isinstance(body, dict) else body
            for row in rows:
                if row.get("id") in {quiet_referral.pk, waiting_referral.pk}:
                    assert row["student"] is None, label


# --- 2. Another organisation's referrals, students and jobs ---------------------------------


def test_another_providers_system_cannot_tell_a_foreign_referral_from_none(
    world: World,
) -> None:
    p2 = _org(world, "worker_p2")
    system, _issued = _system(p2, ["referrals:read", "referrals:write"])
    foreign = list(Referral.objects.filter(to_organisation=_org(world, "worker_p1")))
    assert foreign
    missing_id = max(r.pk for r in Referral.objects.all()) + 1000
    before = {r.pk: (r.status, r.version) for r in foreign}
    assert system.get(f"{API}/referrals").json()["results"] == []
    steps = {
        "": None,
        "/receive": {},
        "/accept": {},
        "/decline": {"reason": "Nee"},
        "/first-contact": {},
        "/help-started": {},
        "/end": {"outcome": "successful"},
        "/advice": {"text": "Advies"},
    }
    for referral in foreign:
        for step, body in steps.items():

            def ask(pk: int, step: str = step, body: Any = body) -> Any:
                url = f"{API}/referrals/{pk}{step}"
                return system.get(url) if body is None else _post(system, url, body)

            answer, unknown = ask(referral.pk), ask(missing_id)
            assert answer.status_code == unknown.status_code == 404, (step, answer.content)
            assert _without_instance(answer) == _without_instance(unknown)
    after = {r.pk: (r.status, r.version) for r in Referral.objects.filter(pk__in=before)}
    assert after == before


def _roc2_student_body(world: World, **extra: Any) -> dict[str, Any]:
    other = world.students["other"]
    return {
        "firstName": "Nieuw",
        "lastName": "Instroom",
        "dateOfBirth": (timezone.localdate() - timedelta(days=17 * 365)).isoformat(),
        "postcode": "7511 AB",
        "location": other.location.name,
        "crebo": other.programme.crebo,
        "pathway": other.programme.pathway,
        "enrolledOn": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "priorEducation": "vmbo",
        **extra,
    }


def test_a_schools_system_cannot_write_into_or_probe_another_institution(world: World) -> None:
    """ROC Twee's system uses ROC Een's student numbers and ROC Een's id: ROC Een's students
    stay as they are, and each answer is the one an unknown number or id gets."""
    roc1, roc2 = _org(world, "coach"), world.students["other"].institution
    anna = world.students["t1"]  # of ROC Een
    system, _issued = _system(roc2, ["students:write", "absence:write", "programmes:write"])

    # ROC Een's number: a new student of ROC Twee, exactly as a number nobody has.
    taken = _one_student(system, anna.student_number, _roc2_student_body(world))
    fresh = _one_student(system, "NIEUW-1", _roc2_student_body(world))
    assert taken.status_code == fresh.status_code == 200, taken.content
    assert taken.json() == fresh.json() == {"created": 1, "updated": 0, "unchanged": 0}
    anna.refresh_from_db()
    assert (anna.first_name, anna.institution_id) == ("Anna", roc1.pk)
    assert Student.objects.filter(student_number=anna.student_number).count() == 2

    # Naming ROC Een (or an id that does not exist): refused alike, nothing written.
    body = _roc2_student_body(world)
    into_roc1 = _one_student(system, anna.student_number, {**body, "institution": roc1.pk})
    into_none = _one_student(system, anna.student_number, {**body, "institution": 987654})
    assert into_roc1.status_code == into_none.status_code == 403
    assert _without_instance(into_roc1) == _without_instance(into_none)
    for path, body in [
        ("/students/batch", {"students": [{**_roc2_student_body(world), "studentNumber": "X1"}]}),
        ("/programmes/batch", {"programmes": []}),
        ("/absence/batches", {"days": []}),
    ]:
        into_roc1 = _post(system, API + path, {**body, "institution": roc1.pk})
        into_none = _post(system, API + path, {**body, "institution": 987654})
        assert into_roc1.status_code == into_none.status_code, path
        assert into_roc1.status_code in (400, 403), (path, into_roc1.content)
        assert _without_instance(into_roc1) == _without_instance(into_none), path
    anna.refresh_from_db()
    assert anna.first_name == "Anna"

    # Absence for ROC Een's number reads exactly as absence for a number nobody has.
    def day(number: str) -> dict[str, Any]:
        return {
            "studentNumber": number,
            "date": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "scheduledHours": 6,
            "absentHours": 2,
            "authorised": False,
            "reason": "unauthorised",
        }

    bram = world.students["t2"]  # of ROC Een, a number ROC Twee never used
    known = _post(system, f"{API}/absence/batches", {"days": [day(bram.student_number)]})
    unknown = _post(system, f"{API}/absence/batches", {"days": [day("000999")]})
    assert known.status_code == unknown.status_code == 400
    normalised = json.dumps(_without_instance(known)).replace(bram.student_number, "N")
    assert normalised == json.dumps(_without_instance(unknown)).replace("000999", "N")


def test_an_absence_job_is_read_by_the_system_that_delivered_it_and_nobody_else(
    world: World,
) -> None:
    """Job ids count up: another institution's system, another system of the same school and
    a person on a session all get the 404 a job that does not exist gives."""
    roc1, roc2 = _org(world, "coach"), world.students["other"].institution
    owner, issued = _system(roc1, ["absence:write"], name="SIS")
    cells = day_cells(
        student_number=world.students["t1"].student_number,
        day=timezone.localdate() - timedelta(days=3),
        scheduled=Decimal(6),
        absent=Decimal(1),
        authorised=False,
        reason="unauthorised",
    )
    job = absence_batch_job_create(
        actor=issued.client.user, institution=roc1, days=[cells], name="Verzuim via de API"
    )
    url, missing = f"{API}/absence/batches/{job.pk}", f"{API}/absence/batches/{job.pk + 1000}"
    assert owner.get(url).status_code == 200
    others = {
        "ROC Twee's system": _system(roc2, ["absence:write"])[0],
        "a second system of ROC Een": _system(roc1, ["absence:write"], name="Rooster")[0],
        "ROC Een's administrator": client_for(world.users["admin"]),
        "ROC Een's attendance officer": client_for(world.users["absence"]),
    }
    for who, client in others.items():
        answer, none = client.get(url), client.get(missing)
        assert answer.status_code == none.status_code == 404, who
        assert _without_instance(answer) == _without_instance(none), who
    assert AbsenceImportJob.objects.filter(pk=job.pk).exists()


# --- 3. Scopes on every operation --------------------------------------------------------


def _real_ids(world: World) -> dict[str, str]:
    referral = Referral.objects.get(student=world.students["t3"])
    number = world.students["t1"].student_number
    return {
        "referrals": str(referral.pk),
        "students": str(world.students["t1"].pk),
        "services": str(uuid.uuid4()),
        "absence": "1",
        "studentNumber": number,
    }


def _every_single_scope_system(world: World) -> dict[str, tuple[Client, set[str]]]:
    """One system per scope an organisation may give, and one with only directory:read."""
    systems: dict[str, tuple[Client, set[str]]] = {}
    by_kind = {
        "school": _org(world, "coach"),
        "provider": _org(world, "worker_p1"),
    }
    for label, org in by_kind.items():
        for scope in sorted(SCOPES_BY_KIND[org.kind]):
            systems[f"{label} {scope}"] = (_system(org, [scope], name=scope)[0], {scope})
    return systems


def test_every_operation_refuses_a_system_without_its_scope(world: World) -> None:
    """Walk /api/v1/openapi.json: each system holds one scope; every operation answers 403
    (problem+json) unless the view names that very scope or is public. The landing resource
    and the document are the only public ones."""
    ids = _real_ids(world)
    wrong: list[str] = []
    public_seen: set[str] = set()
    operations = _operations()
    assert len(operations) >= 12
    for label, (client, scopes) in _every_single_scope_system(world).items():
        for path, method in operations:
            url = _fill(path, ids)
            public, needed = _required_scope(url, method)
            answer = _call(client, method, url)
            if public:
                public_seen.add(path)
                continue
            if needed in scopes:
                if answer.status_code in (401, 403):
                    wrong.append(f"{label}: {method.upper()} {path} refused with its scope")
                continue
            if answer.status_code != 403:
                wrong.append(f"{label}: {method.upper()} {path} -> {answer.status_code}")
            elif answer["Content-Type"] != "application/problem+json":
                wrong.append(f"{label}: {method.upper()} {path} 403 not problem+json")
    assert wrong == []
    assert public_seen <= {"/", "/openapi.json"}


def test_a_directory_only_system_gets_nothing_but_the_social_map(world: World) -> None:
    """directory:read opens the social map (services) and nothing about a student."""
    ids = _real_ids(world)
    for org in (_org(world, "coach"), _org(world, "worker_p1")):
        client, _issued = _system(org, [ApiScope.DIRECTORY_READ])
        allowed = {}
        for path, method in _operations():
            url = _fill(path, ids)
            public, needed = _required_scope(url, method)
            status = _call(client, method, url).status_code
            if status < 400 and not public and needed != ApiScope.DIRECTORY_READ:
                allowed[f"{method.upper()} {path}"] = status
        assert allowed == {}


def _sis_writes(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    roc1 = _org(world, "coach").pk
    location = world.students["t1"].location.name
    programme = world.students["t1"].programme
    student = {
        "firstName": "Coach",
        "lastName": "Schrijft",
        "dateOfBirth": (timezone.localdate() - timedelta(days=17 * 365)).isoformat(),
        "postcode": "7511 AB",
        "location": location,
        "crebo": programme.crebo,
        "pathway": programme.pathway,
        "enrolledOn": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "priorEducation": "vmbo",
    }
    programme_row = {
        "location": location,
        "team": programme.team.name,
        "crebo": "99999",
        "name": "Opleiding van de coach",
        "level": "2",
        "pathway": "BOL",
    }
    return [
        (
            "post",
            f"{API}/students/batch",
            {"institution": roc1, "students": [{**student, "studentNumber": "COACH-2"}]},
        ),
        (
            "post",
            f"{API}/absence/batches",
            {
                "institution": roc1,
                "days": [
                    {
                        "studentNumber": world.students["t1"].student_number,
                        "date": (timezone.localdate() - timedelta(days=3)).isoformat(),
                        "scheduledHours": 6,
                        "absentHours": 6,
                        "authorised": False,
                        "reason": "unauthorised",
                    }
                ],
            },
        ),
        ("post", f"{API}/programmes/batch", {"institution": roc1, "programmes": [programme_row]}),
    ]


@pytest.mark.parametrize("person", ["coach", "care_l1", "worker_p1", "privacy", "student"])
def test_a_person_who_does_not_keep_the_institution_cannot_use_the_sis_writes(
    world: World, person: str
) -> None:
    client = client_for(world.users[person])
    students_before = Student.objects.count()
    for method, url, body in _sis_writes(world):
        answer = getattr(client, method)(url, json.dumps(body), content_type="application/json")
        assert answer.status_code == 403, (person, url, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
    assert Student.objects.count() == students_before


def test_a_session_write_without_the_csrf_token_is_refused_even_for_the_administrator(
    world: World,
) -> None:
    """The administrator may write over the API on a session, but a page on another site
    that makes her browser post is refused: the session needs the CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["admin"])
    students_before = Student.objects.count()
    for method, url, body in _sis_writes(world):
        answer = getattr(browser, method)(url, json.dumps(body), content_type="application/json")
        assert answer.status_code == 403, (url, answer.content)
    assert Student.objects.count() == students_before
    # The same administrator, with the token a page of Schakelpunt itself sends, may write.
    method, url, body = _sis_writes(world)[0]
    allowed = client_for(world.users["admin"])
    answer = getattr(allowed, method)(url, json.dumps(body), content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["created"] == 1


def test_the_school_cannot_take_the_providers_steps_over_the_api(world: World) -> None:
    """The care coordinator sees the referral; she may not receive, accept or decline it for
    the provider, nor give its advice, on a session over the API."""
    referral = Referral.objects.get(student=world.students["t2"])
    before = (referral.status, referral.version)
    for person in ("care_l1", "schakel", "coach2"):
        client = client_for(world.users[person])
        for step, body in [
            ("receive", {}),
            ("accept", {}),
            ("decline", {"reason": "Nee"}),
            ("advice", {"text": "Advies"}),
        ]:
            answer = _post(client, f"{API}/referrals/{referral.pk}/{step}", body)
            assert answer.status_code in (400, 403, 404, 409), (person, step)
    referral.refresh_from_db()
    assert (referral.status, referral.version) == before


def test_a_refused_step_offers_the_caller_no_step_it_cannot_take(world: World) -> None:
    referral = Referral.objects.get(student=world.students["t2"])
    answer = _post(client_for(world.users["care_l1"]), f"{API}/referrals/{referral.pk}/accept", {})
    assert answer.status_code in (403, 409)
    assert answer.json().get("allowedActions", []) == []


# --- 4. Tokens ------------------------------------------------------------------------------


def test_a_token_anywhere_but_the_authorization_header_is_not_accepted(world: World) -> None:
    _client, issued = _system(_org(world, "worker_p1"), ["referrals:read"])
    token = issued.token
    outsider = Client(raise_request_exception=False)
    attempts = {
        "access_token in query": outsider.get(f"{API}/referrals?access_token={token}"),
        "token in query": outsider.get(f"{API}/referrals?token={token}"),
        "bearer in query": outsider.get(f"{API}/referrals?bearer={token}"),
        "in a cookie": _with_cookie(token),
        "as X-Api-Key": outsider.get(f"{API}/referrals", HTTP_X_API_KEY=token),
        "as Token scheme": outsider.get(f"{API}/referrals", HTTP_AUTHORIZATION=f"Token {token}"),
        "as Basic": outsider.get(f"{API}/referrals", HTTP_AUTHORIZATION=f"Basic {_basic(token)}"),
        "Bearer twice": outsider.get(
            f"{API}/referrals", HTTP_AUTHORIZATION=f"Bearer {token} {token}"
        ),
        "as a form field": outsider.post(f"{API}/referrals/1/receive", {"access_token": token}),
    }
    accepted = {k: r.status_code for k, r in attempts.items() if r.status_code < 400}
    assert accepted == {}
    for label, answer in attempts.items():
        assert answer.status_code in (401, 403, 415), label
        assert token not in _answer_text(answer), label
        assert issued.client.token_prefix not in answer.content.decode(), label


def _with_cookie(token: str) -> Any:
    client = Client(raise_request_exception=False)
    client.cookies["token"] = token
    client.cookies["access_token"] = token
    return client.get(f"{API}/referrals")


def _basic(token: str) -> str:
    import base64

    return base64.b64encode(f"{token}:".encode()).decode()


def test_an_unknown_a_revoked_an_expired_and_a_renewed_token_read_alike(
    world: World, time_machine: Any
) -> None:
    """One answer for every dead token, so a caller learns nothing about which it holds; a
    token with a live prefix but another secret is dead too."""
    org = _org(world, "worker_p1")
    _c, revoked = _system(org, ["referrals:read"], name="Ingetrokken")
    api_client_revoke(actor=None, client=revoked.client)
    _c, renewed = _system(org, ["referrals:read"], name="Vernieuwd")
    fresh = api_client_renew(
        actor=None, client=renewed.client, expires_on=timezone.localdate() + timedelta(days=5)
    )
    _c, live = _system(org, ["referrals:read"], name="Levend")
    live_prefix = live.client.token_prefix
    _c, short = _system(org, ["referrals:read"], name="Kort")
    ApiClient.objects.filter(pk=short.client.pk).update(expires_on=timezone.localdate())
    assert _bearer(short.token).get(f"{API}/referrals").status_code == 200  # its last day
    time_machine.move_to(timezone.now() + timedelta(days=1))
    dead = {
        "unknown": "spk_00000000_" + "A" * 43,
        "revoked": revoked.token,
        "renewed (the old one)": renewed.token,
        "expired yesterday": short.token,
        "live prefix, another secret": f"spk_{live_prefix}_" + revoked.token.split("_", 2)[2],
        "no prefix": "A" * 50,
    }
    answers = {label: _bearer(token).get(f"{API}/referrals") for label, token in dead.items()}
    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(dead, 401)
    bodies = {json.dumps(_without_instance(r)) for r in answers.values()}
    assert len(bodies) == 1, bodies
    assert _bearer(fresh.token).get(f"{API}/referrals").status_code == 200
    assert _bearer(live.token).get(f"{API}/referrals").status_code == 200


def test_the_secret_is_compared_in_constant_time(world: World, monkeypatch: Any) -> None:
    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    _c, issued = _system(_org(world, "worker_p1"), ["referrals:read"])
    assert _bearer(issued.token).get(f"{API}/referrals").status_code == 200
    assert _bearer(issued.token[:-1] + "x").get(f"{API}/referrals").status_code == 401
    assert len(compared) == 2  # both went through the constant-time compare
    assert all(len(a) == len(b) == 64 for a, b in compared)  # hashes, never the secret


def test_last_used_is_written_once_a_minute_not_on_every_call(
    world: World, time_machine: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    client, issued = _system(_org(world, "worker_p1"), ["referrals:read"])

    def writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/referrals").status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if q["sql"].startswith("UPDATE") and "last_used_at" in q["sql"]
        )

    assert writes() == 1
    first = ApiClient.objects.get(pk=issued.client.pk).last_used_at
    assert first is not None
    assert [writes() for _ in range(5)] == [0] * 5
    time_machine.move_to(timezone.now() + timedelta(seconds=61), tick=False)
    assert writes() == 1
    assert ApiClient.objects.get(pk=issued.client.pk).last_used_at > first


def test_a_system_whose_principal_was_blocked_is_refused(world: World) -> None:
    """Someone blocks the system's account (is_active off) instead of revoking the token:
    the token stops too, as a blocked person's session does; nothing is written."""
    roc1 = _org(world, "coach")
    client, issued = _system(roc1, ["students:write"])
    principal = issued.client.user
    principal.is_active = False
    principal.save(update_fields=["is_active"])
    student = _sis_writes(world)[0][2]["students"][0]
    answer = _one_student(client, "BLOK-1", student)
    assert answer.status_code == 401, answer.content
    assert not Student.objects.filter(student_number="BLOK-1").exists()


def test_a_systems_principal_gets_no_session_by_password(world: World) -> None:
    _c, issued = _system(_org(world, "worker_p1"), ["referrals:read"])
    principal = issued.client.user
    principal.set_password("een lang en goed wachtwoord 42")
    principal.save()
    browser = Client()
    answer = browser.post(
        "/account/inloggen/",
        {"username": principal.email, "password": "een lang en goed wachtwoord 42"},
    )
    assert "_auth_user_id" not in browser.session, answer.status_code
    assert browser.get(f"{API}/referrals").status_code in (401, 403)


def test_a_session_of_a_systems_principal_opens_no_screen(world: World) -> None:
    _c, issued = _system(_org(world, "worker_p1"), ["referrals:read", "referrals:write"])
    browser = Client()
    browser.force_login(issued.client.user)
    chris = world.students["t3"]  # accepted with consent: the system's workers see him
    for url in ("/", "/verwijzingen/", f"/studenten/{chris.pk}/"):
        answer = browser.get(url)
        assert answer.status_code in (302, 403), url
        assert chris.last_name not in answer.content.decode(), url


# --- 5. Every read under a system is in the access log --------------------------------------


def _systems_of_each_kind(world: World) -> dict[str, tuple[Client, Any]]:
    school, provider = _org(world, "coach"), _org(world, "worker_p1")
    return {
        "provider, read": _system(provider, ["referrals:read"], name="Lezen"),
        "provider, read and write": _system(
            provider, ["referrals:read", "referrals:write", "directory:read"], name="Alles"
        ),
        "other provider": _system(_org(world, "worker_p2"), ["referrals:read"], name="Twee"),
        "school SIS": _system(
            school, ["students:write", "absence:write", "programmes:write"], name="SIS"
        ),
        "school directory": _system(school, ["directory:read"], name="Kaart"),
    }


def test_every_read_by_a_system_that_shows_a_student_is_logged_under_it(world: World) -> None:
    """For each kind of system, GET every operation of the document with the real ids: a
    referral shown is a REFERRALS row for its student (and IDENTITY where the name shows),
    and an answer outside /referrals shows no student at all."""
    school = _org(world, "coach")
    referrals = list(Referral.objects.all())
    students = dict(world.students)
    problems: list[str] = []
    checked = 0
    for kind, (client, issued) in _systems_of_each_kind(world).items():
        principal = issued.client.user
        delivers_absence = (
            issued.client.organisation_id == school.pk and "absence:write" in issued.client.scopes
        )
        job = (
            absence_batch_job_create(actor=principal, institution=school, days=[], name="leeg")
            if delivers_absence
            else None
        )
        urls = [API + "/referrals", API + "/referrals?pageSize=1&page=2"]
        urls += [f"{API}/referrals/{r.pk}" for r in referrals]
        for path, method in _operations():
            if method == "get" and "{" not in path:
                urls.append(API + path)
        if job is not None:
            urls.append(f"{API}/absence/batches/{job.pk}")
        for url in dict.fromkeys(urls):
            since = (
                AccessLogEntry.objects.order_by("-sequence")
                .values_list("sequence", flat=True)
                .first()
                or 0
            )
            answer = client.get(url)
            if answer.status_code != 200:
                continue
            rows = AccessLogEntry.objects.filter(sequence__gt=since, user=principal)
            logged = {(row.student_id, row.part) for row in rows}
            body = answer.json()
            path = url.split("?")[0]
            if path.startswith(API + "/referrals"):
                shown = body.get("results", [body]) if isinstance(body, dict) else body
                for row in shown:
                    checked += 1
                    referral = next(r for r in referrals if r.pk == row["id"])
                    if (referral.student_id, Part.REFERRALS) not in logged:
                        problems.append(f"{kind}: {url} shows referral {referral.pk} unlogged")
                    if row["student"] and (referral.student_id, Part.IDENTITY) not in logged:
                        problems.append(
                            f"{kind}: {url} names student {referral.student_id} unlogged"
                        )
            elif found := _leaks(answer, students):
                problems.append(f"{kind}: {url} shows {found}")
    assert problems == []
    # Both of provider 1's systems saw its two referrals in the list, a page and each detail.
    assert checked >= 2 * (2 + 1 + 2)


def test_a_withdrawn_consent_takes_the_name_away_from_the_providers_system(
    world: World,
) -> None:
    chris = world.students["t3"]  # accepted with consent: named
    referral = Referral.objects.get(student=chris)
    system, _issued = _system(_org(world, "worker_p1"), ["referrals:read"])
    assert system.get(f"{API}/referrals/{referral.pk}").json()["student"]["id"] == chris.pk
    Consent.objects.filter(student=chris).update(withdrawn_at=timezone.now())
    answers = [system.get(f"{API}/referrals/{referral.pk}"), system.get(f"{API}/referrals")]
    assert [_leaks(a, {"t3": chris}) for a in answers] == [[], []]
    assert answers[0].json()["student"] is None


def test_no_answer_with_a_student_in_it_may_be_cached_or_read_by_another_site(
    world: World,
) -> None:
    """ADR /transport/security-headers: personal data is never stored by a proxy or browser
    cache, and no other origin may read it (no CORS allowance)."""
    system, _issued = _system(_org(world, "worker_p1"), ["referrals:read"])
    referral = Referral.objects.get(student=world.students["t3"])
    for url in (f"{API}/referrals", f"{API}/referrals/{referral.pk}", f"{API}/referrals/0"):
        answer = system.get(url, HTTP_ORIGIN="https://elders.example")
        assert "no-store" in answer["Cache-Control"], url
        assert answer["X-Content-Type-Options"] == "nosniff", url
        assert "Access-Control-Allow-Origin" not in answer, url
        assert "Access-Control-Allow-Credentials" not in answer, url


def test_options_and_head_tell_a_system_without_the_scope_nothing(world: World) -> None:
    """OPTIONS would describe the request body, HEAD the size of the answer: both go through
    the same scope check as the operation itself."""
    client, _issued = _system(_org(world, "worker_p1"), [ApiScope.DIRECTORY_READ])
    ids = _real_ids(world)
    for path, method in _operations():
        url = _fill(path, ids)
        public, needed = _required_scope(url, method)
        if public or needed == ApiScope.DIRECTORY_READ:
            continue
        assert client.options(url).status_code == 403, path
        assert client.head(url).status_code in (403, 405), path


# --- 7. Personal data in URLs --------------------------------------------------------------


# Fixed: PUT /students/by-number/{studentNumber} is gone; one student is a batch of one.
def test_no_path_of_the_document_takes_a_student_number(db: None) -> None:
    document = Client().get(f"{API}/openapi.json").json()
    found = [
        path
        for path in document["paths"]
        for name in re.findall(r"\{([^}]+)\}", path)
        if re.search(r"student_?number|studentnummer", name, re.IGNORECASE)
    ]
    assert found == []


# Fixed in 298c084: 413 naming the limit; the documented maxima fit 2.5 MB.
def test_a_batch_the_document_allows_is_not_refused_for_its_size(world: World) -> None:
    client, _issued = _system(_org(world, "coach"), ["absence:write"])
    day = {
        "studentNumber": world.students["t1"].student_number,
        "date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "scheduledHours": 6,
        "absentHours": 1,
        "authorised": False,
        "reason": "unauthorised",
    }
    # Half the documented maximum; every day the same, so a real check says "twice".
    answer = _post(client, f"{API}/absence/batches", {"days": [day] * 25_000})
    assert answer.status_code in (400, 413)
    assert answer.status_code == 413 or answer.json().get("invalidParams"), answer.content


# --- Events out to a system that was stopped ------------------------------------------------


class _Sent:
    status_code = 204

    def __enter__(self) -> "_Sent":
        return self

    def __exit__(self, *args: object) -> None:
        return None


def test_a_revoked_system_is_sent_nothing_more(world: World, monkeypatch: Any) -> None:
    from schakelpunt.events import services as events
    from schakelpunt.events.models import Delivery, EventType

    provider = _org(world, "worker_p1")
    provider.managed_by = _org(world, "admin")  # ROC Een's administrator keeps it
    provider.save(update_fields=["managed_by"])
    _client, issued = _system(provider, ["referrals:read", "referrals:write"])
    events.subscription_create(
        actor=world.users["admin"],
        api_client_id=issued.client.pk,
        name="Meldingen",
        callback_url="https://ontvanger.example/schakelpunt",
        event_types=list(EventType.values),
    )
    assert events.emit(Referral.objects.get(student=world.students["t2"])) == 1
    api_client_revoke(actor=None, client=issued.client)  # the supplier's contract ended
    posted: list[str] = []

    def post(url: str, **kwargs: Any) -> _Sent:
        posted.append(url)
        return _Sent()

    monkeypatch.setattr(events.requests, "post", post)
    events.deliver_due()
    assert posted == []
    assert not Delivery.objects.filter(status="pending").exists()


def _api_views(patterns: list[Any], prefix: str = "") -> dict[str, Any]:
    """Every view the URL resolver reaches under api/v1/, by its route."""
    from django.urls import URLPattern, URLResolver

    found: dict[str, Any] = {}
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= _api_views(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            found[route] = getattr(pattern.callback, "cls", pattern.callback)
    return found


def test_the_walk_misses_no_endpoint_the_resolver_knows(world: World) -> None:
    """The scope walk above follows the document; an endpoint left out of the document would
    escape it. So every view under /api/v1/ in the URL resolver is one the document names."""
    from django.urls import get_resolver

    ids = _real_ids(world)
    documented = {
        getattr(resolve(_fill(path, ids)).func, "cls", None) for path, _method in _operations()
    }
    routes = _api_views(get_resolver().url_patterns)
    assert len(routes) >= 15
    hidden = {route: view for route, view in routes.items() if view not in documented}
    assert hidden == {}


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:5432/",
        "https://localhost/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
    ],
)
def test_an_event_receiver_is_never_this_machine_or_the_internal_network(url: str) -> None:
    from schakelpunt.events.services import callback_url_problem

    assert callback_url_problem(url) is not None
