from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from schakelpunt.access.database import ROLE_NAME, app_role_grant
from schakelpunt.access.selectors import access_log_verify


class Command(BaseCommand):
    help = (
        "Toegangslog: 'verify' loopt de hele keten van hashes na en meldt de eerste regel "
        "die gewijzigd, verwijderd of verplaatst is (afsluitcode 1 als de keten niet klopt); "
        "'grant ROL' geeft de databaserol van de applicatie (PostgreSQL) haar rechten: alle "
        "tabellen lezen en schrijven, het toegangslog alleen lezen en aanvullen. Voer 'grant' "
        "uit als eigenaar van de tabellen, na elke migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "grant"])
        parser.add_argument("role", nargs="?", help="bij grant: de rol van de applicatie")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "grant":
            self._grant(options["role"] or "")
            return
        check = access_log_verify()
        if check.broken is None:
            self.stdout.write(
                f"Toegangslog in orde: {check.length} regels, de keten is onverbroken "
                f"(laatste hash {check.last_hash})."
            )
            return
        where = "aan het einde van de keten"
        if check.broken.entry_id is not None and check.broken.at is not None:
            at = timezone.localtime(check.broken.at)
            where = f"bij regel {check.broken.entry_id} van {at:%d-%m-%Y %H:%M:%S}"
        raise CommandError(
            f"Toegangslog NIET in orde: de keten is verbroken {where}: {check.broken.reason}. "
            f"De {check.length} regels daarvoor zijn in orde."
        )

    def _grant(self, role: str) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Databaserollen bestaan alleen op PostgreSQL.")
        if not ROLE_NAME.fullmatch(role):
            raise CommandError(
                "Geef de rol van de applicatie op, in kleine letters, cijfers en _: "
                "schakelpunt accesslog grant schakelpunt_app"
            )
        for statement in app_role_grant(role):
            self.stdout.write(f"{statement};")
        self.stdout.write(f"Rol {role} kan werken, maar het toegangslog niet wissen of wijzigen.")
