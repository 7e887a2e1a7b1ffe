"""Records that are only ever added to (the access log, the role grants): the model refuses
to change or delete a row, its queryset refuses bulk updates and deletes, and a migration
operation lets the database itself refuse UPDATE on every database and DELETE on PostgreSQL too
(the SQLite test runner empties tables with DELETE)."""

from typing import Any, NoReturn

from django.db import migrations, models


class AppendOnlyError(Exception):
    """An append-only record is never changed or deleted."""


def _refuse(model: type[models.Model]) -> NoReturn:
    raise AppendOnlyError(f"{model._meta.verbose_name_plural} is append-only.")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse(self.model)

    def delete(self) -> NoReturn:
        _refuse(self.model)


class AppendOnlyModel(models.Model):
    """Saved once, never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(type(self))


def _statements(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """(forward, backward) SQL for this database; none for another database."""
    name = f"{table}_append_only"
    message = f"{table} is append-only"
    if vendor == "postgresql":
        return (
            [
                f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;""",
                f"""CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {name}();""",
            ],
            [f"DROP TRIGGER IF EXISTS {name} ON {table};", f"DROP FUNCTION IF EXISTS {name}();"],
        )
    if vendor == "sqlite":
        return (
            [
                f"""CREATE TRIGGER {name} BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{message}'); END;"""
            ],
            [f"DROP TRIGGER IF EXISTS {name};"],
        )
    return [], []


def append_only_guard(table: str) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table, schema_editor.connection.vendor)[0]:
            schema_editor.execute(statement)

    def backward(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table, schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement)

    return migrations.RunPython(forward, backward)
