import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.privacy.models import RetentionRun, RetentionRunStatus
from schakelpunt.privacy.retention import (
    RetentionError,
    candidate_rows,
    fingerprint,
    retention_approve,
    retention_propose,
    retention_run,
)
from schakelpunt.students.models import Student


class Command(BaseCommand):
    help = (
        "Bewaartermijnen: 'propose' maakt per instelling de lijst van studenten van wie de "
        "bewaartermijn verlopen is (er wordt niets verwijderd); 'show --run N' toont een "
        "ronde; 'approve --run N --by e-mailadres' keurt goed namens de privacyfunctionaris; "
        "'run' voert goedgekeurde rondes uit (een afgebroken ronde gaat verder); 'hold' en "
        "'release' zetten of heffen een blokkade voor één student."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["propose", "show", "approve", "run", "hold", "release"]
        )
        parser.add_argument("--institution", type=int, help="id van de instelling (propose)")
        parser.add_argument("--date", help="peildatum JJJJ-MM-DD (propose; standaard vandaag)")
        parser.add_argument("--run", type=int, help="nummer van de ronde")
        parser.add_argument("--by", help="e-mailadres van de privacyfunctionaris")
        parser.add_argument("--student-number", help="studentnummer (hold, release)")
        parser.add_argument("--reason", default="", help="reden van de blokkade (hold)")
        parser.add_argument("--batch-size", type=int, default=50)
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="seconden wachten na elk deel (spaart de database tijdens schooltijd)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except RetentionError as problem:
            raise CommandError(str(problem)) from problem

    def _get_run(self, options: dict[str, Any]) -> RetentionRun:
        run = RetentionRun.objects.filter(pk=options["run"]).first() if options["run"] else None
        if run is None:
            raise CommandError("Onbekende ronde: geef een bestaand nummer met --run.")
        return run

    def _officer(self, options: dict[str, Any]) -> User:
        user = User.objects.filter(email__iexact=(options["by"] or "").strip()).first()
        if user is None:
            raise CommandError("Geef met --by het e-mailadres van de privacyfunctionaris.")
        return user

    def _propose(self, options: dict[str, Any]) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as problem:
            raise CommandError("Geef de peildatum als JJJJ-MM-DD.") from problem
        institutions = Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION)
        if options["institution"]:
            institutions = institutions.filter(pk=options["institution"])
            if not institutions.exists():
                raise CommandError("Onbekende instelling.")
        for institution in institutions:
            run = retention_propose(institution=institution, reference_date=day)
            self.stdout.write(
                f"Ronde {run.pk} ({institution}): {run.candidates.count()} studenten, "
                f"peildatum {day:%Y-%m-%d}. Er is niets verwijderd."
            )

    def _show(self, options: dict[str, Any]) -> None:
        run = self._get_run(options)
        self.stdout.write(
            f"Ronde {run.pk} ({run.institution}), peildatum {run.reference_date:%Y-%m-%d}: "
            f"{run.get_status_display()}; controlecode {fingerprint(run)}"
        )
        for row in candidate_rows(run):
            # Numbers only on the command line: names stay on the officer's screen.
            number = row.student.student_number if row.student else "-"
            state = "klaar" if row.candidate.done else "open"
            skipped = (
                f" overgeslagen: {row.candidate.skipped_reason}"
                if row.candidate.skipped_reason
                else ""
            )
            self.stdout.write(
                f"  {number}  verlopen {row.candidate.expired_on:%Y-%m-%d}  {state}{skipped}"
            )
        for label, n in run.counts.get("tables", {}).items():
            self.stdout.write(f"  {label}: {n}")

    def _approve(self, options: dict[str, Any]) -> None:
        run = self._get_run(options)
        retention_approve(actor=self._officer(options), run=run, seen=fingerprint(run))
        self.stdout.write(
            f"Ronde {run.pk} is goedgekeurd; 'schakelpunt retention run' voert hem uit."
        )

    def _run(self, options: dict[str, Any]) -> None:
        runs = (
            [self._get_run(options)]
            if options["run"]
            else list(
                RetentionRun.objects.filter(status=RetentionRunStatus.APPROVED).order_by("pk")
            )
        )
        if not runs:
            self.stdout.write("Geen goedgekeurde rondes.")
        for run in runs:
            done = retention_run(
                run,
                batch_size=options["batch_size"],
                progress=lambda line: self.stdout.write(f"  {line}"),
                after_batch=(lambda _n: time.sleep(options["pause"])) if options["pause"] else None,
            )
            self.stdout.write(
                f"Ronde {done.pk}: {done.counts.get('students', 0)} studenten verwijderd, "
                f"{done.counts.get('skipped', 0)} overgeslagen."
            )

    def _student(self, options: dict[str, Any], officer: User) -> Student:
        from schakelpunt.access.policy import privacy_officer_institutions

        student = Student.objects.filter(
            student_number=(options["student_number"] or "").strip(),
            institution_id__in=privacy_officer_institutions(officer),
        ).first()
        if student is None:
            raise CommandError(
                "Onbekend studentnummer bij de instelling van deze privacyfunctionaris."
            )
        return student

    def _hold(self, options: dict[str, Any]) -> None:
        from schakelpunt.privacy.retention import legal_hold_set

        officer = self._officer(options)
        legal_hold_set(
            actor=officer, student=self._student(options, officer), reason=options["reason"]
        )
        self.stdout.write("Blokkade gezet: deze student wordt niet verwijderd.")

    def _release(self, options: dict[str, Any]) -> None:
        from schakelpunt.privacy.retention import legal_hold_lift

        officer = self._officer(options)
        legal_hold_lift(actor=officer, student=self._student(options, officer))
        self.stdout.write("Blokkade opgeheven: een volgende ronde kan deze student meenemen.")
