"""A connected system with a token sees what a worker of its organisation sees, only with
the scope for it, and not once its token is revoked or expired."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from tests.world import World

from schakelpunt.accounts.api_clients import (
    api_client_create,
    api_client_renew,
    api_client_revoke,
)
from schakelpunt.accounts.models import Organisation
from schakelpunt.referrals.models import Referral


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _provider(world: World) -> Organisation:
    return world.users["worker_p1"].memberships.get().organisation


def _issue(world: World, scopes: list[str], **kwargs):  # type: ignore[no-untyped-def]
    return api_client_create(
        actor=None,
        organisation=kwargs.pop("organisation", None) or _provider(world),
        name="Cliëntregistratie",
        scopes=scopes,
        expires_on=timezone.localdate() + timedelta(days=30),
    )


def test_a_providers_system_sees_the_referrals_its_workers_see(world: World) -> None:
    issued = _issue(world, ["referrals:read"])
    response = _bearer(issued.token).get("/api/v1/referrals")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    sent = Referral.objects.get(student=world.students["t2"])
    accepted = Referral.objects.get(student=world.students["t3"])
    assert set(rows) == {sent.pk, accepted.pk}
    assert rows[sent.pk]["student"] is None  # no name before consent, as for the worker
    # The system is no person: it holds no stored role and opens no screen.
    assert not issued.client.user.memberships.exists()
    assert _bearer(issued.token).get("/api/v1/students").status_code == 403


def test_without_the_scope_or_with_a_wrong_token_the_system_is_refused(world: World) -> None:
    issued = _issue(world, ["directory:read"])
    refused = _bearer(issued.token).get("/api/v1/referrals")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 403
    wrong = _bearer(issued.token[:-2] + "xx").get("/api/v1/referrals")
    assert wrong.status_code == 401
    assert "onbekend" in wrong.json()["detail"]


def test_a_revoked_or_renewed_token_stops_at_once(world: World) -> None:
    issued = _issue(world, ["referrals:read"])
    renewed = api_client_renew(
        actor=None, client=issued.client, expires_on=timezone.localdate() + timedelta(days=5)
    )
    assert _bearer(issued.token).get("/api/v1/referrals").status_code == 401
    assert _bearer(renewed.token).get("/api/v1/referrals").status_code == 200
    api_client_revoke(actor=None, client=renewed.client)
    assert _bearer(renewed.token).get("/api/v1/referrals").status_code == 401
    with pytest.raises(ValidationError):
        api_client_revoke(actor=None, client=renewed.client)


def test_an_expired_token_is_refused(world: World, time_machine) -> None:  # type: ignore[no-untyped-def]
    issued = _issue(world, ["referrals:read"])
    time_machine.move_to(timezone.now() + timedelta(days=31))
    assert _bearer(issued.token).get("/api/v1/referrals").status_code == 401


def test_scopes_must_fit_the_organisation_and_only_its_admin_registers(world: World) -> None:
    with pytest.raises(ValidationError):
        _issue(world, ["students:write"])  # a provider has no students to deliver
    with pytest.raises(PermissionDenied):
        api_client_create(
            actor=world.users["worker_p1"],
            organisation=_provider(world),
            name="Eigen koppeling",
            scopes=["referrals:read"],
            expires_on=timezone.localdate() + timedelta(days=30),
        )
