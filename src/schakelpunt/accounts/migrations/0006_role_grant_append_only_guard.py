"""The database itself refuses to change recorded role grants (and, on PostgreSQL, to delete
them), as for the access log."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION role_grant_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'role grants are append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER role_grant_append_only
  BEFORE UPDATE OR DELETE ON accounts_rolegrant
  FOR EACH ROW EXECUTE FUNCTION role_grant_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS role_grant_append_only ON accounts_rolegrant;
DROP FUNCTION IF EXISTS role_grant_append_only();
"""
# On SQLite only updates are refused in the database: the test runner empties tables with
# DELETE. The ORM refuses deletes on both.
SQLITE_FORWARD = """
CREATE TRIGGER role_grant_append_only BEFORE UPDATE ON accounts_rolegrant
BEGIN SELECT RAISE(ABORT, 'role grants are append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS role_grant_append_only;"


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
    dependencies = [("accounts", "0005_role_grants_setup_codes_managed_organisations")]

    operations = [migrations.RunPython(forward, backward)]
