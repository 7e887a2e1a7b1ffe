"""On PostgreSQL the application runs with a role that owns no table
(`schakelpunt accesslog grant ROLE`): it works, but cannot erase the access log in any way
the owner could. And the owner too is refused TRUNCATE by the log's trigger."""

import io
import os
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.services import access_log_record
from schakelpunt.privacy.register import Activity

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles exist only on PostgreSQL"
)

ATTEMPTS = {
    "TRUNCATE": "TRUNCATE access_accesslogentry",
    "DROP TRIGGER": "DROP TRIGGER access_log_append_only ON access_accesslogentry",
    "DISABLE TRIGGER": "ALTER TABLE access_accesslogentry DISABLE TRIGGER USER",
    "DELETE": "DELETE FROM access_accesslogentry",
    "UPDATE": "UPDATE access_accesslogentry SET path = ''",
}


def _create_role(name: str) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')
    except DatabaseError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a database user that may create roles: {error}")
        pytest.skip(f"this database user may not create roles: {error}")


@pytest.fixture
def app_role(world) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh role with the application's grants (inside the test's transaction)."""
    name = f"app_{uuid.uuid4().hex[:12]}"
    _create_role(name)
    out = io.StringIO()
    call_command("accesslog", "grant", name, stdout=out)
    assert "kan werken, maar het toegangslog niet wissen" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the world's own inserts first
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def _as(role: str, sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(sql)


def test_the_app_role_works_but_cannot_erase_the_log(world, app_role):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        access_log_record(
            actor=world.users["coach"],
            activity=Activity.SUPPORT,
            students=[world.students["t1"]],
            action=Action.VIEW,
            parts=[Part.IDENTITY],
            role="coach",
        )
        assert AccessLogEntry.objects.count() == 1
    refused = []
    for what, sql in ATTEMPTS.items():
        with pytest.raises(DatabaseError) as failure:
            _as(app_role, sql)
        refused.append(what)
        message = str(failure.value)
        assert "permission denied" in message or "must be owner" in message, (what, message)
    assert refused == list(ATTEMPTS)
    assert AccessLogEntry.objects.count() == 1


def test_the_owner_is_refused_truncate_by_the_trigger(world):
    owner = f"own_{uuid.uuid4().hex[:12]}"
    _create_role(owner)
    access_log_record(
        actor=world.users["coach"],
        activity=Activity.SUPPORT,
        students=[world.students["t1"]],
        action=Action.VIEW,
        parts=[Part.IDENTITY],
        role="coach",
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE access_accesslogentry OWNER TO "{owner}"')
    with pytest.raises(IntegrityError, match="append-only"):
        _as(owner, ATTEMPTS["TRUNCATE"])
    assert AccessLogEntry.objects.count() == 1
