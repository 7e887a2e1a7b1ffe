from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from schakelpunt.accounts.institution_importer import institution_import
from schakelpunt.accounts.models import Membership, Organisation
from schakelpunt.accounts.roles import OrganisationKind, Role


class Command(BaseCommand):
    help = (
        "Opbouw van een instelling: 'import BESTAND' leest de opleidingen met hun locatie en "
        "team (CSV of Excel; zie docs/import-opleidingen.md). Alles of niets: bij een fout "
        "wordt niets opgeslagen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--institution", required=True, help="naam of BRIN-code van de instelling"
        )
        parser.add_argument(
            "--as-user", required=True, help="e-mailadres van de functioneel beheerder"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["institution"].strip()
        found = list(
            Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION).filter(
                Q(name__iexact=wanted) | Q(brin__iexact=wanted)
            )[:2]
        )
        if not found:
            raise CommandError(f"Instelling '{wanted}' bestaat niet (naam of BRIN-code).")
        if len(found) > 1:
            raise CommandError(f"'{wanted}' past bij meer dan één instelling; gebruik de naam.")
        institution = found[0]
        membership = (
            Membership.objects.active()
            .filter(
                user__email=options["as_user"].strip().lower(),
                user__is_active=True,
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
        result = institution_import(actor=membership.user, institution=institution, data=data)
        if not result.ok:
            for row_error in result.errors:
                self.stderr.write(row_error)
            raise CommandError(f"Niets geïmporteerd: {len(result.errors)} fout(en).")
        self.stdout.write(result.summary())
