"""A migration operation that lets the database itself refuse to change a table's rows:
UPDATE on every database, DELETE on PostgreSQL too (the SQLite test runner empties tables
with DELETE; the models refuse deletes on both)."""

from typing import Any

from django.db import migrations


def _statements(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """(forward, backward) SQL for this database; none for another database."""
    name = f"{table}_append_only"
    message = f"{table} is append-only"
    if vendor == "postgresql":
        return (
            [
                f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;""",
                f"""CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {name}();""",
            ],
            [f"DROP TRIGGER IF EXISTS {name} ON {table};", f"DROP FUNCTION IF EXISTS {name}();"],
        )
    if vendor == "sqlite":
        return (
            [
                f"""CREATE TRIGGER {name} BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{message}'); END;"""
            ],
            [f"DROP TRIGGER IF EXISTS {name};"],
        )
    return [], []


def append_only_guard(table: str) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table, schema_editor.connection.vendor)[0]:
            schema_editor.execute(statement)

    def backward(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table, schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement)

    return migrations.RunPython(forward, backward)
