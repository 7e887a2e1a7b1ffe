from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.accounts.models import IdentityProvider, Organisation
from schakelpunt.accounts.oidc import (
    ProviderSettings,
    identity_provider_discover,
    identity_provider_save,
)
from schakelpunt.accounts.roles import OrganisationKind


class Command(BaseCommand):
    help = (
        "Inloggen via de eigen identiteitsprovider (OpenID Connect) van een mbo-instelling. "
        "'set' haalt de adressen op bij <issuer>/.well-known/openid-configuration en slaat de "
        "provider op; 'show' toont wat is ingesteld (zonder het secret)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["set", "show"])
        parser.add_argument("--institution", required=True, help="naam van de mbo-instelling")
        parser.add_argument(
            "--issuer", default="", help="bijv. https://login.microsoftonline.com/<tenant>/v2.0"
        )
        parser.add_argument("--client-id", default="")
        parser.add_argument(
            "--client-secret", default="", help="leeg: het opgeslagen secret blijft"
        )
        parser.add_argument("--name", default="", help="tekst op de knop op de inlogpagina")
        parser.add_argument("--scopes", default="openid email profile")
        parser.add_argument(
            "--mfa-values",
            default="mfa hwk swk otp",
            help="amr/acr-waarden waarmee de provider een tweede factor meldt",
        )
        parser.add_argument("--disable", action="store_true", help="knop uitzetten")
        parser.add_argument(
            "--password-login",
            choices=["on", "off", "keep"],
            default="keep",
            help="mogen mensen van de instelling ook met een wachtwoord inloggen",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        institution = Organisation.objects.filter(
            name=options["institution"], kind=OrganisationKind.MBO_INSTITUTION
        ).first()
        if institution is None:
            raise CommandError(f"Mbo-instelling '{options['institution']}' bestaat niet.")
        current = IdentityProvider.objects.filter(organisation=institution).first()
        if options["action"] == "show":
            self._show(institution, current)
            return
        issuer = options["issuer"] or (current.issuer if current else "")
        client_id = options["client_id"] or (current.client_id if current else "")
        if not issuer or not client_id:
            raise CommandError("Geef --issuer en --client-id op.")
        password_login = {"on": True, "off": False}.get(
            options["password_login"], institution.password_login
        )
        try:
            found = identity_provider_discover(issuer=issuer)
            provider = identity_provider_save(
                actor=None,
                organisation=institution,
                values=ProviderSettings(
                    name=options["name"]
                    or (current.name if current else f"Inloggen met je {institution.name}-account"),
                    issuer=found.issuer,
                    client_id=client_id,
                    client_secret=options["client_secret"],
                    authorization_endpoint=found.authorization_endpoint,
                    token_endpoint=found.token_endpoint,
                    jwks_uri=found.jwks_uri,
                    userinfo_endpoint=found.userinfo_endpoint,
                    end_session_endpoint=found.end_session_endpoint,
                    scopes=options["scopes"],
                    signing_algorithm=found.signing_algorithm,
                    mfa_values=options["mfa_values"],
                    enabled=not options["disable"],
                ),
                password_login=password_login,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        institution.refresh_from_db()
        self._show(institution, provider)

    def _show(self, institution: Organisation, provider: IdentityProvider | None) -> None:
        if provider is None:
            self.stdout.write(f"{institution.name}: geen identiteitsprovider ingesteld.")
        else:
            state = "aan" if provider.enabled else "uit"
            self.stdout.write(f"{institution.name}: '{provider.name}' ({state})")
            for label, value in (
                ("issuer", provider.issuer),
                ("client-id", provider.client_id),
                ("authorization endpoint", provider.authorization_endpoint),
                ("token endpoint", provider.token_endpoint),
                ("JWKS", provider.jwks_uri),
                ("userinfo endpoint", provider.userinfo_endpoint or "-"),
                ("ondertekening", provider.signing_algorithm),
                ("tweede factor bij amr/acr", provider.mfa_values),
            ):
                self.stdout.write(f"  {label}: {value}")
        password = "ja" if institution.password_login else "nee"
        self.stdout.write(f"  inloggen met wachtwoord toegestaan: {password}")
