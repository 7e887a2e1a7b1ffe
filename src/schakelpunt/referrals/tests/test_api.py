"""The referrals API answers with what the screens show: the same need-to-know."""

from django.test import Client
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.referrals.models import Referral, ReferralStatus


def _ids(client: Client) -> dict[int, dict]:
    response = client.get("/api/v1/referrals")
    assert response.status_code == 200
    return {row["id"]: row for row in response.json()["results"]}


def test_the_provider_gets_its_referrals_with_names_only_after_acceptance(world: World) -> None:
    sent = Referral.objects.get(student=world.students["t2"])  # sent to provider 1
    accepted = Referral.objects.get(student=world.students["t3"])  # accepted, with consent
    rows = _ids(client_for(world.users["worker_p1"]))
    assert set(rows) == {sent.pk, accepted.pk}
    assert rows[sent.pk]["student"] is None
    assert rows[accepted.pk]["student"]["name"].startswith("Chris")
    assert rows[sent.pk]["status"] == ReferralStatus.SENT
    assert _ids(client_for(world.users["worker_p2"])) == {}


def test_the_school_sees_its_students_referrals_and_a_read_is_logged(world: World) -> None:
    care = client_for(world.users["care_l1"])
    sent = Referral.objects.get(student=world.students["t2"])
    rows = _ids(care)
    assert set(rows) == {sent.pk}  # t3 is at another location
    assert rows[sent.pk]["student"]["name"].startswith("Bram")
    detail = care.get(f"/api/v1/referrals/{sent.pk}")
    assert detail.status_code == 200
    assert AccessLogEntry.objects.filter(
        student_id=world.students["t2"].pk, user=world.users["care_l1"], part="referrals"
    ).exists()
    assert client_for(world.users["coach"]).get(f"/api/v1/referrals/{sent.pk}").status_code == 404


def test_the_schema_describes_the_referrals(world: World) -> None:
    schema = client_for(world.users["worker_p1"]).get("/api/v1/openapi.json").json()
    assert "/referrals" in schema["paths"]
