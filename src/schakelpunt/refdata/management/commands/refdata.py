from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from schakelpunt.refdata.loader import load_reference_data, load_school_holidays
from schakelpunt.refdata.models import Municipality, PostcodeArea, RegionalHoliday, RmcRegion


class Command(BaseCommand):
    help = (
        "Referentiegegevens: 'load' laadt gemeenten, RMC-regio's en postcodes (CBS) en de "
        "schoolvakanties per regio (Rijksoverheid)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            result = load_reference_data(
                RmcRegion=RmcRegion, Municipality=Municipality, PostcodeArea=PostcodeArea
            )
            holidays = load_school_holidays(RegionalHoliday=RegionalHoliday)
        self.stdout.write(
            f"{result.regions} RMC-regio's, {result.municipalities} gemeenten, "
            f"{result.postcodes} postcodegebieden geladen (bron: CBS, CC BY 4.0)."
        )
        self.stdout.write(
            f"{holidays.total} schoolvakanties per regio ({holidays.created} nieuw, "
            f"{holidays.updated} bijgewerkt; bron: Rijksoverheid, Schoolvakanties)."
        )
