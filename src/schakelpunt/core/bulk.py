"""Writing many rows at once: COPY on PostgreSQL, batched INSERTs elsewhere.

For the nightly and import jobs that write tens of thousands of rows, where `bulk_create`
spends most of its time adapting values in Python. The database still checks every
constraint; nothing is returned (no primary keys).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

BATCH = 50_000
Progress = Callable[[int], None]


def insert_rows(
    model: type[Model],
    field_names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    progress: Progress | None = None,
) -> None:
    """Insert `rows` (values in the order of `field_names`, already as the database stores
    them). `progress` is called with the number of rows written after each batch."""
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(str(meta.db_table))
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            batch = rows[i : i + BATCH]
            if connection.vendor == "postgresql":
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


def insert_objects(objects: Iterable[Model]) -> int:
    """Insert unsaved model instances (defaults applied as by `save`); returns how many."""
    objects = list(objects)
    if not objects:
        return 0
    meta = objects[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy is slow per value
    rows = [[f.get_db_prep_save(f.pre_save(obj, add=True), db) for f in fields] for obj in objects]
    insert_rows(type(objects[0]), [f.name for f in fields], rows)
    return len(objects)
