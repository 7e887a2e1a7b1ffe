"""A provider's system handling referrals through the API: every refusal is a problem+json
answer in Dutch with nothing saved, and the screens and the API never both win."""

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.api_clients import IssuedClient, api_client_create
from schakelpunt.accounts.models import Organisation
from schakelpunt.directory.models import DirectoryOrganisation, Service
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.referrals.models import Advice, Referral, ReferralEvent, ReferralStatus
from schakelpunt.referrals.services import ConsentInput, referral_create

PROBLEM = "application/problem+json"
SYSTEM_NAME = "ZorgDossier"


def issue(world: World, scopes: list[str], provider: str = "Zorg Een") -> IssuedClient:
    """A registered system of the provider, as its functional administrator makes one."""
    return api_client_create(
        actor=None,
        organisation=Organisation.objects.get(name=provider),
        name=SYSTEM_NAME,
        scopes=scopes,
        expires_on=timezone.localdate() + timedelta(days=30),
    )


def system(issued: IssuedClient) -> Client:
    """The provider's system: a bearer token and no session, no cookies."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")


def post(client: Client, referral: Referral, action: str, body: Any = None) -> Any:
    return client.post(
        f"/api/v1/referrals/{referral.pk}/{action}",
        data=json.dumps({} if body is None else body),
        content_type="application/json",
    )


def provider_service() -> Service:
    entry = DirectoryOrganisation.objects.create(
        name="Zorg Een", description="Jeugdhulp", account=Organisation.objects.get(name="Zorg Een")
    )
    return ServiceFactory(organisation=entry, name="Jongerencoaching", first_contact_days=8)


def sent_referral(world: World, student: str = "t1") -> Referral:
    return referral_create(
        actor=world.users["care_l1"],
        student_id=world.students[student].pk,
        service_id=provider_service().pk,
        question="Slaapt slecht en mist veel lessen.",
        parts=["contact", "support"],
        consent=ConsentInput(student_agrees=True),
    )


def _unchanged(referral: Referral) -> None:
    """Nothing saved: the same version and status, no step and no write in the log."""
    before = (referral.status, referral.version)
    referral.refresh_from_db()
    assert (referral.status, referral.version) == before
    assert not ReferralEvent.objects.filter(referral=referral).exclude(to_status="sent").exists()
    assert not Advice.objects.filter(referral=referral).exists()


def test_a_system_with_only_the_read_scope_may_not_accept(world: World) -> None:
    referral = sent_referral(world)
    reader = system(issue(world, ["referrals:read"]))
    assert reader.get(f"/api/v1/referrals/{referral.pk}").status_code == 200
    refused = post(reader, referral, "accept")
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["detail"] == "Deze koppeling heeft het recht voor deze aanvraag niet."
    _unchanged(referral)


def test_a_system_of_another_provider_finds_nothing(world: World) -> None:
    referral = sent_referral(world)
    other = system(issue(world, ["referrals:read", "referrals:write"], provider="Zorg Twee"))
    assert other.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    for action, body in [("accept", {}), ("decline", {"reason": "Vol"}), ("advice", {"text": "x"})]:
        refused = post(other, referral, action, body)
        assert refused.status_code == 404, action
        assert refused["Content-Type"] == PROBLEM
        assert refused.json()["detail"] == "Niet gevonden, of u mag het niet zien."
    # The same answer as for a referral that does not exist at all.
    assert post(other, Referral(pk=999_999), "accept").json() == {
        **post(other, referral, "accept").json(),
        "instance": "/api/v1/referrals/999999/accept",
    }
    _unchanged(referral)


def test_without_a_token_the_answer_is_401(world: World) -> None:
    referral = sent_referral(world)
    refused = post(Client(), referral, "accept")
    assert refused.status_code in {401, 403}
    assert refused["Content-Type"] == PROBLEM
    _unchanged(referral)


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("accept", {"colour": "blauw"}, "colour"),  # an unknown field
        ("decline", {"reason": "Geen plek", "urgent": True}, "urgent"),
        ("decline", {}, "reason"),  # the reason is required
        ("decline", {"reason": "   "}, "reason"),
        ("accept", {"version": "twee"}, "version"),
        ("accept", {"note": ["een", "lijst"]}, "note"),
        ("advice", {"text": ""}, "text"),
        ("advice", {"advice": "Praat met haar"}, "advice"),
    ],
)
def test_a_body_that_does_not_fit_is_refused_with_the_field_named(
    world: World, action: str, body: dict, field: str
) -> None:
    referral = sent_referral(world)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    refused = post(api, referral, action, body)
    assert refused.status_code == 400
    assert refused["Content-Type"] == PROBLEM
    problem = refused.json()
    assert "niets opgeslagen" in problem["detail"]
    assert f"#/{field}" in {e["location"]["pointer"] for e in problem["errors"]}
    _unchanged(referral)


@pytest.mark.parametrize(
    "raw", ['{"reason": "Geen plek"', "[1, 2]", '"accept"', "null", "\xff\xfe"]
)
def test_malformed_json_is_refused_and_nothing_is_saved(world: World, raw: str) -> None:
    referral = sent_referral(world)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    refused = api.post(
        f"/api/v1/referrals/{referral.pk}/decline", data=raw, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["status"] == 400
    _unchanged(referral)


def test_only_json_is_accepted(world: World) -> None:
    referral = sent_referral(world)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    refused = api.post(f"/api/v1/referrals/{referral.pk}/decline", {"reason": "Geen plek"})
    assert refused.status_code == 415
    assert refused["Content-Type"] == PROBLEM
    _unchanged(referral)


def test_the_services_rules_answer_400_in_dutch(world: World) -> None:
    referral = sent_referral(world)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    assert post(api, referral, "accept").status_code == 200
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = post(api, referral, "first-contact", {"date": tomorrow})
    assert future.status_code == 400
    assert future.json()["detail"] == "Het eerste contact kan niet in de toekomst liggen."
    ended = post(api, referral, "end", {"outcome": "not_successful"})
    assert ended.status_code == 400
    assert ended.json()["detail"] == "Kies waarom de hulp niet geslaagd is."
    early = post(
        api,
        referral,
        "end",
        {
            "outcome": "not_successful",
            "end_reason": "unreachable",
            "date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        },
    )
    assert early.status_code == 400
    assert early.json()["detail"] == "De einddatum ligt vóór een eerdere stap van de verwijzing."
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_a_step_the_workflow_does_not_allow_is_a_409_that_says_what_can(world: World) -> None:
    referral = sent_referral(world)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    early = post(api, referral, "first-contact", {"date": timezone.localdate().isoformat()})
    assert early.status_code == 409
    assert early["Content-Type"] == PROBLEM
    problem = early.json()
    assert problem["currentStatus"] == "sent"
    assert problem["allowedActions"] == ["receive", "accept", "decline"]
    assert problem["detail"] == (
        "Deze stap kan nu niet: de verwijzing staat op 'Verstuurd'. Wat nu kan: receive (als "
        "ontvangen markeren), accept (accepteren), decline (afwijzen)."
    )
    assert post(api, referral, "advice", {"text": "Rustig aan"}).status_code == 409
    _unchanged(referral)


# Every step of the provider, each with a body it would take.
STEPS = [
    ("receive", {}),
    ("accept", {"note": "Graag"}),
    ("decline", {"reason": "Geen plek"}),
    ("first-contact", {}),
    ("help-started", {}),
    ("end", {"outcome": "not_successful", "end_reason": "other"}),
    ("advice", {"text": "Rustig aan"}),
]


@pytest.mark.parametrize("person", ["care_l1", "student"])
def test_the_school_and_the_student_may_not_take_the_providers_steps(
    world: World, person: str
) -> None:
    """They may open the referral, but its steps are the receiving organisation's: a 403 that
    offers no step, whatever the body (even one that is not JSON), and nothing saved."""
    referral = sent_referral(world)  # Anna's (t1): the school's care team and Anna herself
    caller = client_for(world.users[person])
    assert caller.get(f"/api/v1/referrals/{referral.pk}").status_code == 200
    for action, body in [*STEPS, ("decline", {}), ("accept", {"colour": "blauw"})]:
        refused = post(caller, referral, action, body)
        assert refused.status_code == 403, (person, action)
        assert refused["Content-Type"] == PROBLEM
        problem = refused.json()
        assert problem["detail"] == "Alleen de ontvangende organisatie zet deze stap."
        assert "allowedActions" not in problem and "currentStatus" not in problem
    not_json = caller.post(f"/api/v1/referrals/{referral.pk}/accept", {"note": "x"})
    assert not_json.status_code == 403
    _unchanged(referral)


def test_a_person_who_may_not_see_the_referral_finds_nothing(world: World) -> None:
    """Bram's referral (t2) for Anna's coach: the same 404 as a referral that does not exist."""
    referral = sent_referral(world, "t2")
    coach = client_for(world.users["coach"])
    for action, body in STEPS:
        refused = post(coach, referral, action, body)
        assert refused.status_code == 404, action
        assert refused.json()["detail"] == "Niet gevonden, of u mag het niet zien."
    _unchanged(referral)


def test_a_refused_step_offers_only_the_steps_the_provider_can_take(world: World) -> None:
    """The provider's worker on a session, and its system, see the same 409 and offers."""
    referral = sent_referral(world)
    for caller in [
        client_for(world.users["worker_p1"]),
        system(issue(world, ["referrals:read", "referrals:write"])),
    ]:
        early = post(caller, referral, "help-started")
        assert early.status_code == 409
        assert early.json()["allowedActions"] == ["receive", "accept", "decline"]
    _unchanged(referral)


