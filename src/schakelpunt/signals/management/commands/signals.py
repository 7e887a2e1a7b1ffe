from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.signals.morning_run import morning_run_inline


class Command(BaseCommand):
    help = (
        "Signalering: 'compute [--date JJJJ-MM-DD]' berekent de wettelijke meldingen en de "
        "vroegsignalering voor alle studenten (dit gebeurt ook elke ochtend vanzelf)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compute"])
        parser.add_argument("--date", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["date"] or date.today()  # noqa: DTZ011 - a calendar date
        for institution in Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION):
            run = morning_run_inline(institution=institution, today=today)
            self.stdout.write(
                f"{institution}: {run.students} studenten, {run.flagged} gesignaleerd, "
                f"{run.new_signals} nieuwe signalen, {run.reports} nieuwe verzuimmeldingen."
            )
