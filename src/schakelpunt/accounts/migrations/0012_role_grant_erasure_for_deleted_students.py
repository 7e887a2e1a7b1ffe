"""The one deliberate way to change the role grants' append-only log: when the retention run
deletes a student (privacy/retention.py), the grants given to their account and to a parent's
account that is anonymised go, and the student's number is taken out of the texts of other
grants of that school ("ouder of verzorger van studentnummer N").

Only while `accounts.grant_erasure.role_grants_erase` runs does a permit row exist (for this
transaction); the guards allow a DELETE, and an UPDATE of the three texts only, under that
permit. Every other UPDATE and DELETE stays refused, on PostgreSQL and now on SQLite too.
PostgreSQL: the erasure is a SECURITY DEFINER function of the tables' owner; the application's
role may run it and read the permit but cannot write it (access/database.py).

On SQLite a migration that rebuilds `accounts_rolegrant` loses these triggers: set them again.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE TABLE IF NOT EXISTS accounts_rolegrant_permit (txid bigint PRIMARY KEY);

CREATE OR REPLACE FUNCTION accounts_rolegrant_append_only() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM accounts_rolegrant_permit p WHERE p.txid = txid_current()) THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.at = OLD.at
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.grantee_id IS NOT DISTINCT FROM OLD.grantee_id
       AND NEW.grantee_email = OLD.grantee_email
       AND NEW.organisation_id = OLD.organisation_id
       AND NEW.role = OLD.role AND NEW.outcome = OLD.outcome THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'accounts_rolegrant is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION accounts_rolegrant_erase(
  user_ids bigint[], emails text[], organisation bigint, number text
) RETURNS TABLE (deleted bigint, redacted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  gone bigint := 0;
  actors bigint := 0;
  texts bigint := 0;
  pattern text;
BEGIN
  INSERT INTO accounts_rolegrant_permit (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
  DELETE FROM accounts_rolegrant g
    WHERE g.grantee_id = ANY(user_ids)
       OR (g.grantee_id IS NULL AND lower(g.grantee_email) = ANY(emails));
  GET DIAGNOSTICS gone = ROW_COUNT;
  UPDATE accounts_rolegrant g SET actor_display = '[verwijderd]'
    WHERE g.actor_id = ANY(user_ids) AND g.actor_display <> '[verwijderd]';
  GET DIAGNOSTICS actors = ROW_COUNT;
  IF number ~ '^[0-9A-Za-z]+$' THEN
    pattern := '(^|[^0-9A-Za-z])' || number || '($|[^0-9A-Za-z])';
    UPDATE accounts_rolegrant g
      SET scope_display = regexp_replace(g.scope_display, pattern, '\1[verwijderd]\2', 'g'),
          reason = regexp_replace(g.reason, pattern, '\1[verwijderd]\2', 'g')
      WHERE g.organisation_id = organisation
        AND (g.scope_display ~ pattern OR g.reason ~ pattern);
    GET DIAGNOSTICS texts = ROW_COUNT;
  END IF;
  DELETE FROM accounts_rolegrant_permit WHERE txid = txid_current();
  RETURN QUERY SELECT gone, actors + texts;
END;
$$;
REVOKE ALL ON FUNCTION accounts_rolegrant_erase(bigint[], text[], bigint, text) FROM PUBLIC;
"""
PG_BACKWARD = """
DROP FUNCTION IF EXISTS accounts_rolegrant_erase(bigint[], text[], bigint, text);
CREATE OR REPLACE FUNCTION accounts_rolegrant_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'accounts_rolegrant is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TABLE IF EXISTS accounts_rolegrant_permit;
"""
_UNCHANGED = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}"
    for c in (
        "id",
        "at",
        "actor_id",
        "grantee_id",
        "grantee_email",
        "organisation_id",
        "role",
        "outcome",
    )
)
SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS accounts_rolegrant_permit (txid integer PRIMARY KEY);",
    "DROP TRIGGER IF EXISTS accounts_rolegrant_append_only;",
    f"""CREATE TRIGGER accounts_rolegrant_append_only BEFORE UPDATE ON accounts_rolegrant
WHEN NOT EXISTS (SELECT 1 FROM accounts_rolegrant_permit) OR {_UNCHANGED}
BEGIN SELECT RAISE(ABORT, 'accounts_rolegrant is append-only'); END;""",  # noqa: S608
    "DROP TRIGGER IF EXISTS accounts_rolegrant_no_delete;",
    """CREATE TRIGGER accounts_rolegrant_no_delete BEFORE DELETE ON accounts_rolegrant
WHEN NOT EXISTS (SELECT 1 FROM accounts_rolegrant_permit)
BEGIN SELECT RAISE(ABORT, 'accounts_rolegrant is append-only'); END;""",  # noqa: S608
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_rolegrant_no_delete;",
    "DROP TRIGGER IF EXISTS accounts_rolegrant_append_only;",
    """CREATE TRIGGER accounts_rolegrant_append_only BEFORE UPDATE ON accounts_rolegrant
BEGIN SELECT RAISE(ABORT, 'accounts_rolegrant is append-only'); END;""",  # noqa: S608
    "DROP TABLE IF EXISTS accounts_rolegrant_permit;",
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
    dependencies = [("accounts", "0011_identity_provider_second_factor")]

    operations = [migrations.RunPython(forward, backward)]
