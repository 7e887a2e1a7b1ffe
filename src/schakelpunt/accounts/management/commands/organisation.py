from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.accounts.services import organisation_create, organisation_set_manager


class Command(BaseCommand):
    help = "Organisaties: 'add' voegt een organisatie toe (voor de eerste inrichting)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add"])
        parser.add_argument("name", help="naam van de organisatie")
        parser.add_argument("--kind", required=True, choices=OrganisationKind.values)
        parser.add_argument("--municipality", default="", help="CBS-code, bijv. GM0153")
        parser.add_argument("--rmc-region", default="", help="RMC-regio, bijv. MC12")
        parser.add_argument("--brin", default="")
        parser.add_argument(
            "--managed-by",
            default="",
            help="naam van de mbo-instelling waarvan de functioneel beheerder de mensen van "
            "deze zorgaanbieder, gemeente of RMC-organisatie uitnodigt",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.exceptions import ValidationError

        manager = None
        if options["managed_by"]:
            manager = Organisation.objects.filter(name=options["managed_by"]).first()
            if manager is None:
                raise CommandError(f"Organisatie '{options['managed_by']}' bestaat niet.")
        try:
            organisation, created = organisation_create(
                name=options["name"],
                kind=options["kind"],
                municipality_code=options["municipality"],
                rmc_region_code=options["rmc_region"],
                brin=options["brin"],
            )
            if manager is not None:
                organisation_set_manager(organisation=organisation, institution=manager)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "toegevoegd" if created else "bestond al"
        self.stdout.write(f"{organisation.name} ({organisation.get_kind_display()}) {verb}.")
        if manager is not None:
            self.stdout.write(f"De mensen worden beheerd door {manager.name}.")
