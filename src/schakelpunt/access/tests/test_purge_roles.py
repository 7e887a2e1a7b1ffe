"""On PostgreSQL the application's role (`schakelpunt accesslog grant ROLE`) deletes the
access log's part older than five years only through the owner's function: it still has no
DELETE, and it cannot move the chain's start nor write the purge's permit itself."""

import io
import os
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from schakelpunt.access.models import AccessDecision, AccessLogChainHead, AccessLogEntry
from schakelpunt.access.retention import access_log_purge
from schakelpunt.access.tests.test_purge import NOW, read, refused, verify, years_ago

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles exist only on PostgreSQL"
)


@pytest.fixture
def app_role(world) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh role with the application's grants (inside the test's transaction)."""
    name = f"app_{uuid.uuid4().hex[:12]}"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')
    except DatabaseError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a database user that may create roles: {error}")
        pytest.skip(f"this database user may not create roles: {error}")
    call_command("accesslog", "grant", name, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the world's own inserts first
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def _as(role: str, sql: str, params: list[object] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(sql, params)


def test_the_app_role_purges_through_the_function_and_nothing_else(world, app_role):
    read(world, years_ago(7), count=2)
    read(world, NOW)
    refused(world, years_ago(7))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    attempts = {
        "DELETE": "DELETE FROM access_accesslogentry",
        "DELETE refusals": "DELETE FROM access_accessdecision",
        "TRUNCATE": "TRUNCATE access_accesslogentry",
        "move the chain's start": "UPDATE access_accesslogchainhead SET anchor_sequence = 4",
        "write the permit": "UPDATE access_accesslogchainhead SET purge_through = 4",
        "write the permit's moment": "UPDATE access_accesslogchainhead SET purge_before = now()",
    }
    for what, sql in attempts.items():
        with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
            _as(app_role, sql)
        assert what
    # The chain's end itself it moves, as every append does.
    _as(app_role, "UPDATE access_accesslogchainhead SET length = length")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        result = access_log_purge(before=NOW)
    assert (result.entries, result.decisions) == (4, 1)
    assert AccessLogEntry.objects.count() == 2
    assert AccessDecision.objects.count() == 0
    assert AccessLogChainHead.objects.values_list("anchor_sequence", flat=True).get() == 4
    assert "Toegangslog in orde: 2 regels" in verify()


def test_the_app_role_cannot_make_the_function_delete_a_younger_row(world, app_role):
    rows = read(world, years_ago(7)) + read(world, NOW)[2:]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="kept for five years"):
        _as(
            app_role,
            "SELECT * FROM access_log_purge(%s, %s, NULL)",
            [rows[-1].sequence, timezone.now()],
        )
    assert AccessLogEntry.objects.count() == 4


def test_the_app_role_erases_a_students_grants_only_through_the_function(world, app_role):
    # accounts migration 0012: the role grants' one deliberate path, for a deleted student.
    from schakelpunt.accounts.grant_erasure import role_grants_erase
    from schakelpunt.accounts.models import RoleGrant
    from schakelpunt.accounts.roles import Role
    from schakelpunt.accounts.tests.factories import UserFactory

    roc = world.students["t1"].institution
    gone, kept = UserFactory(), UserFactory()
    grants = {
        user.pk: RoleGrant.objects.create(
            actor=None,
            actor_display="opdrachtregel",
            grantee=user,
            grantee_email=user.email,
            organisation=roc,
            role=Role.PARENT,
            outcome="granted",
        )
        for user in (gone, kept)
    }
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    other = grants[kept.pk].pk
    with pytest.raises(DatabaseError, match="append-only"):
        _as(app_role, "DELETE FROM accounts_rolegrant WHERE id = %s", [other])
    with pytest.raises(DatabaseError, match="append-only"):
        _as(app_role, "UPDATE accounts_rolegrant SET reason = 'x' WHERE id = %s", [other])
    with pytest.raises(DatabaseError, match="permission denied"):
        _as(app_role, "INSERT INTO accounts_rolegrant_permit (txid) VALUES (txid_current())")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        found = role_grants_erase(
            user_ids=[gone.pk], emails=[gone.email], organisation_id=roc.pk, student_number=""
        )
    assert found == (1, 0)
    assert list(RoleGrant.objects.values_list("pk", flat=True)) == [other]
