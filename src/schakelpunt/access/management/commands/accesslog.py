from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from schakelpunt.access.chain import ChainCheck
from schakelpunt.access.database import ROLE_NAME, app_role_grant
from schakelpunt.access.retention import KEEP_YEARS, PurgeRefused, access_log_purge
from schakelpunt.access.selectors import access_log_verify

# Entries (and refused attempts) deleted per transaction by `purge`.
PURGE_BATCH = 10_000


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"'{value}' is geen datum: schrijf jaar-maand-dag, bijvoorbeeld 2021-01-01."
        ) from None


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Toegangslog: 'verify' loopt de hele keten van hashes na en meldt de eerste regel "
        "die gewijzigd, verwijderd of verplaatst is (afsluitcode 1 als de keten niet klopt); "
        "'grant ROL' geeft de databaserol van de applicatie (PostgreSQL) haar rechten: alle "
        "tabellen lezen en schrijven, het toegangslog alleen lezen en aanvullen. Voer 'grant' "
        "uit als eigenaar van de tabellen, na elke migrate. 'purge --before JJJJ-MM-DD' wist "
        "het oudste deel van het toegangslog en de geweigerde pogingen van vóór die dag, maar "
        f"nooit iets van de laatste {KEEP_YEARS} jaar; met --dry-run telt het alleen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "grant", "purge"])
        parser.add_argument("role", nargs="?", help="bij grant: de rol van de applicatie")
        parser.add_argument(
            "--before",
            type=_day,
            help="bij purge: wis wat vóór deze dag (JJJJ-MM-DD) is vastgelegd",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="bij purge: tel alleen wat gewist zou worden, wis niets",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "grant":
            self._grant(options["role"] or "")
            return
        if options["action"] == "purge":
            self._purge(options["before"], dry_run=options["dry_run"])
            return
        check = self._verify()
        if check.broken is None:
            shown = f"{check.entries} regels"
            if check.start:
                shown += (
                    f" (volgnummer {check.start + 1} tot en met {check.length}; de "
                    f"{check.start} oudste zijn na {KEEP_YEARS} jaar gewist)"
                )
            self.stdout.write(
                f"Toegangslog in orde: {shown}, de keten is onverbroken "
                f"(laatste hash {check.last_hash})."
            )
            return
        where = "aan het einde van de keten"
        if check.broken.entry_id is not None and check.broken.at is not None:
            at = timezone.localtime(check.broken.at)
            where = f"bij regel {check.broken.entry_id} van {at:%d-%m-%Y %H:%M:%S}"
        raise CommandError(
            f"Toegangslog NIET in orde: de keten is verbroken {where}: {check.broken.reason}. "
            f"De {check.entries} regels daarvoor zijn in orde."
        )

    def _verify(self) -> ChainCheck:
        """The log, its end and its start as one snapshot (PostgreSQL), so a write or a purge
        at the same moment does not read as a break."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return access_log_verify()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return access_log_verify()

    def _purge(self, before: date | None, *, dry_run: bool) -> None:
        if before is None:
            raise CommandError(
                "Geef op tot welke dag het toegangslog gewist wordt: "
                "schakelpunt accesslog purge --before 2021-01-01 (eerst met --dry-run)."
            )
        moment = timezone.make_aware(datetime.combine(before, time.min))
        entries = decisions = 0
        try:
            while True:
                # In batches, each its own transaction: the chain's end is locked while one
                # runs, so the log's writers (every page view) wait for a batch, not for all.
                result = access_log_purge(
                    before=moment, dry_run=dry_run, limit=None if dry_run else PURGE_BATCH
                )
                entries, decisions = entries + result.entries, decisions + result.decisions
                if not result.more:
                    break
        except PurgeRefused as refusal:
            if entries or decisions:
                self.stdout.write(
                    f"Al gewist: {_number(entries)} regels van het toegangslog en "
                    f"{_number(decisions)} geweigerde pogingen."
                )
            raise CommandError(str(refusal)) from None
        cutoff = timezone.localtime(result.cutoff)
        if result.cutoff < moment:
            self.stdout.write(
                f"Het toegangslog wordt minstens {KEEP_YEARS} jaar bewaard: alleen wat vóór "
                f"{cutoff:%d-%m-%Y %H:%M} is vastgelegd, komt in aanmerking."
            )
        counts = (
            f"{_number(entries)} regels van het toegangslog en "
            f"{_number(decisions)} geweigerde pogingen van vóór {cutoff:%d-%m-%Y}"
        )
        if dry_run:
            self.stdout.write(f"Proef, er is niets gewist: {counts} zouden worden gewist.")
        else:
            self.stdout.write(f"Gewist: {counts}.")
        if result.held_back:
            self.stdout.write(
                f"{_number(result.held_back)} oude regels blijven staan: er staat een jongere "
                "regel vóór in de keten, en alleen het oudste deel kan weg."
            )
        if result.anchor.sequence:
            self.stdout.write(
                f"De keten begint {'dan' if dry_run else 'nu'} na volgnummer "
                f"{result.anchor.sequence} (hash {result.anchor.hash})."
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
