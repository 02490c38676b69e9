"""Token verification: the local secret (embedded default) and an issuer's JWKS over HTTP (production)."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from inspraak.services.api.auth import InvalidTokenError, Role, TokenVerifier, issue_token
from inspraak.settings import Settings

ISSUER = "https://login.voorbeeldhaven.nl"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    """A real HTTP server on loopback publishing the public key, as an identity provider does."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key())) | {"kid": "k1", "use": "sig"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


def idp_token(key: rsa.RSAPrivateKey, **claims: object) -> str:
    now = datetime.now(UTC)
    base = {"sub": "u1", "name": "Sanne", "iss": ISSUER, "aud": "inspraak", "iat": now, "exp": now + timedelta(hours=1)}
    return jwt.encode(base | claims, key, algorithm="RS256", headers={"kid": "k1"})


def jwks_settings(url: str) -> Settings:
    return Settings(auth_mode="jwks", jwks_url=url, jwt_issuer=ISSUER)


def test_a_token_of_the_issuer_is_verified_against_its_jwks(signing_key, jwks_url):
    p = TokenVerifier(jwks_settings(jwks_url)).verify(idp_token(signing_key, role="organisation", org="hv-eendracht"))
    assert p.role == Role.ORGANISATION and p.organisation_id == "hv-eendracht"


def test_a_token_signed_by_another_key_is_refused(jwks_url):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidTokenError):
        TokenVerifier(jwks_settings(jwks_url)).verify(idp_token(other, role="staff"))


def test_a_token_of_another_issuer_is_refused(signing_key, jwks_url):
    with pytest.raises(InvalidTokenError):
        TokenVerifier(jwks_settings(jwks_url)).verify(idp_token(signing_key, role="staff", iss="https://evil"))


def test_a_locally_signed_token_is_refused_in_jwks_mode(jwks_url):
    token = issue_token(Settings(), role=Role.STAFF, subject="s", name="S", email="s@x.nl")
    with pytest.raises(InvalidTokenError):
        TokenVerifier(jwks_settings(jwks_url)).verify(token)


def test_an_expired_local_token_is_refused():
    settings = Settings()
    token = issue_token(settings, role=Role.STAFF, subject="s", name="S", email="s@x.nl", ttl=timedelta(seconds=-1))
    with pytest.raises(InvalidTokenError, match="expired"):
        TokenVerifier(settings).verify(token)


def test_an_organisation_token_must_name_its_organisation(signing_key, jwks_url):
    with pytest.raises(InvalidTokenError, match="org"):
        TokenVerifier(jwks_settings(jwks_url)).verify(idp_token(signing_key, role="organisation"))


def test_a_token_without_a_known_role_is_refused(signing_key, jwks_url):
    with pytest.raises(InvalidTokenError, match="role"):
        TokenVerifier(jwks_settings(jwks_url)).verify(idp_token(signing_key, role="admin"))
