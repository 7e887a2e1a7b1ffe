"""The operator's door to connected systems (the screens are at /beheer/koppelingen/)."""

import logging
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from schakelpunt.accounts.api_client_selectors import api_client_status, scope_labels
from schakelpunt.accounts.api_clients import (
    TOKEN_PREFIX,
    IssuedClient,
    api_client_create,
    api_client_renew,
    api_client_revoke,
)
from schakelpunt.accounts.models import ApiClient, Organisation
from schakelpunt.accounts.scopes import ApiScope

logger = logging.getLogger("schakelpunt.api_clients")


class Command(BaseCommand):
    help = (
        "Koppelingen (systemen met een eigen sleutel voor de API): 'create' maakt er een en "
        "toont de sleutel één keer, 'list' toont ze allemaal, 'renew PREFIX' geeft een nieuwe "
        "sleutel (de oude werkt dan niet meer), 'revoke PREFIX' trekt er een in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTIE")
        create = actions.add_parser("create", help="een systeem koppelen")
        create.add_argument(
            "--organisation", default="", help="naam of nummer (id) van de organisatie"
        )
        create.add_argument("--name", default="", help="naam van het systeem")
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            help="recht, herhaalbaar: " + ", ".join(ApiScope.values),
        )
        create.add_argument(
            "--days", type=int, default=365, help="dagen geldig, hoogstens een jaar (365)"
        )
        actions.add_parser("list", help="alle koppelingen")
        renew = actions.add_parser("renew", help="nieuwe sleutel; de oude werkt niet meer")
        renew.add_argument("prefix", help="begin van de sleutel, bijv. spk_1a2b3c4d")
        renew.add_argument("--days", type=int, default=365)
        revoke = actions.add_parser("revoke", help="koppeling intrekken")
        revoke.add_argument("prefix", help="begin van de sleutel, bijv. spk_1a2b3c4d")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                self._create(options)
            elif action == "list":
                self._list()
            elif action == "renew":
                self._renew(options)
            else:
                self._revoke(options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _create(self, options: dict[str, Any]) -> None:
        if not options["organisation"].strip():
            raise CommandError("Geef de organisatie op: --organisation NAAM of nummer.")
        organisation = _organisation(options["organisation"])
        scopes = options["scope"]
        unknown = sorted(set(scopes) - set(ApiScope.values))
        if unknown:
            raise CommandError(
                f"Onbekend recht: {', '.join(unknown)}. Kies uit: {', '.join(ApiScope.values)}."
            )
        issued = api_client_create(
            actor=None,
            organisation=organisation,
            name=options["name"],
            scopes=scopes,
            expires_on=_until(options["days"]),
        )
        logger.info("api client %s registered on the command line", issued.client.token_prefix)
        self._hand_over(issued, "gekoppeld")

    def _renew(self, options: dict[str, Any]) -> None:
        issued = api_client_renew(
            actor=None, client=_client(options["prefix"]), expires_on=_until(options["days"])
        )
        logger.info("api client %s renewed on the command line", issued.client.token_prefix)
        self._hand_over(issued, "heeft een nieuwe sleutel; de oude werkt niet meer")

    def _revoke(self, options: dict[str, Any]) -> None:
        client = api_client_revoke(actor=None, client=_client(options["prefix"]))
        logger.info("api client %s revoked on the command line", client.token_prefix)
        self.stdout.write(
            f"{client.name} ({client.organisation.name}) is ingetrokken; "
            "de sleutel werkt niet meer."
        )

    def _list(self) -> None:
        clients = ApiClient.objects.select_related("organisation")
        if not clients:
            self.stdout.write("Er zijn nog geen koppelingen.")
            return
        today = timezone.localdate()
        for client in clients:
            used = (
                date_format(timezone.localtime(client.last_used_at), "j F Y H:i")
                if client.last_used_at
                else "nog nooit"
            )
            self.stdout.write(
                f"{TOKEN_PREFIX}_{client.token_prefix}  {client.organisation.name} — "
                f"{client.name}  [{api_client_status(client, today).label}]  "
                f"geldig t/m {date_format(client.expires_on, 'j F Y')}, "
                f"laatst gebruikt: {used}\n"
                f"    rechten: {'; '.join(scope_labels(client.scopes))}"
            )

    def _hand_over(self, issued: IssuedClient, done: str) -> None:
        client = issued.client
        self.stdout.write(
            f"{client.name} ({client.organisation.name}) {done}, geldig t/m "
            f"{date_format(client.expires_on, 'j F Y')}.\n"
            "Sleutel (wordt niet opnieuw getoond; geef hem veilig door aan de leverancier):\n"
        )
        self.stdout.write(issued.token)


def _until(days: int) -> date:
    if days < 1:
        raise CommandError("--days is ten minste 1.")
    return timezone.localdate() + timedelta(days=days)


def _organisation(wanted: str) -> Organisation:
    wanted = wanted.strip()
    match = Q(name__iexact=wanted)
    if wanted.isdigit():
        match |= Q(pk=int(wanted))
    found = list(Organisation.objects.filter(match)[:2])
    if not found:
        raise CommandError(f"Organisatie '{wanted}' bestaat niet (naam of nummer).")
    if len(found) > 1:
        raise CommandError(f"'{wanted}' past bij meer dan één organisatie; gebruik het nummer.")
    return found[0]


def _client(prefix: str) -> ApiClient:
    wanted = prefix.strip().removeprefix(f"{TOKEN_PREFIX}_").split("_", 1)[0]
    client = ApiClient.objects.select_related("organisation").filter(token_prefix=wanted).first()
    if client is None:
        raise CommandError(f"Geen koppeling met een sleutel die begint met '{prefix}'.")
    return client
