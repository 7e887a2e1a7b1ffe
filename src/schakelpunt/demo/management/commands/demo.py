import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from schakelpunt.core.db import refresh_planner_statistics
from schakelpunt.demo.builder import (
    DEMO_PASSWORD,
    MIN_STUDENTS,
    DemoLogin,
    build_demo_region,
    demo_exists,
    demo_logins,
    dutch_count,
)
from schakelpunt.monitor.snapshots import warm_monitor


def write_logins(out: OutputWrapper, logins: list[DemoLogin]) -> None:
    out.write(f"\nDemo-inlognamen — wachtwoord voor iedereen: {DEMO_PASSWORD}\n")
    for login in logins:
        out.write(f"  {login.email:<42} {login.role} ({login.description})\n")


class Command(BaseCommand):
    help = "Bouwt de demoregio Twente met fictieve studenten, medewerkers en partners."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=21_000, help="aantal studenten")
        parser.add_argument(
            "--seed", type=int, default=2026, help="startwaarde (zelfde waarde: zelfde regio)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="niets doen als de demoregio er al is"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["students"] < MIN_STUDENTS:
            raise CommandError(f"Een demoregio heeft minstens {MIN_STUDENTS} studenten nodig.")
        if demo_exists():
            if not options["if_empty"]:
                raise CommandError(
                    "De demoregio staat al in de database. "
                    "Verwijder de database (var/) om opnieuw te beginnen."
                )
            self.stdout.write("De demoregio staat al in de database; die wordt gebruikt.")
        else:
            self._progress(
                f"Demoregio bouwen met {dutch_count(options['students'])} studenten "
                "(bij 21.000 studenten duurt dat een paar minuten):"
            )
            summary = build_demo_region(
                students=options["students"], seed=options["seed"], progress=self._progress
            )
            self.stdout.write(
                f"Demoregio gebouwd: {summary.students} studenten, "
                f"{summary.organisations} organisaties, {summary.users} gebruikers, "
                f"{summary.trajectories} trajecten ({summary.open_trajectories} lopend), "
                f"{summary.services} aanbod op de sociale kaart, {summary.referrals} verwijzingen, "
                f"{summary.meetings} overleggen, {summary.handovers} overdrachten, "
                f"{summary.non_arrivals} niet verschenen, "
                f"{summary.absence_reports} verzuimmeldingen."
            )
            self._progress("Monitor voorberekenen voor de demologins…")
            refresh_planner_statistics()
            started = time.monotonic()
            built = warm_monitor(progress=self._progress)
            self.stdout.write(
                f"Monitor voorberekend: {built} dashboards ({time.monotonic() - started:.0f} s)."
            )
        write_logins(self.stdout, demo_logins())

    def _progress(self, line: str) -> None:
        """A line as soon as a step is done, also when the output is a pipe or a file."""
        self.stdout.write(line)
        self.stdout.flush()
