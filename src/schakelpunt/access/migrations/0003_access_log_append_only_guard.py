"""The database itself refuses to change access-log rows (and, on PostgreSQL, to delete them)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'access log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_log_append_only
  BEFORE UPDATE OR DELETE ON access_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS access_log_append_only ON access_accesslogentry;
DROP FUNCTION IF EXISTS access_log_append_only();
"""
# On SQLite only updates are refused in the database: the test runner empties tables with
# DELETE, which PostgreSQL does with TRUNCATE. The ORM refuses deletes on both.
SQLITE_FORWARD = """
CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_accesslogentry
BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS access_log_append_only;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
