"""Indexes for the triage page (docs/scaling.md): the open concerns per student, and the
concerns held back from the student that wait for review.

On PostgreSQL they are built CONCURRENTLY: concerns keep being raised and closed while they
are built, so the migration can run while the old version serves (docs/deployment.md). That
cannot happen inside a transaction, hence `atomic = False`; a build that was interrupted
leaves an invalid index behind, which running the migration again drops and builds anew.
"""

from typing import Any

from django.db import migrations, models

OPEN = models.Index(
    fields=["student"], condition=~models.Q(status="closed"), name="open_concern_student"
)
TO_REVIEW = models.Index(
    fields=["withheld_at"],
    condition=~models.Q(withheld_reason="") & models.Q(withheld_reviewed_at=None),
    name="held_back_to_review",
)


def build(apps: Any, schema_editor: Any) -> None:
    concern = apps.get_model("signals", "Concern")
    if schema_editor.connection.vendor != "postgresql":
        for index in (OPEN, TO_REVIEW):
            schema_editor.add_index(concern, index)
        return
    quote = schema_editor.quote_name
    table = quote(concern._meta.db_table)
    column = {name: quote(concern._meta.get_field(name).column) for name in ("student", "status")}
    for index, columns, condition in (
        (OPEN, column["student"], f"NOT ({column['status']} = 'closed')"),
        (
            TO_REVIEW,
            quote("withheld_at"),
            f"NOT ({quote('withheld_reason')} = '') AND {quote('withheld_reviewed_at')} IS NULL",
        ),
    ):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND NOT i.indisvalid",
                [index.name],
            )
            if cursor.fetchone():
                cursor.execute(f"DROP INDEX CONCURRENTLY {index.name}")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index.name} ON {table} ({columns}) "
            f"WHERE {condition}"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    concern = apps.get_model("signals", "Concern")
    for index in (OPEN, TO_REVIEW):
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.remove_index(concern, index)
        else:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("signals", "0019_import_job_resumes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="concern", index=OPEN),
                migrations.AddIndex(model_name="concern", index=TO_REVIEW),
            ],
            database_operations=[migrations.RunPython(build, drop)],
        ),
    ]