def test_ending_twice_is_a_409_and_the_first_end_stands(world: World) -> None:
    referral = sent_referral(world)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    for action, body in [
        ("accept", {}),
        ("first-contact", {}),
        ("end", {"outcome": "successful", "note": "Gaat goed"}),
    ]:
        assert post(api, referral, action, body).status_code == 200, action
    again = post(api, referral, "end", {"outcome": "not_successful", "end_reason": "other"})
    assert again.status_code == 409
    assert again.json()["allowedActions"] == ["advice"]  # advice may still follow
    assert "staat op 'Afgerond'" in again.json()["detail"]
    referral.refresh_from_db()
    assert referral.outcome == "successful" and referral.closing_note == "Gaat goed"
    assert ReferralEvent.objects.filter(referral=referral, to_status="ended").count() == 1


def test_a_step_on_an_older_version_is_refused_whoever_came_first(world: World) -> None:
    """The worker on the screen and the system act on the same version: one wins."""
    referral = sent_referral(world)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    seen = api.get(f"/api/v1/referrals/{referral.pk}").json()["version"]
    worker = client_for(world.users["worker_p1"])
    on_screen = worker.post(
        reverse("referrals:step", args=[referral.pk]),
        {"version": seen, "to_status": "accepted"},
        follow=True,
    )
    assert "Verwijzing bijgewerkt: geaccepteerd." in on_screen.content.decode()
    late = post(api, referral, "decline", {"reason": "Geen plek", "version": seen})
    assert late.status_code == 409
    assert late.json()["detail"].startswith("Iemand anders heeft deze verwijzing intussen")
    assert late.json()["currentStatus"] == "accepted"
    assert late.json()["allowedActions"] == ["first-contact", "end", "advice"]
    # Without a version, the workflow still refuses what no longer fits.
    assert post(api, referral, "accept").status_code == 409
    # And the other way round: the system first, the screen's form is stale.
    seen = api.get(f"/api/v1/referrals/{referral.pk}").json()["version"]
    assert post(api, referral, "first-contact", {"version": seen}).status_code == 200
    stale = worker.post(
        reverse("referrals:step", args=[referral.pk]),
        {"version": seen, "to_status": "ended", "outcome": "not_successful", "end_reason": "other"},
        follow=True,
    )
    assert "Iemand anders heeft deze verwijzing intussen gewijzigd" in stale.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.FIRST_CONTACT


