"""`schakelpunt apiclient`: the operator registers, lists, renews and revokes a connected
system on the command line; the token is printed once; bad input changes nothing."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.world import World

from schakelpunt.accounts.models import ApiClient, User

pytestmark = pytest.mark.django_db

GOOD = ["--organisation", "Zorg Een", "--name", "X", "--scope", "referrals:read"]
TOKEN = re.compile(r"^spk_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}$", re.M)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("apiclient", *args, stdout=out)
    return out.getvalue()


def _create(*extra: str) -> str:
    return _run(
        "create",
        "--organisation",
        "Zorg Een",
        "--name",
        "Cliëntregistratie",
        "--scope",
        "referrals:read",
        "--scope",
        "referrals:write",
        *extra,
    )


def _token(output: str) -> str:
    found = TOKEN.search(output)
    assert found, output
    return found.group(0)


def _status(token: str) -> int:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(reverse("referral-list")).status_code


def test_create_prints_a_working_token_once_and_list_never_shows_it(world: World) -> None:
    output = _create("--days", "90")
    token = _token(output)
    assert "Cliëntregistratie (Zorg Een) gekoppeld" in output
    assert "wordt niet opnieuw getoond" in output
    client = ApiClient.objects.get()
    assert client.scopes == ["referrals:read", "referrals:write"]
    assert client.expires_on == timezone.localdate() + timedelta(days=90)
    assert client.created_by is None  # the operator
    assert _status(token) == 200

    listed = _run("list")
    assert f"spk_{client.token_prefix}" in listed
    assert "Zorg Een — Cliëntregistratie" in listed
    assert "[actief]" in listed and "nog nooit" not in listed  # it has just been used
    assert "Verwijzingen naar de eigen organisatie lezen" in listed
    assert token not in listed and TOKEN.search(listed) is None


def test_the_organisation_may_be_given_by_its_number(world: World) -> None:
    provider = world.users["worker_p1"].memberships.get().organisation
    output = _run(
        "create", "--organisation", str(provider.pk), "--name", "X", "--scope", "directory:read"
    )
    assert _token(output)
    assert ApiClient.objects.get().organisation == provider


def test_renew_and_revoke_by_the_tokens_prefix(world: World) -> None:
    old = _token(_create())
    prefix = ApiClient.objects.get().token_prefix
    new = _token(_run("renew", f"spk_{prefix}", "--days", "30"))
    assert _status(old) == 401 and _status(new) == 200
    new_prefix = ApiClient.objects.get().token_prefix
    output = _run("revoke", new_prefix)
    assert "is ingetrokken" in output
    assert _status(new) == 401
    assert "[ingetrokken]" in _run("list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--organisation", "Zorg Drie", "--name", "X", "--scope", "referrals:read"],
            "Organisatie 'Zorg Drie' bestaat niet",
        ),
        (["--name", "X", "--scope", "referrals:read"], "Geef de organisatie op"),
        (
            ["--organisation", "Zorg Een", "--name", "X", "--scope", "referals:read"],
            "Onbekend recht: referals:read",
        ),
        (
            ["--organisation", "Zorg Een", "--name", "X", "--scope", "students:write"],
            "Deze rechten passen niet bij Zorg Een: students:write",
        ),
        (["--organisation", "Zorg Een", "--name", "X"], "Kies ten minste één recht."),
        (
            ["--organisation", "Zorg Een", "--name", " ", "--scope", "referrals:read"],
            "Geef de koppeling een naam.",
        ),
        (
            [*GOOD, "--days", "400"],
            "hoogstens een jaar geldig",
        ),
        (
            [*GOOD, "--days", "0"],
            "--days is ten minste 1",
        ),
    ],
)
def test_bad_input_says_why_in_dutch_and_changes_nothing(
    world: World, args: list[str], message: str
) -> None:
    users = User.objects.count()
    out = StringIO()
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("apiclient", "create", *args, stdout=out)
    assert not ApiClient.objects.exists()
    assert User.objects.count() == users
    assert TOKEN.search(out.getvalue()) is None


def test_an_unknown_prefix_or_a_second_revoke_is_refused(world: World) -> None:
    _create()
    prefix = ApiClient.objects.get().token_prefix
    with pytest.raises(CommandError, match="Geen koppeling met een sleutel die begint met"):
        _run("revoke", "spk_00000000")
    _run("revoke", prefix)
    revoked_at = ApiClient.objects.get().revoked_at
    with pytest.raises(CommandError, match="al ingetrokken"):
        _run("revoke", prefix)
    with pytest.raises(CommandError, match="ingetrokken; maak een nieuwe"):
        _run("renew", prefix)
    assert ApiClient.objects.get().revoked_at == revoked_at


def test_list_says_so_when_there_are_none(db: None) -> None:
    assert "nog geen koppelingen" in _run("list")
