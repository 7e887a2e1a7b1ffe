"""Writing many rows at once: COPY on PostgreSQL, batched INSERTs elsewhere.

For the nightly and import jobs that write tens of thousands of rows, where `bulk_create`
spends most of its time building model instances and adapting each value. The database still
checks every constraint; nothing is returned (no primary keys).
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

BATCH = 50_000
Progress = Callable[[int], None]


def db_value(model: type[Model], name: str, value: Any) -> Any:
    """`value` as the database stores it in field `name` (e.g. JSON)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # noqa: S101 - a concrete field, not a relation's reverse
    return field.get_db_prep_save(value, connections[DEFAULT_DB_ALIAS])


def insert_rows(
    model: type[Model],
    field_names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    progress: Progress | None = None,
) -> int:
    """Insert `rows`: values in the order of `field_names`, already as the database stores
    them (see `db_value`). Every other column gets its field's default, computed once (so one
    `created_at` for the whole call). `progress` gets the number of rows written after each
    batch. Returns how many rows were written."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy is slow per call
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    others = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    defaults = tuple(f.get_db_prep_save(f.get_default(), db) for f in others)
    columns = [str(f.column) for f in [*given, *others]]  # type: ignore[union-attr]
    table = db.ops.quote_name(str(meta.db_table))
    names = ", ".join(db.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with db.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            batch = [(*row, *defaults) for row in rows[i : i + BATCH]]
            if db.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                    batch,
                )
            if progress:
                progress(i + len(batch))
    return len(rows)
