"""Sends a logged-in user through the second factor before anything else; keeps systems'
principals out of sessions."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import user_has_confirmed_device
from .services import second_factor_required


class SecondFactorMiddleware:
    """A user with a TOTP device must verify it; every role but the student must have one."""

    _open_prefixes = ("/static/", "/i18n/", "/account/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(self._open_prefixes)
        ):
            target = None
            if user_has_confirmed_device(user=user):
                target = "accounts:otp_verify"
            elif settings.OTP_REQUIRED and second_factor_required(user=user):
                target = "accounts:otp_setup"
            if target is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Tweestapsverificatie is nodig voor deze gegevens."},
                        status=403,
                    )
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class NoSystemSessionMiddleware:
    """A connected system's principal never holds a session on the screens: whatever backend
    put it there (a password an operator set, a test's force_login, a future login route),
    the session is ended and the request goes on as anonymous. Systems use their token on
    /api/v1/ (api/authentication.py), where this middleware has nothing to do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_api_client", False):
            logout(request)
            request.user = AnonymousUser()
        return self.get_response(request)
