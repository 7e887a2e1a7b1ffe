from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from schakelpunt.events.services import deliver_due


class Command(BaseCommand):
    help = (
        "Gebeurtenissen voor gekoppelde systemen: 'deliver' verstuurt in één ronde wat nu aan "
        "de beurt is (de achtergrondtaak doet dit elke minuut)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["deliver"])

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = deliver_due()
        self.stdout.write(
            f"afgeleverd: {outcome.delivered}, later opnieuw: {outcome.retrying}, "
            f"mislukt: {outcome.failed}, niet verstuurd: {outcome.cancelled}"
        )
