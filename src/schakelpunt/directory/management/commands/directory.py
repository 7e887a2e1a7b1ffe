from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.directory.hsds import directory_export_json, directory_import


class Command(BaseCommand):
    help = (
        "Sociale kaart als Open Referral HSDS 3 JSON: 'export --format hsds' schrijft naar "
        "standaarduitvoer, 'import BESTAND' leest een bestand in (alles of niets)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", nargs="?", type=Path, help="bij import: het HSDS-bestand")
        parser.add_argument("--format", choices=["hsds"], default="hsds")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.stdout.write(directory_export_json(), ending="")
            return
        if options["file"] is None:
            raise CommandError("Geef het bestand op: schakelpunt directory import BESTAND.json")
        try:
            data = options["file"].read_bytes()
        except OSError as problem:
            raise CommandError(
                f"Kan {options['file']} niet lezen: {problem.strerror}."
            ) from problem
        result = directory_import(data)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Niets geïmporteerd: het bestand voldoet niet aan HSDS 3 "
                f"({len(result.errors)} fout(en))."
            )
        self.stdout.write(
            f"{result.created} nieuw, {result.updated} bijgewerkt, {result.unchanged} ongewijzigd."
        )
