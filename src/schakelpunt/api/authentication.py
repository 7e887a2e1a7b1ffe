"""A connected system presents `Authorization: Bearer spk_<prefix>_<secret>`."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from schakelpunt.accounts.api_clients import api_client_for_token
from schakelpunt.accounts.models import ApiClient, User


class ApiClientAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiClient] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("De sleutel ontbreekt of bevat spaties."))
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("De sleutel is ongeldig.")) from None
        client = api_client_for_token(token)
        # A blocked principal stops its token too, as a blocked person's session stops; the
        # same answer as any dead token, so a caller cannot tell which it holds.
        if client is None or not client.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("De sleutel is onbekend, ingetrokken of verlopen.")
            )
        user = client.user
        # The policy reads the client from the principal; save it the query.
        user._schakelpunt_api_client = client  # type: ignore[attr-defined]
        return user, client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "schakelpunt.api.authentication.ApiClientAuthentication"
    name = "sleutel"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _("De sleutel van een koppeling: spk_<begin>_<geheim>."),
        }
