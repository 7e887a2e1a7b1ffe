"""Around every page: the language (Dutch unless the person chose another) and no caching."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class ChosenLanguageMiddleware:
    """Like Django's LocaleMiddleware, but the browser's language does not decide.

    Many staff use a browser in English; the product speaks Dutch to them until they pick
    English themselves (the language cookie set by the footer's form).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class NoStoreMiddleware:
    """Nothing Schakelpunt renders is kept by a browser or a proxy: files, plans, PDFs,
    exports and the API hold personal data, and a shared computer's back button or disk cache
    must not show them to the next person.

    Static files never get here (WhiteNoise answers them earlier, cached for long). A view
    that sets Cache-Control itself keeps its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response.headers:
            patch_cache_control(
                response, no_store=True, no_cache=True, must_revalidate=True, private=True
            )
        if "no-store" in response.headers["Cache-Control"]:
            response.headers.setdefault("Pragma", "no-cache")  # for HTTP/1.0 proxies
        return response