def test_each_write_is_logged_under_the_system(world: World) -> None:
    referral = sent_referral(world)
    issued = issue(world, ["referrals:read", "referrals:write"])
    api = system(issued)
    assert post(api, referral, "accept").status_code == 200
    entry = AccessLogEntry.objects.filter(user=issued.client.user, action="change").get(
        part="identity"
    )
    assert entry.student_id == referral.student_id
    assert entry.path == f"/api/v1/referrals/{referral.pk}/accept"
    assert SYSTEM_NAME in entry.user_display


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL connections")
def test_the_screen_and_the_system_accepting_at_once_on_postgresql(refdata) -> None:  # type: ignore[no-untyped-def]
    """Two connections, the same version, at the same moment: one step, one clear refusal."""
    from tests.world import build_world

    world = build_world()
    referral = sent_referral(world)
    issued = issue(world, ["referrals:read", "referrals:write"])
    version = referral.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def on_screen() -> None:
        try:
            worker = client_for(world.users["worker_p1"])
            barrier.wait(timeout=10)
            page = worker.post(
                reverse("referrals:step", args=[referral.pk]),
                {"version": version, "to_status": "accepted"},
                follow=True,
            ).content.decode()
            outcomes["screen"] = "won" if "Verwijzing bijgewerkt" in page else "refused"
        finally:
            connections.close_all()

    def through_api() -> None:
        try:
            api = system(issued)
            barrier.wait(timeout=10)
            answer = post(api, referral, "accept", {"version": version})
            outcomes["api"] = {200: "won", 409: "refused"}.get(answer.status_code, "?")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=on_screen), threading.Thread(target=through_api)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    assert ReferralEvent.objects.filter(referral=referral, to_status="accepted").count() == 1
    referral.refresh_from_db()
    assert referral.version == version + 1


def test_the_document_describes_each_step_as_the_server_answers(world: World) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    for action in [
        "receive",
        "accept",
        "decline",
        "first-contact",
        "help-started",
        "end",
        "advice",
    ]:
        operation = document["paths"][f"/referrals/{{id}}/{action}"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"]), action
        conflict = operation["responses"]["409"]["content"][PROBLEM]["schema"]["$ref"]
        assert conflict.endswith("/ReferralConflict")
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        # An unknown field is refused (400), so the document allows none.
        assert (
            document["components"]["schemas"][body.rsplit("/", 1)[1]]["additionalProperties"]
            is False
        )
