import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.roles import OrganisationKind
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
from schakelpunt.demo.national import build_national, national_logins, parse_regions
from schakelpunt.monitor.snapshots import warm_monitor


def write_logins(out: OutputWrapper, logins: list[DemoLogin]) -> None:
    out.write(f"\nDemo-inlognamen — wachtwoord voor iedereen: {DEMO_PASSWORD}\n")
    for login in logins:
        out.write(f"  {login.email:<42} {login.role} ({login.description})\n")


def production_settings() -> bool:
    """The production settings run this process: schakelpunt.conf.production itself, or a
    settings module of the installation's own that imports it. scripts/prodlike (production
    settings that refuse every database not on this machine) may load the demo."""
    if settings.SETTINGS_MODULE == "schakelpunt.conf.production":
        return True
    return "schakelpunt.conf.production" in sys.modules and (
        "schakelpunt.conf.prodlike" not in sys.modules
    )


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
        parser.add_argument(
            "--regions",
            default="",
            help="RMC-regio's, bijvoorbeeld MC12,MC10, of 'national' (acht regio's); "
            "zonder: alleen Twente",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if production_settings():
            raise CommandError(
                "De demo draait niet met de productie-instellingen "
                f"({settings.SETTINGS_MODULE}): hij zou fictieve studenten en medewerkers met "
                "één bekend wachtwoord in deze database zetten. Gebruik 'make demo' of "
                "scripts/prodlike --demo-students op een eigen machine."
            )
        if options["regions"]:
            self._national(options)
            return
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

    def _national(self, options: dict[str, Any]) -> None:
        """Several regions in one install: built once, in a database without a demo."""
        try:
            regions = parse_regions(options["regions"])
        except ValueError as exc:
            raise CommandError(
                _("Onbekende RMC-regio: %(regions)s") % {"regions": options["regions"]}
            ) from exc
        if Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION).exists():
            raise CommandError(
                _("Er staan al instellingen in de database; bouw de landelijke demo in een lege.")
            )
        self._progress(
            _("Landelijke demo bouwen: %(n)s studenten in %(regions)s regio's:")
            % {"n": dutch_count(options["students"]), "regions": len(regions)}
        )
        started = time.monotonic()
        try:
            summary = build_national(
                regions=regions,
                students=options["students"],
                seed=options["seed"],
                progress=self._progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        self.stdout.write(
            _(
                "Landelijke demo gebouwd: %(students)s studenten, %(orgs)s organisaties, "
                "%(users)s gebruikers, %(reports)s verzuimmeldingen in %(seconds).0f s "
                "(%(rate).0f studenten per seconde)."
            )
            % {
                "students": dutch_count(summary.students),
                "orgs": summary.organisations,
                "users": summary.users,
                "reports": summary.absence_reports,
                "seconds": seconds,
                "rate": summary.students / max(seconds, 0.001),
            }
        )
        refresh_planner_statistics()
        write_logins(self.stdout, demo_logins() + national_logins(regions))

    def _progress(self, line: str) -> None:
        """A line as soon as a step is done, also when the output is a pipe or a file."""
        self.stdout.write(line)
        self.stdout.flush()
