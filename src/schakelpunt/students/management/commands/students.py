from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.accounts.models import Membership, Organisation
from schakelpunt.accounts.roles import Role
from schakelpunt.students.importer import student_import


class Command(BaseCommand):
    help = (
        "Studenten: 'import BESTAND' leest een export uit het studentinformatiesysteem (CSV of "
        "Excel .xlsx). "
        "Alles of niets: bij een fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="naam van de instelling")
        parser.add_argument(
            "--as-user", required=True, help="e-mailadres van de functioneel beheerder"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        institution = Organisation.objects.filter(name=options["institution"]).first()
        if institution is None:
            raise CommandError(f"Instelling '{options['institution']}' bestaat niet.")
        membership = (
            Membership.objects.active()
            .filter(
                user__email=options["as_user"].lower(),
                role=Role.FUNCTIONAL_ADMIN,
                organisation=institution,
            )
            .select_related("user")
            .first()
        )
        if membership is None:
            raise CommandError(
                f"{options['as_user']} is geen functioneel beheerder van {institution.name}."
            )
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"Kan {options['file']} niet lezen: {error.strerror}.") from error
        result = student_import(actor=membership.user, institution=institution, data=data)
        if not result.ok:
            for row_error in result.errors:
                self.stderr.write(str(row_error))
            raise CommandError(f"Niets geïmporteerd: {len(result.errors)} fout(en).")
        self.stdout.write(
            f"{result.created} nieuw, {result.updated} bijgewerkt, {result.unchanged} ongewijzigd."
        )
