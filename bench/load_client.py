"""How the load test's users talk to Schakelpunt, as a browser and as a connected system do:
the login form with its CSRF token, the second factor from an authenticator app (TOTP,
RFC 6238, the same code an app shows), the API's bearer sleutel, and one retry of a read on a
dropped connection (what a browser does when a keep-alive connection dies under it).

Shared by locustfile.py (many users) and load_test.py (the import it kills); no Django here.
"""

import hashlib
import hmac
import re
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

import requests

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN = "/account/inloggen/"
SECOND_FACTOR = "/account/tweestaps/controle/"
TOTP_STEP = 30

# (request type, page type, milliseconds, response bytes, exception or None)
Report = Callable[[str, str, float, int, BaseException | None], None]


class RequestFailed(Exception):
    """A request that did not give the answer a user needs; already reported."""


def totp(key_hex: str, at: float | None = None) -> str:
    """The six digits an authenticator app shows for this key now (RFC 6238, SHA-1, 30 s)."""
    counter = int(time.time() if at is None else at) // TOTP_STEP
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


def csrf_token(html: str) -> str:
    found = CSRF_INPUT.search(html)
    if found is None:
        raise RequestFailed("no CSRF token in the form")
    return found.group(1)


def _no_report(kind: str, name: str, ms: float, size: int, error: BaseException | None) -> None:
    return None


class Browser:
    """One person's browser (or one system's HTTP client): its own cookies and connections.

    Every request names its page type; `report` gets each one (locust's statistics). A GET
    that meets a dropped connection is tried once more, reported as type RETRY (counted apart,
    not a failure); a write is never repeated, as a browser does not repeat a form post."""

    def __init__(self, base_url: str, report: Report = _no_report, timeout: float = 90) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.report = report
        self.timeout = timeout

    def request(
        self,
        method: str,
        name: str,
        path: str,
        *,
        expect: Iterable[int] = (200,),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        url = self.base_url + path
        # A form post carries its page as Referer, as a browser does (Django's CSRF check).
        sent = {"Referer": url, **(headers or {})} if method != "GET" else (headers or {})
        expected = set(expect)
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                response = self.session.request(
                    method, url, headers=sent, allow_redirects=False, timeout=self.timeout, **kwargs
                )
            except requests.ConnectionError as error:
                ms = (time.perf_counter() - started) * 1000
                if attempt == 1 and method == "GET":
                    self.report("RETRY", name, ms, 0, None)
                    continue
                self.report(method, name, ms, 0, error)
                raise RequestFailed(f"{name}: {error}") from error
            except requests.RequestException as error:  # a timeout: the user gave up
                self.report(method, name, (time.perf_counter() - started) * 1000, 0, error)
                raise RequestFailed(f"{name}: {error}") from error
            ms = (time.perf_counter() - started) * 1000
            problem = None
            if response.status_code not in expected:
                where = response.headers.get("Location", "")
                problem = RequestFailed(
                    f"{name}: HTTP {response.status_code}{' to ' + where if where else ''}"
                    f" (expected {'/'.join(map(str, sorted(expected)))})"
                )
            self.report(method, name, ms, len(response.content), problem)
            if problem is not None:
                raise problem
            return response
        raise AssertionError("unreachable")

    def get(self, name: str, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", name, path, **kwargs)

    def post_form(
        self, name: str, path: str, data: dict[str, str], form_html: str, **kwargs: Any
    ) -> requests.Response:
        """Post a form as the browser does after showing it: with the form's CSRF token; a
        good post answers with a redirect (post/redirect/get)."""
        data = {"csrfmiddlewaretoken": csrf_token(form_html), **data}
        kwargs.setdefault("expect", (302,))
        return self.request("POST", name, path, data=data, **kwargs)

    def log_in(self, email: str, password: str, totp_key: str) -> None:
        """The login form, then the second factor, as a person does it (3 page types)."""
        form = self.get("login: form", LOGIN)
        self.post_form(
            "login: password", LOGIN, {"username": email, "password": password}, form.text
        )
        page = self.get("login: second factor", SECOND_FACTOR)
        self.post_form("login: second factor", SECOND_FACTOR, {"token": totp(totp_key)}, page.text)

    def use_token(self, token: str) -> None:
        self.session.headers["Authorization"] = f"Bearer {token}"
