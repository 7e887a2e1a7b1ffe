"""Writing many rows at once: COPY on PostgreSQL, batched INSERTs elsewhere.

For the nightly and import jobs that write tens of thousands of rows, where `bulk_create`
spends most of its time building model instances and adapting each value. The database still
checks every constraint; nothing is returned (no primary keys).
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

BATCH = 50_000
Progress = Callable[[int], None]


def json_text(value: Any) -> str:
    """A JSON field's value for `insert_rows`: text, as both databases take it (and as
    Django's JSONField writes it)."""
    return json.dumps(value)


def insert_rows(
    model: type[Model],
    field_names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    progress: Progress | None = None,
) -> int:
    """Insert `rows`: values in the order of `field_names`, already as the database stores
    them (JSON as `json_text`). Every other column gets its field's default, computed once (so one
    `created_at` for the whole call). `progress` gets the number of rows written after each
    batch. Returns how many rows were written."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy is slow per call
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    others = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    defaults = tuple(f.get_db_prep_save(f.get_default(), db) for f in others)
    columns = [str(f.column) for f in [*given, *others]]  # type: ignore[union-attr]
    return copy_rows(str(meta.db_table), columns, rows, same=defaults, progress=progress)


def copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    same: Sequence[Any] = (),
    progress: Progress | None = None,
) -> int:
    """Write `rows` (values in the order of `columns`, as the database stores them, then
    `same` for every row) into `table`, also a temporary one: COPY on PostgreSQL, batched
    INSERTs elsewhere, `BATCH` rows at a time; `progress` gets the rows written after each
    batch. Returns how many rows were written."""
    db = connections[DEFAULT_DB_ALIAS]
    quoted = db.ops.quote_name(table)
    names = ", ".join(db.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with db.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            batch = [(*row, *same) for row in rows[i : i + BATCH]] if same else rows[i : i + BATCH]
            if db.vendor == "postgresql":
                with cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {quoted} ({names}) VALUES ({marks})",  # noqa: S608
                    batch,
                )
            if progress:
                progress(i + len(batch))
    return len(rows)


def update_rows(
    model: type[Model], field_names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Set `field_names` for many rows: each row is the primary key and then the values, as
    the database stores them. PostgreSQL: COPY into a temporary table and one UPDATE; elsewhere
    one UPDATE per row, batched. Returns how many rows were given."""
    if not rows:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    table = db.ops.quote_name(str(meta.db_table))
    pk = db.ops.quote_name(str(meta.pk.column))
    columns = [db.ops.quote_name(str(f.column)) for f in fields]  # type: ignore[union-attr]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE bulk_update ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {pk}, {', '.join(columns)} FROM {table} WITH NO DATA"
            )
            names = ", ".join([pk, *columns])
            with cursor.copy(f"COPY bulk_update ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{c} = bulk_update.{c}" for c in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM bulk_update "  # noqa: S608
                f"WHERE {table}.{pk} = bulk_update.{pk}"
            )
            cursor.execute("DROP TABLE bulk_update")
        else:
            assignments = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                [(*row[1:], row[0]) for row in rows],
            )
    return len(rows)
