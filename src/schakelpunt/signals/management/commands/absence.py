from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.accounts.models import Membership, Organisation
from schakelpunt.accounts.roles import Role
from schakelpunt.core.exports import csv_writer
from schakelpunt.signals.daily import statutory_reports_compute
from schakelpunt.signals.importer import absence_import
from schakelpunt.signals.partitions import (
    PartitionError,
    partition_drop_year,
    partitions_ensure,
    partitions_list,
)
from schakelpunt.signals.statutory import RULES_VERSION


class Command(BaseCommand):
    help = (
        "Verzuim: 'import BESTAND' leest verzuim uit het studentinformatiesysteem (alles of niets); "
        "'reports --date JJJJ-MM-DD --format csv' geeft de wettelijke meldingen die openstaan; "
        "'partitions [--ensure]' toont de delen per schooljaar (PostgreSQL) en maakt die van "
        "het komende schooljaar; 'drop-year 2019-2020 --confirm' verwijdert een voorbij "
        "schooljaar in zijn geheel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "reports", "partitions", "drop-year"])
        parser.add_argument("file", nargs="?", help="BESTAND (import) of schooljaar (drop-year)")
        parser.add_argument("--institution", help="naam van de instelling (standaard: de enige)")
        parser.add_argument("--as-user", help="e-mailadres van de functioneel beheerder (import)")
        parser.add_argument("--date", type=date.fromisoformat, default=None)
        parser.add_argument("--format", choices=["csv"], default="csv")
        parser.add_argument(
            "--ensure", action="store_true", help="maak de delen van dit en het komende schooljaar"
        )
        parser.add_argument(
            "--confirm", action="store_true", help="drop-year: ja, verwijder het schooljaar"
        )

    def _institution(self, name: str | None) -> Organisation:
        institutions = Organisation.objects.filter(kind="mbo")
        if name:
            institutions = institutions.filter(name=name)
        found = list(institutions[:2])
        if len(found) != 1:
            raise CommandError("Noem de instelling met --institution.")
        return found[0]

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in ("partitions", "drop-year"):
            try:
                self._partitions(options)
            except PartitionError as error:
                raise CommandError(str(error)) from error
            return
        institution = self._institution(options["institution"])
        if options["action"] == "import":
            self._import(institution, options)
        else:
            self._reports(institution, options)

    def _import(self, institution: Organisation, options: dict[str, Any]) -> None:
        if options["file"] is None or not options["as_user"]:
            raise CommandError("Gebruik: absence import BESTAND --as-user beheerder@school.nl")
        membership = (
            Membership.objects.active()
            .filter(
                user__email=options["as_user"].lower(),
                role__in=[Role.FUNCTIONAL_ADMIN, Role.ABSENCE_OFFICER],
                organisation=institution,
            )
            .select_related("user")
            .first()
        )
        if membership is None:
            raise CommandError(
                f"{options['as_user']} is geen functioneel beheerder of verzuimcoördinator."
            )
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as error:
            raise CommandError(f"Kan {options['file']} niet lezen: {error.strerror}.") from error
        phases = {"check": "gecontroleerd", "save": "opgeslagen"}

        def progress(phase: str, done: int, total: int) -> None:
            self.stderr.write(f"{done} van {total} regels {phases[phase]}")

        result = absence_import(
            actor=membership.user,
            institution=institution,
            data=data,
            progress=progress if len(data) > 1_000_000 else None,
        )
        if not result.ok:
            for message in result.errors:
                self.stderr.write(message)
            raise CommandError(f"Niets geïmporteerd: {len(result.errors)} fout(en).")
        self.stdout.write(
            f"{result.created} nieuw, {result.replaced} vervangen, {result.unchanged} ongewijzigd."
        )

    def _partitions(self, options: dict[str, Any]) -> None:
        today = date.today()  # noqa: DTZ011 - a calendar date
        if options["action"] == "drop-year":
            if options["file"] is None or not options["confirm"]:
                raise CommandError("Gebruik: absence drop-year 2019-2020 --confirm")
            dropped = partition_drop_year(school_year=options["file"], today=today)
            self.stdout.write(
                f"Schooljaar {dropped.school_year} verwijderd: {dropped.rows} verzuimregels."
            )
            return
        if options["ensure"]:
            made = partitions_ensure(today=today)
            self.stdout.write(
                f"Gemaakt: {', '.join(made)}." if made else "Alle delen bestonden al."
            )
        for partition in partitions_list():
            self.stdout.write(
                f"{partition.school_year or 'overig'}\t{partition.name}\t{partition.rows}"
            )

    def _reports(self, institution: Organisation, options: dict[str, Any]) -> None:
        on_date = options["date"] or date.today()  # noqa: DTZ011 - a calendar date
        reports = statutory_reports_compute(institution=institution, on_date=on_date)
        writer = csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(
            [
                "studentnummer",
                "soort melding",
                "begindatum",
                "drempel bereikt op",
                "einddatum",
                "ongeoorloofde uren",
                "versie regels",
            ]
        )
        for report in reports:
            if report.reported_on is not None:
                continue
            writer.writerow(
                [
                    report.student.student_number,
                    report.kind,
                    report.start_date.isoformat(),
                    report.threshold_on.isoformat(),
                    report.end_date.isoformat() if report.end_date else "",
                    report.unauthorised_hours,
                    report.rules_version or RULES_VERSION,
                ]
            )
