"""Token verification: the local secret (embedded default) and an issuer's JWKS over HTTP (production)."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from inspraak.services.api.auth import AuthConfigurationError, InvalidTokenError, Role, TokenVerifier, issue_token
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


# ---- claims with their types, lifetime, public keys ----------------------------------------------


def local_token(settings: Settings, **claims: object) -> str:
    now = datetime.now(UTC)
    base: dict[str, object] = {"sub": "s", "name": "S", "email": "s@x.nl", "role": "staff", "iss": settings.jwt_issuer,
                               "aud": settings.jwt_audience, "iat": now, "exp": now + timedelta(hours=1)}
    payload = {k: v for k, v in (base | claims).items() if v is not ...}
    return jwt.encode(payload, settings.jwt_secret.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(("claims", "named"), [
    ({"name": None}, "name"),
    ({"email": None}, "email"),
    ({"email": 42}, "email"),
    ({"email": "not an address"}, "email"),
    ({"role": "organisation", "org": 17}, "org"),
    ({"role": "organisation", "org": None}, "org"),
    ({"sub": None}, "sub"),
    ({"sub": ...}, "sub"),
    ({"name": "Sanne\r\nBehandelaar"}, "name"),
    ({"exp": ...}, "exp"),
    ({"iat": ...}, "iat"),
    ({"exp": "tomorrow"}, "exp"),
    ({"role": None}, "role"),
])
def test_a_missing_null_or_wrongly_typed_claim_is_refused_naming_it(claims: dict[str, object], named: str):
    settings = Settings()
    with pytest.raises(InvalidTokenError, match=named):
        TokenVerifier(settings).verify(local_token(settings, **claims))


def test_a_token_living_longer_than_the_maximum_is_refused():
    settings = Settings(token_max_lifetime_days=31)
    now = datetime.now(UTC)
    with pytest.raises(InvalidTokenError, match="longer than 31 days"):
        TokenVerifier(settings).verify(local_token(settings, iat=now, exp=now + timedelta(days=32)))


def test_a_token_issued_in_the_future_is_refused():
    settings = Settings()
    now = datetime.now(UTC)
    with pytest.raises(InvalidTokenError, match="iat"):
        TokenVerifier(settings).verify(local_token(settings, iat=now + timedelta(hours=1),
                                                   exp=now + timedelta(hours=2)))


def test_a_badly_signed_token_is_refused_for_its_signature_even_with_good_claims():
    token = local_token(Settings(jwt_secret="another-secret-of-someone-else-entirely"))
    with pytest.raises(InvalidTokenError, match="signature"):
        TokenVerifier(Settings()).verify(token)


def test_a_null_name_is_a_401_over_http_not_a_500(tmp_path):  # type: ignore[no-untyped-def]
    import httpx

    from inspraak.services.api.app import create_app

    settings = Settings(data_dir=tmp_path)
    app = create_app(settings)
    import asyncio

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
            return await client.get("/v1/organisations",
                                    headers={"Authorization": f"Bearer {local_token(settings, name=None)}"})

    r = asyncio.run(call())
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert "name" in r.json()["detail"]


def pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.mark.parametrize("algorithm", ["RS256", "EdDSA"])
def test_a_token_signed_with_the_configured_public_keys_private_half_is_verified(algorithm: str):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048) if algorithm == "RS256" \
        else ed25519.Ed25519PrivateKey.generate()
    settings = Settings(auth_mode="public_key", jwt_public_key=pem(private), jwt_issuer=ISSUER)
    now = datetime.now(UTC)
    token = jwt.encode({"sub": "u1", "role": "staff", "name": "Sanne", "iss": ISSUER, "aud": "inspraak", "iat": now,
                        "exp": now + timedelta(hours=1)}, private, algorithm=algorithm)
    assert TokenVerifier(settings).verify(token).name == "Sanne"
    other = ed25519.Ed25519PrivateKey.generate() if algorithm == "EdDSA" \
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidTokenError):
        TokenVerifier(settings).verify(jwt.encode({"sub": "u1"}, other, algorithm=algorithm))


def test_a_locally_signed_token_is_refused_in_public_key_mode():
    private = ed25519.Ed25519PrivateKey.generate()
    settings = Settings(auth_mode="public_key", jwt_public_key=pem(private))
    with pytest.raises(InvalidTokenError):
        TokenVerifier(settings).verify(local_token(Settings()))


def test_an_unusable_public_key_stops_the_start_naming_the_setting():
    with pytest.raises(AuthConfigurationError, match="INSPRAAK_JWT_PUBLIC_KEY"):
        TokenVerifier(Settings(auth_mode="public_key", jwt_public_key="not a key"))
