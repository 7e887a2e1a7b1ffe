"""Scopes: a connected system calls only the endpoints its scopes name. People logged in on
a screen are not limited by scopes; for them, as for systems, the access policy decides."""

from typing import TYPE_CHECKING, Any

from rest_framework import permissions
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView

from schakelpunt.accounts.models import ApiClient


def request_client(request: Request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


class HasScope(permissions.BasePermission):
    """The view names `required_scopes`: a dict from action (or HTTP method) to the scope,
    or one scope for all. A system without that scope is refused (403)."""

    message = "Deze koppeling heeft het recht voor deze aanvraag niet."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        client = request_client(request)
        if client is None:
            # A person's session, never a bare principal of a system.
            return not getattr(request.user, "is_api_client", False)
        wanted = required_scope(view, request)
        return wanted is not None and wanted in client.scopes


def required_scope(view: Any, request: Request) -> str | None:
    scopes = getattr(view, "required_scopes", None)
    if isinstance(scopes, str):
        return scopes
    if isinstance(scopes, dict):
        action = getattr(view, "action", None)
        return scopes.get(action) or scopes.get(request.method or "")
    return None
