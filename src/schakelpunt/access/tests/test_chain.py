"""The access log cannot be erased unseen: the database refuses deletes, and every entry is
chained by hash, so `schakelpunt accesslog verify` names the first row someone edited,
removed or moved by raw SQL (as an attacker with the tables' owner role could)."""

import importlib
import io
import threading
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from tests.log_guards import log_guards_off
from tests.world import client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.privacy.register import Activity


def verify() -> str:
    out = io.StringIO()
    call_command("accesslog", "verify", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("accesslog", "verify", stdout=io.StringIO())
    return str(failure.value)


def visits(world, count: int = 3) -> list[AccessLogEntry]:
    """Three file visits by the coach, five parts each: fifteen chained rows."""
    coach = client_for(world.users["coach"])
    for _ in range(count):
        assert coach.get(f"/studenten/{world.students['t1'].pk}/").status_code == 200
    return list(AccessLogEntry.objects.order_by("id"))


def raw(sql: str, params: list[object]) -> None:
    with log_guards_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_intact_log_verifies_with_its_length(world):
    rows = visits(world)
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    assert f"Toegangslog in orde: {len(rows)} regels" in verify()


def test_an_empty_log_verifies(db):
    assert "Toegangslog in orde: 0 regels" in verify()


def test_an_edited_row_is_named(world):
    rows = visits(world)
    target = rows[4]
    raw(
        "UPDATE access_accesslogentry SET user_display = %s WHERE id = %s",
        ["Iemand anders", target.pk],
    )
    message = broken()
    assert f"bij regel {target.pk} " in message
    assert "de inhoud van de regel is veranderd" in message
    assert "De 4 regels daarvoor zijn in orde." in message


def test_an_edited_row_with_its_hash_recomputed_breaks_the_next_link(world):
    """Who rewrites a row and its hash (the algorithm is public) breaks the next row."""
    from schakelpunt.access.chain import entry_digest, entry_values

    rows = visits(world)
    target = rows[4]
    target.student_id = world.students["t2"].pk
    forged = entry_digest(rows[3].entry_hash, entry_values(target))
    raw(
        "UPDATE access_accesslogentry SET student_id = %s, entry_hash = %s WHERE id = %s",
        [target.student_id, forged, target.pk],
    )
    assert f"bij regel {rows[5].pk} " in broken()


def test_a_deleted_row_is_named_by_the_row_after_it(world):
    rows = visits(world)
    raw("DELETE FROM access_accesslogentry WHERE id = %s", [rows[6].pk])
    message = broken()
    assert f"bij regel {rows[7].pk} " in message
    assert (
        "er ontbreken regels vóór deze regel, of de volgorde is veranderd (volgnummer 8, verwacht 7)"
        in message
    )


def test_a_cut_off_tail_is_named_by_the_last_row_left(world):
    rows = visits(world)
    raw("DELETE FROM access_accesslogentry WHERE id >= %s", [rows[10].pk])
    message = broken()
    assert f"bij regel {rows[9].pk} " in message
    assert f"de keten telde er {len(rows)}, het log heeft er 10" in message


CONTENT = ["event_id", "at", "user_id", "user_display", "role", "student_id", "part", "path"]


def swap(first: AccessLogEntry, second: AccessLogEntry, columns: list[str]) -> None:
    """Give each of two rows the other's values in `columns` (ids stay)."""

    def value(row: AccessLogEntry, column: str) -> object:
        found = getattr(row, column)
        return found.hex if column == "event_id" and connection.vendor == "sqlite" else found

    if "sequence" in columns:  # unique: out of the way first
        raw(
            "UPDATE access_accesslogentry SET sequence = sequence + 1000000 WHERE id = %s",
            [first.pk],
        )
    assignments = ", ".join(f"{c} = %s" for c in columns)
    for row, other in ((second, first), (first, second)):
        values = [value(other, c) for c in columns]
        raw(f"UPDATE access_accesslogentry SET {assignments} WHERE id = %s", [*values, row.pk])  # noqa: S608


def test_rows_moved_to_another_place_are_named(world):
    """Two rows change place in the chain: content and hashes swapped, positions kept."""
    rows = visits(world)
    swap(rows[2], rows[8], [*CONTENT, "entry_hash"])
    message = broken()
    assert f"bij regel {rows[2].pk} " in message
    assert "de inhoud van de regel is veranderd" in message


def test_rows_renumbered_into_another_order_are_named(world):
    """Two rows swapped whole, their positions too: the written order shows it."""
    rows = visits(world)
    swap(rows[2], rows[3], [*CONTENT, "entry_hash", "sequence"])
    message = broken()
    assert f"bij regel {rows[2].pk} " in message
    assert "de volgorde is veranderd (volgnummer 4, verwacht 3)" in message


def test_the_database_refuses_to_delete_or_truncate_the_log(world):
    visits(world, count=1)
    before = AccessLogEntry.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM access_accesslogentry")
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # this test's own inserts
            cursor.execute("TRUNCATE access_accesslogentry")
    assert AccessLogEntry.objects.count() == before
    assert "Toegangslog in orde" in verify()


def test_existing_rows_are_chained_by_the_migration(world):
    """Rows written before the chain existed get their place and hash, in written order."""
    migration = importlib.import_module(
        "schakelpunt.access.migrations.0005_access_log_chain_existing_entries"
    )
    before = MigrationLoader(connection).project_state(
        ("access", "0004_access_log_kind_and_hash_chain")
    )
    user = world.users["coach"]
    with connection.cursor() as cursor:
        for n in range(3):  # as 0004 left them: no place in the chain yet, no hash
            cursor.execute(
                "INSERT INTO access_accesslogentry (event_id, at, user_id, user_display, role,"
                " student_id, action, part, path, kind, sequence, entry_hash)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    f"0000000000000000000000000000000{n}",
                    datetime(2025, n + 1, 1, 10, tzinfo=UTC),
                    user.pk,
                    "Coach <coach@example.nl>",
                    "coach",
                    world.students["t1"].pk,
                    "view",
                    "identity",
                    "/studenten/",
                    "detail",
                    1000 - n,
                    "",
                ],
            )
    assert "Toegangslog NIET in orde" in broken()

    class Editor:  # the part of a schema editor the data migration uses
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.chain_existing(before.apps, Editor())
    assert "Toegangslog in orde: 3 regels" in verify()
    visits(world, count=1)
    assert "Toegangslog in orde: 8 regels" in verify()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two PostgreSQL connections")
def test_writers_at_the_same_time_do_not_fork_the_chain(refdata):
    from tests.world import build_world

    from schakelpunt.access.parts import Action, Part
    from schakelpunt.access.services import access_log_record

    world = build_world()
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def writer(who: str) -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(10):
                with transaction.atomic():
                    access_log_record(
                        actor=world.users[who],
                        activity=Activity.SUPPORT,
                        students=[world.students["t1"], world.students["t2"]],
                        action=Action.VIEW,
                        parts=[Part.IDENTITY, Part.SUPPORT],
                        role="care_coordinator",
                    )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=(w,)) for w in ("care_l1", "coach", "admin", "privacy")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert "Toegangslog in orde: 160 regels" in verify()
