"""Lockout per account and per address: one address cannot try many accounts (django-axes)."""

import pytest
from django.conf import settings
from django.test import Client

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    PASSWORD,
    MembershipFactory,
    ProgrammeTeamFactory,
    UserFactory,
)

ATTACKER = "203.0.113.7"
SCHOOL = "198.51.100.20"


@pytest.fixture
def coach(db):  # type: ignore[no-untyped-def]
    team = ProgrammeTeamFactory()
    user = UserFactory(email="coach@example.nl")
    MembershipFactory(
        user=user, organisation=team.location.institution, role=Role.COACH, programme_team=team
    )
    return user


def login(address: str, email: str, password: str) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/account/inloggen/", {"username": email, "password": password}
    )
    return response.status_code


def test_failures_on_many_accounts_from_one_address_lock_that_address(coach):
    limit = settings.AXES_IP_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):  # one guess on each of many accounts: no account is locked
        assert login(ATTACKER, f"iemand{i}@example.nl", "Welkom01!") == 200
    # Just under the address's limit, and logging in to a real account clears nothing.
    assert login(ATTACKER, "coach@example.nl", PASSWORD) == 302
    assert login(ATTACKER, "nog-iemand@example.nl", "Welkom01!") == 429
    locked = Client(REMOTE_ADDR=ATTACKER).post(
        "/account/inloggen/", {"username": "coach@example.nl", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert "Inloggen is tijdelijk geblokkeerd" in locked.content.decode()
    # The same person from another address is not affected.
    assert login(SCHOOL, "coach@example.nl", PASSWORD) == 302


def test_an_account_is_locked_after_its_own_limit_from_any_address(coach):
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(f"192.0.2.{i + 1}", "coach@example.nl", "fout")
    assert login(SCHOOL, "coach@example.nl", PASSWORD) == 429
    assert login(SCHOOL, "ander@example.nl", "fout") == 200  # the address itself is fine
