"""The one deliberate way to delete the access log: its oldest part, older than five years
(access/retention.py, docs/decisions/0029).

The chain's end keeps where the chain now starts (the anchor) and, only while a purge runs
inside its transaction, a permit: entries up to a place and older than a moment may go. The
guards allow a DELETE only under that permit and only of a row older than five years; every
other UPDATE, DELETE and TRUNCATE of the log and of the decision log is still refused.
PostgreSQL: the purge is a SECURITY DEFINER function of the tables' owner, the application's
role may run it (`accesslog grant`) but still has no DELETE and cannot write the permit.

On SQLite the DELETE triggers of both logs read the chain's end: a later migration that
rebuilds `access_accesslogchainhead` there (altering one of its fields does) must drop those
two triggers first and create them again after, as below; SQLite refuses the rebuild loudly
("error in trigger access_log_no_delete: no such table"). A migration that rebuilds the log's
own table loses its triggers (see 0006): create them again with these WHEN clauses.
"""

from django.db import migrations, models

GENESIS = "0" * 64

PG_FORWARD = """
CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.at < now() - interval '5 years' AND EXISTS (
        SELECT 1 FROM access_accesslogchainhead h
        WHERE h.id = 1 AND OLD.sequence <= h.purge_through AND OLD.at < h.purge_before) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'access log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION access_accessdecision_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.at < now() - interval '5 years' AND EXISTS (
        SELECT 1 FROM access_accesslogchainhead h
        WHERE h.id = 1 AND OLD.at < h.purge_before) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'access_accessdecision is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS access_accessdecision_no_truncate ON access_accessdecision;
CREATE TRIGGER access_accessdecision_no_truncate
  BEFORE TRUNCATE ON access_accessdecision
  FOR EACH STATEMENT EXECUTE FUNCTION access_accessdecision_append_only();

CREATE OR REPLACE FUNCTION access_log_purge(
  through bigint, cutoff timestamptz, decision_limit bigint DEFAULT NULL
) RETURNS TABLE (
  purged_entries bigint, purged_decisions bigint, new_anchor_sequence bigint,
  new_anchor_hash varchar
)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  oldest_kept timestamptz := least(cutoff, now() - interval '5 years');
  head record;
  through_hash varchar;
  entries bigint := 0;
  decisions bigint := 0;
BEGIN
  SELECT * INTO head FROM access_accesslogchainhead WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the access log has no chain head' USING ERRCODE = 'restrict_violation';
  END IF;
  IF through > head.anchor_sequence THEN
    SELECT e.entry_hash INTO through_hash FROM access_accesslogentry e
      WHERE e.sequence = through;
    IF through_hash IS NULL
       OR (SELECT count(*) FROM access_accesslogentry e
           WHERE e.sequence > head.anchor_sequence AND e.sequence <= through)
          <> through - head.anchor_sequence THEN
      RAISE EXCEPTION 'only a whole prefix of the access log is deleted'
        USING ERRCODE = 'restrict_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM access_accesslogentry e
               WHERE e.sequence > head.anchor_sequence AND e.sequence <= through
               AND e.at >= oldest_kept) THEN
      RAISE EXCEPTION 'the access log is kept for five years'
        USING ERRCODE = 'restrict_violation';
    END IF;
    UPDATE access_accesslogchainhead
      SET purge_through = through, purge_before = oldest_kept WHERE id = 1;
    DELETE FROM access_accesslogentry e
      WHERE e.sequence > head.anchor_sequence AND e.sequence <= through;
    GET DIAGNOSTICS entries = ROW_COUNT;
    UPDATE access_accesslogchainhead
      SET anchor_sequence = through, anchor_hash = through_hash WHERE id = 1;
    head.anchor_sequence := through;
    head.anchor_hash := through_hash;
  ELSE
    UPDATE access_accesslogchainhead SET purge_before = oldest_kept WHERE id = 1;
  END IF;
  DELETE FROM access_accessdecision WHERE id IN (
    SELECT d.id FROM access_accessdecision d WHERE d.at < oldest_kept
    ORDER BY d.at, d.id LIMIT decision_limit);
  GET DIAGNOSTICS decisions = ROW_COUNT;
  UPDATE access_accesslogchainhead SET purge_through = 0, purge_before = NULL WHERE id = 1;
  RETURN QUERY SELECT entries, decisions, head.anchor_sequence::bigint,
    head.anchor_hash::varchar;
END;
$$;
REVOKE ALL ON FUNCTION access_log_purge(bigint, timestamptz, bigint) FROM PUBLIC;
"""
PG_BACKWARD = """
DROP FUNCTION IF EXISTS access_log_purge(bigint, timestamptz, bigint);
DROP TRIGGER IF EXISTS access_accessdecision_no_truncate ON access_accessdecision;
CREATE OR REPLACE FUNCTION access_accessdecision_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'access_accessdecision is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'access log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""
# SQLite has no roles: the guards are what stops a plain DELETE (an UPDATE stays refused by
# the triggers of 0007).
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS access_log_no_delete;",
    """CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_accesslogentry
WHEN NOT EXISTS (
  SELECT 1 FROM access_accesslogchainhead h
  WHERE h.id = 1 AND OLD.sequence <= h.purge_through AND OLD.at < h.purge_before
  AND OLD.at < datetime('now', '-5 years'))
BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;""",
    "DROP TRIGGER IF EXISTS access_accessdecision_no_delete;",
    """CREATE TRIGGER access_accessdecision_no_delete BEFORE DELETE ON access_accessdecision
WHEN NOT EXISTS (
  SELECT 1 FROM access_accesslogchainhead h
  WHERE h.id = 1 AND OLD.at < h.purge_before AND OLD.at < datetime('now', '-5 years'))
BEGIN SELECT RAISE(ABORT, 'access_accessdecision is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS access_accessdecision_no_delete;",
    "DROP TRIGGER IF EXISTS access_log_no_delete;",
    """CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_accesslogentry
BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;""",
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
    dependencies = [("access", "0007_processing_log_and_decision_log")]

    # Only the chain's end gets columns: the log's own tables are not rebuilt, and their
    # guards are replaced after the columns they read exist.
    operations = [
        migrations.AddField(
            model_name="accesslogchainhead",
            name="anchor_sequence",
            field=models.PositiveBigIntegerField(
                db_default=0, default=0, verbose_name="begin van de keten"
            ),
        ),
        migrations.AddField(
            model_name="accesslogchainhead",
            name="anchor_hash",
            field=models.CharField(
                db_default=GENESIS,
                default=GENESIS,
                max_length=64,
                verbose_name="hash vóór het begin",
            ),
        ),
        migrations.AddField(
            model_name="accesslogchainhead",
            name="purge_through",
            field=models.PositiveBigIntegerField(
                db_default=0, default=0, verbose_name="wissen tot en met"
            ),
        ),
        migrations.AddField(
            model_name="accesslogchainhead",
            name="purge_before",
            field=models.DateTimeField(blank=True, null=True, verbose_name="wissen van vóór"),
        ),
        migrations.RunPython(forward, backward),
    ]
