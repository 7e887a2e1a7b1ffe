"""A real OpenID Connect provider (node + panva's oidc-provider, tests/oidc/provider.mjs) in
a second process on a loopback port, and the steps a browser takes on its login page.

Without node or node_modules/oidc-provider the tests that need it are skipped, except in CI
(CI=true), where a missing provider fails: the login must be tested against a real one.
Run `npm ci` first (the Makefile does when npm is there).
"""

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "schakelpunt-test"
CLIENT_SECRET = "test-only-client-secret-0123456789abcdef"
PASSWORD = "idp-wachtwoord"


def _node() -> str:
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("node")
    if not PACKAGE.exists():
        missing.append("node_modules/oidc-provider (run `npm ci`)")
    if missing:
        message = "the OpenID Connect tests need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert node is not None
    return node


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class IdpProcess:
    """The running provider: its issuer, our client there, and its people."""

    issuer: str
    accounts_file: Path

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        """Who can log in at the provider, by subject; read again at every login."""
        full = {sub: {"password": PASSWORD, "amr": ["pwd"], **a} for sub, a in accounts.items()}
        self.accounts_file.write_text(json.dumps(full))

    def log_in(self, authorize_url: str, subject: str, password: str = PASSWORD) -> str:
        """What a browser does on the provider's own login page; returns the address the
        provider sends the browser back to (Schakelpunt's callback with code and state)."""
        browser = requests.Session()
        response = self._follow(browser, authorize_url)
        assert isinstance(response, requests.Response), response
        assert "Inloggen bij de test-identiteitsprovider" in response.text
        submitted = browser.post(
            f"{response.url}/login",
            data={"login": subject, "password": password},
            allow_redirects=False,
        )
        assert submitted.status_code in (302, 303), submitted.text
        back = self._follow(browser, urljoin(submitted.url, submitted.headers["location"]))
        assert isinstance(back, str), back.text
        return back

    def _follow(self, browser: requests.Session, url: str) -> requests.Response | str:
        for _hop in range(10):
            if not url.startswith(self.issuer):
                return url  # back to the client
            response = browser.get(url, allow_redirects=False)
            if response.status_code not in (302, 303):
                return response
            url = urljoin(url, response.headers["location"])
        raise AssertionError("too many redirects at the provider")


@contextmanager
def running_provider(redirect_uris: list[str], workdir: Path) -> Iterator[IdpProcess]:
    node = _node()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    accounts = workdir / "accounts.json"
    provider = IdpProcess(issuer=issuer, accounts_file=accounts)
    provider.set_accounts({})
    config = workdir / "provider.json"
    config.write_text(
        json.dumps(
            {
                "port": port,
                "issuer": issuer,
                "accounts_file": str(accounts),
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": redirect_uris,
                    }
                ],
            }
        )
    )
    log = (workdir / "provider.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [node, str(SCRIPT), str(config)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                output = (workdir / "provider.log").read_text()
                pytest.fail(f"the test OpenID Connect provider did not start:\n{output}")
            time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def oidc_provider_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpProcess]:
    """The provider for Django's test client (http://testserver)."""
    with running_provider(
        ["http://testserver/oidc/callback/"], tmp_path_factory.mktemp("oidc")
    ) as provider:
        yield provider


@pytest.fixture
def oidc_provider(oidc_provider_process: IdpProcess, settings: Any) -> IdpProcess:
    """The running provider with nobody on it yet; Schakelpunt may talk http to loopback."""
    settings.OIDC_ALLOW_HTTP_LOOPBACK = True
    oidc_provider_process.set_accounts({})
    return oidc_provider_process
