"""Chain the entries already in the log, in the order they were written."""

from django.db import migrations

from schakelpunt.access.chain import GENESIS, entry_digest, entry_values

# The guard of 0003 refuses the update below; 0006 puts the guards back, stronger.
DROP_GUARD = {
    "postgresql": "DROP TRIGGER IF EXISTS access_log_append_only ON access_accesslogentry;",
    "sqlite": "DROP TRIGGER IF EXISTS access_log_append_only;",
}


def chain_existing(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in DROP_GUARD:
        schema_editor.execute(DROP_GUARD[vendor])
    entry_model = apps.get_model("access", "AccessLogEntry")
    head_model = apps.get_model("access", "AccessLogChainHead")
    previous, length, batch = GENESIS, 0, []
    for entry in entry_model.objects.order_by("pk").iterator(chunk_size=2000):
        length += 1
        entry.sequence = length
        entry.entry_hash = entry_digest(previous, entry_values(entry))
        previous = entry.entry_hash
        batch.append(entry)
        if len(batch) == 1000:
            entry_model.objects.bulk_update(batch, ["sequence", "entry_hash"])
            batch = []
    entry_model.objects.bulk_update(batch, ["sequence", "entry_hash"])
    head_model.objects.update_or_create(pk=1, defaults={"length": length, "last_hash": previous})


class Migration(migrations.Migration):
    dependencies = [("access", "0004_access_log_kind_and_hash_chain")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
