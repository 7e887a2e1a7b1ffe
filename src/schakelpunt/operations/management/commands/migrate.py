"""`schakelpunt migrate` with a lock timeout on PostgreSQL, safe while the old version serves.

A migration that waits for a lock (an ALTER TABLE behind a long read) makes every later query
on that table queue behind it: the site would hang. With `lock_timeout` the migration gives up
after a few seconds instead, is rolled back whole, and can simply be run again
(docs/deployment.md).
"""

import os
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import OperationalError, connections

# Seconds a migration may wait for a lock before it gives up; 0: wait as long as it takes.
DEFAULT_LOCK_TIMEOUT = float(os.environ.get("SCHAKELPUNT_MIGRATE_LOCK_TIMEOUT", "5"))
LOCK_NOT_AVAILABLE = "55P03"


class Command(DjangoMigrate):
    help = (
        DjangoMigrate.help
        + " Op PostgreSQL wacht een migratie hooguit --lock-timeout seconden op een lock."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=DEFAULT_LOCK_TIMEOUT,
            help="seconden wachten op een lock (PostgreSQL; 0: onbeperkt)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not options["lock_timeout"]:
            super().handle(*args, **options)
            return
        milliseconds = round(options["lock_timeout"] * 1000)
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {milliseconds:d}")
        try:
            super().handle(*args, **options)
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise CommandError(
                f"De migratie wachtte langer dan {options['lock_timeout']:g} s op een lock en is "
                "teruggedraaid; de site draait gewoon door. Probeer het later opnieuw, of zoek "
                "in pg_stat_activity wat de tabel vasthoudt."
            ) from error
        finally:
            if connection.connection is not None and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("RESET lock_timeout")
