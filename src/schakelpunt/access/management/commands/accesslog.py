from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from schakelpunt.access.selectors import access_log_verify


class Command(BaseCommand):
    help = (
        "Toegangslog: 'verify' loopt de hele keten van hashes na en meldt de eerste regel "
        "die gewijzigd, verwijderd of verplaatst is (afsluitcode 1 als de keten niet klopt)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
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
