"""Every entry has its place in the chain; the database refuses to change, delete or
truncate the log (on PostgreSQL also TRUNCATE, on SQLite also DELETE)."""

from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'access log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS access_log_append_only ON access_accesslogentry;
CREATE TRIGGER access_log_append_only
  BEFORE UPDATE OR DELETE ON access_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate
  BEFORE TRUNCATE ON access_accesslogentry
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS access_log_no_truncate ON access_accesslogentry;
DROP TRIGGER IF EXISTS access_log_append_only ON access_accesslogentry;
"""
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS access_log_append_only;",
    """CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_accesslogentry
BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;""",
    """CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_accesslogentry
BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS access_log_no_delete;",
    "DROP TRIGGER IF EXISTS access_log_append_only;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("access", "0005_access_log_chain_existing_entries")]

    # On SQLite altering the column rebuilds the table, which drops its triggers: the
    # guards come after it.
    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="volgnummer"),
        ),
        migrations.RunPython(forward, backward),
    ]
