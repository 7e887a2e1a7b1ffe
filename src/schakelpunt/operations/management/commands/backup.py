from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from schakelpunt.operations.backup import BackupError, backup


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.2f} GB"


class Command(BaseCommand):
    help = _(
        "Maakt één archief (.tar, alleen leesbaar voor de eigenaar) met de database "
        "(PostgreSQL: pg_dump in custom-opmaak; SQLite: een consistente kopie), de bestanden "
        "uit de datamap en een manifest met tellingen en controlegetallen (docs/backup.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help=_("waar het archief komt (standaard: schakelpunt-backup-DATUM.tar hier)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup(options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        last = manifest["access_log"]["last_entry"]
        self.stdout.write(
            _(
                "Back-up gemaakt: %(path)s (%(size)s): %(tables)s tabellen met %(rows)s rijen, "
                "%(files)s bestanden uit de datamap."
            )
            % {
                "path": result.path,
                "size": _size(result.size),
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]) - 1,
            }
        )
        if last:
            self.stdout.write(
                _("Laatste regel van het toegangslog: %(id)s (hash %(hash)s).")
                % {"id": last["id"], "hash": last["hash"]}
            )
        self.stdout.write(
            _("Het archief bevat persoonsgegevens: bewaar het versleuteld en buiten deze server.")
        )
