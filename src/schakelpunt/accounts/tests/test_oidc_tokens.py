"""ID tokens a real provider would never send: a wrong audience, no nonce, a foreign key,
a shared-secret or unsigned algorithm, another issuer, an expired token. A correct provider
cannot be made to sign these, so here the test is the provider: it holds the RSA key, serves
its JWKS, token and user info endpoints over HTTP on a loopback port (the same requests the
backend makes to the school's provider), and signs what each case needs. Every one is refused
with a Dutch page and nobody is logged in; the correct token is accepted, so the refusals are
about the one thing each case changes."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from schakelpunt.accounts.models import IdentityProvider, Organisation
from schakelpunt.accounts.oidc import ProviderSettings, identity_provider_save

pytestmark = pytest.mark.django_db

CLIENT_ID = "schakelpunt"
KID = "key-1"


class FakeProvider:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.id_token = ""
        self.userinfo: dict[str, Any] = {}

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def sign(self, claims: dict[str, Any], *, key: Any = None, algorithm: str = "RS256") -> str:
        return jwt.encode(claims, key or self.key, algorithm=algorithm, headers={"kid": KID})


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    state: dict[str, FakeProvider] = {}

    class Handler(BaseHTTPRequestHandler):
        def _json(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            provider = state["p"]
            self._json(provider.jwks() if self.path == "/jwks" else provider.userinfo)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._json(
                {"access_token": "at", "token_type": "Bearer", "id_token": state["p"].id_token}
            )

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["p"] = FakeProvider(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["p"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def idp(world, fake: FakeProvider, settings: Any) -> IdentityProvider:
    settings.OIDC_ALLOW_HTTP_LOOPBACK = True
    return identity_provider_save(
        actor=None,
        organisation=Organisation.objects.get(name="ROC Een"),
        values=ProviderSettings(
            name="ROC Een",
            issuer=fake.issuer,
            client_id=CLIENT_ID,
            client_secret="geheim",
            authorization_endpoint=f"{fake.issuer}/auth",
            token_endpoint=f"{fake.issuer}/token",
            jwks_uri=f"{fake.issuer}/jwks",
            userinfo_endpoint=f"{fake.issuer}/userinfo",
        ),
        password_login=True,
    )


def callback_with(client: Client, idp: IdentityProvider, fake: FakeProvider, **change: Any):  # type: ignore[no-untyped-def]
    """Start at Schakelpunt (state and nonce in the session), then come back with the token
    the fake provider signs: the correct claims with `change` applied (None drops one)."""
    location = client.get(f"/oidc/{idp.pk}/start/")["Location"]
    state = location.split("state=")[1].split("&")[0]
    nonce = client.session["oidc_states"][state]["nonce"]
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": fake.issuer,
        "aud": CLIENT_ID,
        "sub": "sub-coach",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "amr": ["pwd"],
    }
    key = change.pop("key", None)
    algorithm = change.pop("algorithm", "RS256")
    for name, value in change.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    fake.id_token = fake.sign(claims, key=key, algorithm=algorithm)
    fake.userinfo = {"sub": "sub-coach", "email": "coach@example.nl", "email_verified": True}
    return client.get(f"/oidc/callback/?code=abc&state={state}")


def assert_refused(client: Client, response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403
    html = response.content.decode()
    assert "klopt niet of is verlopen" in html
    assert "U bent niet ingelogd in Schakelpunt." in html
    assert "_auth_user_id" not in client.session


def test_the_correct_token_logs_the_coach_in(world, idp, fake):
    client = Client()
    response = callback_with(client, idp, fake)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.users["coach"].pk


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"aud": "another-client"}, id="wrong audience"),
        pytest.param({"aud": ["another-client", CLIENT_ID]}, id="several audiences, no azp"),
        pytest.param({"nonce": None}, id="missing nonce"),
        pytest.param({"nonce": "not-the-one-we-sent"}, id="wrong nonce"),
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"iss": "https://other-idp.example"}, id="wrong issuer"),
        pytest.param({"exp": None}, id="no expiry"),
    ],
)
def test_a_token_that_does_not_check_out_is_refused(world, idp, fake, change):
    client = Client()
    assert_refused(client, callback_with(client, idp, fake, **change))


def test_a_token_signed_with_another_key_is_refused(world, idp, fake):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = Client()
    assert_refused(client, callback_with(client, idp, fake, key=stranger))


def test_a_token_signed_with_the_client_secret_is_refused(world, idp, fake):
    """HS256 with the client secret (which the provider's other clients may not know, but
    anyone who reads the configuration does) never counts."""
    client = Client()
    response = callback_with(client, idp, fake, key="geheim" * 6, algorithm="HS256")
    assert_refused(client, response)


def test_user_info_about_someone_else_is_refused(world, idp, fake):
    client = Client()
    location = client.get(f"/oidc/{idp.pk}/start/")["Location"]
    state = location.split("state=")[1].split("&")[0]
    nonce = client.session["oidc_states"][state]["nonce"]
    now = int(time.time())
    fake.id_token = fake.sign(
        {
            "iss": fake.issuer,
            "aud": CLIENT_ID,
            "sub": "x",
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
        }
    )
    fake.userinfo = {"sub": "y", "email": "coach@example.nl", "email_verified": True}
    assert_refused(client, client.get(f"/oidc/callback/?code=abc&state={state}"))


def test_a_callback_without_a_started_login_is_refused(world, idp, fake):
    client = Client()
    response = client.get("/oidc/callback/?code=abc&state=made-up")
    assert response.status_code == 403
    assert "al gebruikt" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_crafted_callback_does_not_log_a_logged_in_person_out(world, idp, fake):
    """Only a login this browser started can end its session; a link from elsewhere cannot."""
    from tests.world import client_for

    client = client_for(world.users["coach"])
    for query in ("error=access_denied&state=x", "code=abc&state=x", ""):
        assert client.get(f"/oidc/callback/?{query}").status_code == 403
    assert int(client.session["_auth_user_id"]) == world.users["coach"].pk
