import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from schakelpunt.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = _(
        "Zet een archief van 'schakelpunt backup' terug in de ingestelde database (alleen "
        "als die leeg is, tenzij --force met --confirm DATABASENAAM) en de datamap, en controleert daarna elke tabel, "
        "de laatste regel van het toegangslog en de keten van hashes (docs/backup.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help=_("het archief (.tar)"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "vervang ook een database die al gegevens bevat (met --confirm, of de naam "
                "getypt als de opdracht erom vraagt)"
            ),
        )
        parser.add_argument(
            "--confirm",
            metavar="DATABASENAAM",
            help=_(
                "de naam van de database die vervangen wordt (PostgreSQL: de databasenaam, "
                "SQLite: de bestandsnaam); nodig met --force als er geen terminal is"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore(
                options["archive"],
                force=options["force"],
                confirm=lambda name, tables: self._confirmed(name, tables, options["confirm"]),
                progress=self._say,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        if result.differences:
            raise CommandError(
                _("Teruggezet, maar NIET gelijk aan de back-up: %(differences)s.")
                % {"differences": "; ".join(result.differences)}
            )
        last = manifest["access_log"]["last_entry"]
        self.stdout.write(
            _(
                "Teruggezet en gecontroleerd: de back-up van %(created)s (Schakelpunt "
                "%(version)s), %(tables)s tabellen met %(rows)s rijen, elk gelijk aan het "
                "manifest; %(files)s bestanden in de datamap."
            )
            % {
                "created": manifest["created_at"],
                "version": manifest["schakelpunt_version"],
                "tables": result.tables,
                "rows": result.rows,
                "files": result.files,
            }
        )
        self.stdout.write(
            _("Toegangslog in orde: %(entries)s regels, de keten is onverbroken%(last)s.")
            % {
                "entries": result.chain_entries,
                "last": (
                    _(", de laatste regel is %(id)s zoals in de back-up") % {"id": last["id"]}
                    if last
                    else ""
                ),
            }
        )
        if result.extra_tables:
            self.stdout.write(
                _("Tabellen die niet in de back-up staan (bleven staan): %(tables)s.")
                % {"tables": ", ".join(result.extra_tables)}
            )
        if result.unapplied_migrations:
            self.stdout.write(
                _(
                    "Deze code heeft %(count)s nieuwere migraties: voer nu 'schakelpunt migrate' uit."
                )
                % {"count": len(result.unapplied_migrations)}
            )
        if connection.vendor == "postgresql":
            self.stdout.write(
                _(
                    "Geef de databaserol van de applicatie weer haar rechten: "
                    "'schakelpunt accesslog grant ROL' (rechten zitten niet in de back-up)."
                )
            )
        self.stdout.write(
            _(
                "Wie sinds deze back-up gewist is, staat er weer in: voer de bewaartermijnen "
                "opnieuw uit ('schakelpunt retention propose', goedkeuren, 'schakelpunt "
                "retention run') en herhaal verwijderverzoeken van na %(created)s (docs/backup.md)."
            )
            % {"created": manifest["created_at"]}
        )

    def _confirmed(self, name: str, tables: list[str], given: str | None) -> bool:
        """The operator names the database that is about to be replaced: with --confirm, or
        typed at the prompt. Anything else refuses."""
        if given is not None:
            if given != name:
                raise CommandError(
                    _(
                        "--confirm %(given)s is niet de naam van deze database (%(name)s): er "
                        "is niets teruggezet."
                    )
                    % {"given": given, "name": name}
                )
            return True
        if not sys.stdin.isatty():
            return False
        self.stdout.write(
            _(
                "De database %(name)s bevat gegevens (%(tables)s). Alles daarin wordt vervangen "
                "door de back-up. Stop eerst de webservers en workers (docs/backup.md)."
            )
            % {"name": name, "tables": ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")}
        )
        typed = input(_("Typ de naam van de database om door te gaan: ")).strip()
        if typed != name:
            raise CommandError(
                _("%(typed)s is niet %(name)s: er is niets teruggezet.")
                % {"typed": typed or "(niets)", "name": name}
            )
        return True

    def _say(self, text: str) -> None:
        self.stdout.write(text)
