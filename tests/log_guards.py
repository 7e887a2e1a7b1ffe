"""Setting the access log's database guards aside, as only the tables' owner can.

Tests use it twice: to empty the database after a transactional test (the guards refuse
TRUNCATE on PostgreSQL and DELETE on SQLite, of the log and of the decision log; only the
purge after five years, access/retention.py, may delete), and to play an attacker with the
owner role who edits the log by raw SQL, which the hash chain must then reveal.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations

TABLE = "access_accesslogentry"
# The guarded tables: the log, the decision log of refused attempts and the role grants'
# log (on SQLite its DELETE trigger, accounts migration 0012).
TABLES = (TABLE, "access_accessdecision", "accounts_rolegrant")


@contextmanager
def log_guards_off(connection: Any = default_connection) -> Iterator[None]:
    """The triggers of the access log and the decision log off inside the block, back on
    after it."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # Deferred foreign-key checks of this transaction first, or ALTER TABLE refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield
            finally:
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        if vendor != "sqlite":
            yield
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            "(%s, %s, %s)",
            list(TABLES),
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            for _name, sql in triggers:
                cursor.execute(sql)


_original_flush = BaseDatabaseOperations.execute_sql_flush


def _flush_with_log_guards_off(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
    with transaction.atomic(using=self.connection.alias), log_guards_off(self.connection):
        _original_flush(self, sql_list)


def allow_test_flush() -> None:
    """Let the test runner empty the database between transactional tests."""
    BaseDatabaseOperations.execute_sql_flush = _flush_with_log_guards_off  # type: ignore[method-assign]
