from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from schakelpunt.privacy.register_selectors import register_csv, register_markdown


class Command(BaseCommand):
    help = (
        "Privacy: 'register' drukt het register van verwerkingen af (AVG art. 30), per "
        "verwerking de gegevens en tabellen, doelen, grondslag, ontvangers, bewaartermijnen en "
        "herkomst; --format md (Markdown, standaard) of csv (puntkomma, UTF-8 met BOM)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["register"])
        parser.add_argument("--format", choices=["md", "csv"], default="md", dest="format")

    def handle(self, *args: Any, **options: Any) -> None:
        text = register_csv() if options["format"] == "csv" else register_markdown()
        self.stdout.write(text, ending="")
