from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.accounts.models import Location, Organisation, ProgrammeTeam
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.services import (
    guardian_pick,
    parent_invitation_guardians,
    parent_invite,
    user_invite,
)


class Command(BaseCommand):
    help = (
        "Geeft een persoon een rol in een organisatie. Een nieuw e-mailadres krijgt een "
        "e-mail om een wachtwoord te kiezen. Zo maakt u ook de eerste functioneel beheerder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--organisation", required=True, help="naam van de organisatie")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--location", default="", help="naam van de locatie")
        parser.add_argument("--team", default="", help="naam van het opleidingsteam")
        parser.add_argument(
            "--student-number",
            default="",
            help=(
                "bij de rol student: het studentnummer van het dossier dat bij dit account hoort; "
                "bij de rol parent: het studentnummer van het kind"
            ),
        )
        parser.add_argument(
            "--guardian",
            default="",
            help=(
                "bij de rol parent: de naam (zoals in het dossier) of het e-mailadres van de "
                "ouder of verzorger; leeg bij één ouder in het dossier"
            ),
        )
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="adres van Schakelpunt voor de link in de e-mail (standaard SITE_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(name=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"Organisatie '{options['organisation']}' bestaat niet.")
        location = team = None
        if options["location"]:
            location = Location.objects.filter(
                institution=organisation, name=options["location"]
            ).first()
            if location is None:
                raise CommandError(f"Locatie '{options['location']}' bestaat niet.")
        if options["team"]:
            team = ProgrammeTeam.objects.filter(
                location__institution=organisation, name=options["team"]
            ).first()
            if team is None:
                raise CommandError(f"Opleidingsteam '{options['team']}' bestaat niet.")
        if options["role"] == Role.PARENT:
            self._invite_parent(organisation, options)
            return
        if options["guardian"]:
            raise CommandError("--guardian hoort alleen bij --role parent.")
        try:
            user = user_invite(
                actor=None,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                organisation=organisation,
                role=Role(options["role"]),
                location=location,
                programme_team=team,
                student_number=options["student_number"],
                base_url=options["base_url"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{user.email}: {Role(options['role']).label} bij {organisation.name}.")

    def _invite_parent(self, organisation: Organisation, options: dict[str, Any]) -> None:
        """A parent's account belongs to one guardian of one student under 18."""
        if options["location"] or options["team"]:
            raise CommandError("Een ouder of verzorger hoort niet bij een locatie of team.")
        try:
            guardians = parent_invitation_guardians(
                actor=None, institution=organisation, student_number=options["student_number"]
            )
            guardian = guardian_pick(
                guardians, wanted=options["guardian"], email=options["email"].strip().lower()
            )
            user = parent_invite(
                actor=None,
                institution=organisation,
                student_number=options["student_number"],
                guardian_id=guardian.pk,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                base_url=options["base_url"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{user.email}: {Role.PARENT.label} bij {organisation.name}, gekoppeld aan "
            f"{guardian.name} (studentnummer {options['student_number'].strip()})."
        )
