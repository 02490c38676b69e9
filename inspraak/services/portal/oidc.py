"""Staff log in with the corporation's identity provider: OpenID Connect, authorization code flow with PKCE.

``/portaal/medewerkers/inloggen`` sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE
challenge, kept for ten minutes in a signed cookie of their own (``__Host-inspraak-oidc``, SameSite=Lax so it
comes back with the provider's redirect). ``/portaal/medewerkers/terug`` checks the state, exchanges the code
(with the client secret and the PKCE verifier), verifies the ID token against the provider's published keys
(signature, issuer, audience, expiry, nonce) and opens a staff session: a manager when
``INSPRAAK_OIDC_MANAGER_GROUP`` is in the token's ``groups`` or ``roles``. Without ``INSPRAAK_OIDC_ISSUER`` these
pages say that staff log in another way.
"""

import asyncio
import base64
import hashlib
import logging
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import jwt
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from inspraak.services.api.auth import Role
from inspraak.services.portal import web
from inspraak.services.portal.sessions import Signer
from inspraak.settings import Settings

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

COOKIE = "__Host-inspraak-oidc"
CALLBACK = f"{web.PREFIX}/medewerkers/terug"
ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
FAILED = ("Inloggen is niet gelukt", "Probeer het opnieuw. Lukt het niet, neem dan contact op met de servicedesk.")


class Provider:
    """The identity provider's configuration (discovery) and keys, fetched once and kept."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._keys: jwt.PyJWKClient | None = None
        self._lock = asyncio.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.settings.oidc_issuer)

    @property
    def issuer(self) -> str:
        return (self.settings.oidc_issuer or "").rstrip("/")

    async def metadata(self) -> dict[str, Any]:
        async with self._lock:
            if self._metadata is None:
                async with httpx.AsyncClient(timeout=10) as http:
                    r = await http.get(f"{self.issuer}/.well-known/openid-configuration")
                    r.raise_for_status()
                    self._metadata = r.json()
                self._keys = jwt.PyJWKClient(self._metadata["jwks_uri"])
            return self._metadata

    async def claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims once signature, issuer, audience, expiry and nonce are right.

        Raises:
            jwt.PyJWTError: anything wrong with the token.
        """
        await self.metadata()
        assert self._keys is not None
        keys = await run_in_threadpool(self._candidates, id_token)  # may fetch the keys
        claims: dict[str, Any] | None = None
        for n, key in enumerate(keys):
            try:
                claims = jwt.decode(id_token, key.key, algorithms=ALGORITHMS, issuer=self.issuer,
                                    audience=self.settings.oidc_client_id, leeway=60,
                                    options={"require": ["sub", "iss", "aud", "exp", "iat"]})
                break
            except jwt.InvalidSignatureError:
                if n == len(keys) - 1:
                    raise
        if claims is None:
            raise jwt.InvalidTokenError("the provider publishes no key to check this token")
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise jwt.InvalidTokenError("the nonce does not match this login")
        return claims


    def _candidates(self, id_token: str) -> list[jwt.PyJWK]:
        """The key the token names (``kid``), or, for a token that names none, every signing key published."""
        assert self._keys is not None
        if jwt.get_unverified_header(id_token).get("kid"):
            return [self._keys.get_signing_key_from_jwt(id_token)]
        return list(self._keys.get_signing_keys())


def origin(settings: Settings) -> str | None:
    """The identity provider's origin (scheme, host, port), where the logout form may redirect; None without one."""
    if not settings.oidc_issuer:
        return None
    return origin_of(settings.oidc_issuer)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def logout_url(request: Request) -> str | None:
    """Where the browser goes to end its session at the identity provider too (OpenID Connect RP-Initiated
    Logout 1.0), coming back to the login page; None when the provider publishes no ``end_session_endpoint``.

    The request names the client (``client_id``) rather than an ``id_token_hint``, so no ID token is kept;
    register ``<INSPRAAK_API_PUBLIC_URL>/portaal/inloggen?uitgelogd=1`` as a post-logout redirect URI.
    """
    provider: Provider = request.app.state.portal_oidc
    if not provider.configured:
        return None
    try:
        endpoint = (await provider.metadata()).get("end_session_endpoint")
    except (httpx.HTTPError, ValueError, KeyError) as e:
        logger.warning("the identity provider's configuration could not be read at logout: %s", e)
        return None
    if not endpoint or origin(provider.settings) != origin_of(str(endpoint)):
        return None  # none, or elsewhere than the CSP's form-action allows: the session ends here only
    back = f"{provider.settings.api_public_url.rstrip('/')}{web.PREFIX}/inloggen?uitgelogd=1"
    parts = urlsplit(str(endpoint))  # it may carry a query of its own
    query = [*parse_qsl(parts.query), ("client_id", provider.settings.oidc_client_id),
             ("post_logout_redirect_uri", back)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _provider(request: Request) -> Provider:
    provider: Provider = request.app.state.portal_oidc
    if not provider.configured:
        raise web.PageProblem(404, "Inloggen voor medewerkers",
                              "Hier is geen inlogdienst voor medewerkers ingesteld. Vraag de beheerder om een link.")
    return provider


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _callback_url(settings: Settings) -> str:
    return f"{settings.api_public_url.rstrip('/')}{CALLBACK}"


@router.get("/medewerkers/inloggen")
async def start(request: Request) -> Response:
    provider = _provider(request)
    metadata = await provider.metadata()
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    settings = provider.settings
    query = urlencode({"response_type": "code", "client_id": settings.oidc_client_id, "scope": "openid email profile",
                       "redirect_uri": _callback_url(settings), "state": state, "nonce": nonce,
                       "code_challenge": _challenge(verifier), "code_challenge_method": "S256"})
    response = web.redirect(f"{metadata['authorization_endpoint']}?{query}")
    kept = Signer(settings, "oidc").sign({"state": state, "nonce": nonce, "verifier": verifier,
                                          "expires": int(time.time()) + 600})
    response.set_cookie(COOKIE, kept, max_age=600, path="/", secure=settings.portal_cookie_secure, httponly=True,
                        samesite="lax")
    return response


@router.get("/medewerkers/terug")
async def back(request: Request, code: str = "", state: str = "") -> Response:
    provider = _provider(request)
    settings = provider.settings
    kept = Signer(settings, "oidc").unsign(request.cookies.get(COOKIE, ""))
    if (kept is None or kept.get("expires", 0) < time.time() or not code
            or not secrets.compare_digest(str(kept.get("state", "")), state)):
        raise web.PageProblem(400, *FAILED)
    metadata = await provider.metadata()
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.post(metadata["token_endpoint"], auth=(settings.oidc_client_id, secret), data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": _callback_url(settings),
                "code_verifier": kept["verifier"]})
            r.raise_for_status()
        claims = await provider.claims(str(r.json()["id_token"]), str(kept["nonce"]))
    except (httpx.HTTPError, KeyError, ValueError, jwt.PyJWTError) as e:
        logger.warning("a staff login through the identity provider failed: %s", e)
        raise web.PageProblem(400, *FAILED) from e
    groups = [*claims.get("groups", []), *claims.get("roles", [])]
    role = Role.MANAGER if settings.oidc_manager_group in groups else Role.STAFF
    email = str(claims.get("email", ""))
    value = web.sessions(request).open(role=role, subject=str(claims["sub"]),
                                       name=str(claims.get("name") or email or claims["sub"]), email=email, idp=True)
    response = web.redirect(web.landing(staff=True))
    response.delete_cookie(COOKIE, path="/", secure=settings.portal_cookie_secure, httponly=True, samesite="lax")
    web.set_session_cookie(request, response, value)
    return response
