from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from schakelpunt.monitor.periods import PeriodError, parse_published_period
from schakelpunt.monitor.snapshots import (
    ScopeNotFound,
    refresh_all,
    report_pdf,
    scope_by_code,
)


class Command(BaseCommand):
    help = (
        "Monitor: 'report --period 2025-2026-S1 --municipality GM0153 --out rapport.pdf' maakt "
        "het bestuurlijk rapport (of --region MC12 voor een RMC-regio); 'refresh' berekent de "
        "dashboards van alle gemeenten, regio's en instellingen opnieuw."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["report", "refresh"])
        parser.add_argument("--period", help="2025-2026, 2025-2026-S1 of 2026-03")
        parser.add_argument("--municipality", help="CBS-gemeentecode, bijvoorbeeld GM0153")
        parser.add_argument("--region", help="RMC-regiocode, bijvoorbeeld MC12")
        parser.add_argument("--out", type=Path, help="waar het PDF-bestand komt")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["action"] == "refresh":
            try:
                periods = (
                    [parse_published_period(options["period"], today=today)]
                    if options["period"]
                    else None
                )
            except PeriodError as problem:
                raise CommandError(str(problem)) from problem
            built = refresh_all(periods)
            self.stdout.write(f"{built} dashboards opnieuw berekend.")
            return
        if not options["period"] or not options["out"]:
            raise CommandError("Geef --period en --out op, en --municipality of --region.")
        try:
            period = parse_published_period(options["period"], today=today)
            scope = scope_by_code(municipality=options["municipality"], region=options["region"])
        except (PeriodError, ScopeNotFound) as problem:
            raise CommandError(str(problem)) from problem
        pdf = report_pdf(scope, period, generated=timezone.now())
        try:
            options["out"].write_bytes(pdf)
        except OSError as problem:
            raise CommandError(
                f"Kan {options['out']} niet schrijven: {problem.strerror}."
            ) from problem
        self.stdout.write(f"Rapport {scope.title}, {period.code}: {options['out']}")
