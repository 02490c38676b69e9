"""Bearer tokens (JWT): who the caller is and which organisation it speaks for.

Roles: ``staff`` and ``manager`` (corporation staff) and ``organisation`` (a tenant organisation; the
``org`` claim names which). The embedded default signs and verifies with a local secret; production
verifies tokens of its identity provider against the provider's JWKS, or against one public key.

A token must carry ``sub``, ``role``, ``iat`` and ``exp`` (and ``org`` for an organisation), each of its
type; ``name`` and ``email`` may be left out but not be null or of another type. It lives at most
``INSPRAAK_TOKEN_MAX_LIFETIME_DAYS``. The signature is checked for every token and every claim of every
token, before any of them refuses it: how long the answer takes says nothing about which check failed.
"""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, EmailStr, Field, StrictFloat, StrictInt, ValidationError

from inspraak.domain.documents import Visibility
from inspraak.domain.text import OneLine
from inspraak.settings import Settings


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    ORGANISATION = "organisation"


STAFF_ROLES = frozenset({Role.STAFF, Role.MANAGER})


class Principal(BaseModel):
    subject: str
    name: str
    email: str
    role: Role
    organisation_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def may_see(self, organisation_id: str) -> bool:
        """Staff see everything; an organisation sees only its own trajectories and documents."""
        return self.is_staff or self.organisation_id == organisation_id

    def may_read(self, organisation_id: str, visibility: str) -> bool:
        """A document or timeline line: staff read all; an organisation its own, unless it is for staff only.

        The one rule for every read path (metadata, content, listings, a trajectory's documents).
        """
        if self.is_staff:
            return True
        return self.organisation_id == organisation_id and visibility == Visibility.ORGANISATION.value


class InvalidTokenError(Exception):
    """The bearer token is missing, expired, badly signed or lacks a claim."""


class AuthConfigurationError(Exception):
    """The settings do not let tokens be verified (no JWKS URL, an unusable public key)."""


# Clocks of the issuer and of this server may differ a little: a token issued just now by a clock that runs
# ahead is accepted. Expiry has no leeway.
LEEWAY = timedelta(seconds=60)
ORGANISATION_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"


class Claims(BaseModel):
    """The claims Inspraak reads, with their types; other claims are ignored."""

    sub: OneLine = Field(min_length=1, max_length=255)
    role: Role
    iat: StrictInt | StrictFloat
    exp: StrictInt | StrictFloat
    iss: str
    aud: str | list[str]
    name: OneLine = Field(default="", max_length=200)
    email: EmailStr = ""  # type: ignore[assignment]  # absent: no address; present: a valid one
    org: str | None = Field(default=None, pattern=ORGANISATION_ID)


def issue_token(settings: Settings, *, role: Role, subject: str, name: str, email: str,
                organisation_id: str | None = None, ttl: timedelta = timedelta(days=30)) -> str:
    """A locally signed token (embedded default and tests only)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": subject, "name": name, "role": role.value, "iss": settings.jwt_issuer,
                              "aud": settings.jwt_audience, "iat": now, "exp": now + ttl}
    if email:
        claims["email"] = email
    if organisation_id:
        claims["org"] = organisation_id
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def _public_key(pem: str) -> tuple[Any, list[str]]:
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError as e:
        raise AuthConfigurationError(f"INSPRAAK_JWT_PUBLIC_KEY is not a PEM public key: {e}") from e
    if isinstance(key, RSAPublicKey):
        return key, ["RS256"]
    if isinstance(key, Ed25519PublicKey):
        return key, ["EdDSA"]
    raise AuthConfigurationError("INSPRAAK_JWT_PUBLIC_KEY must be an RSA (RS256) or Ed25519 (EdDSA) public key")


class TokenVerifier:
    """Verifies bearer tokens the way ``settings.auth_mode`` says.

    Raises:
        AuthConfigurationError: when the settings cannot verify any token.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks: jwt.PyJWKClient | None = None
        self._key: Any = settings.jwt_secret.get_secret_value()
        self._algorithms = ["HS256"]
        if settings.auth_mode == "jwks":
            if not settings.jwks_url:
                raise AuthConfigurationError("INSPRAAK_AUTH_MODE=jwks needs INSPRAAK_JWKS_URL")
            self._jwks = jwt.PyJWKClient(settings.jwks_url)
            self._algorithms = ["RS256", "ES256", "EdDSA"]
        elif settings.auth_mode == "public_key":
            if not settings.jwt_public_key:
                raise AuthConfigurationError("INSPRAAK_AUTH_MODE=public_key needs INSPRAAK_JWT_PUBLIC_KEY (PEM)")
            self._key, self._algorithms = _public_key(settings.jwt_public_key)

    def verify(self, token: str) -> Principal:
        """The caller a token names, once its signature and every claim are right.

        Raises:
            InvalidTokenError: saying what is wrong (the first of what is wrong).
        """
        problems: list[str] = []
        key = self._key
        if self._jwks is not None:
            try:
                key = self._jwks.get_signing_key_from_jwt(token).key
            except jwt.PyJWTError as e:
                raise InvalidTokenError(f"no signing key of the issuer fits: {e}") from e
        # Only the signature here; the claims are checked below, for a badly signed token too.
        options = {"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False,
                   "verify_iss": False, "verify_sub": False, "verify_jti": False}
        # The same work for every token: read the claims, check the signature, check every claim.
        raw = self._unverified(token)
        try:
            jwt.decode(token, key, algorithms=self._algorithms, options=options)  # type: ignore[arg-type]
        except jwt.InvalidSignatureError:
            problems.append("the signature does not verify")
        except jwt.PyJWTError as e:  # not a JWT at all, or an algorithm we do not accept: nothing to verify
            raise InvalidTokenError(str(e)) from e
        claims, claim_problems = self._check_claims(raw)
        problems += claim_problems
        if problems or claims is None:
            raise InvalidTokenError("; ".join(problems))
        return Principal(subject=claims.sub, name=claims.name or claims.sub, email=str(claims.email or ""),
                         role=claims.role, organisation_id=claims.org if claims.role == Role.ORGANISATION else None)

    @staticmethod
    def _unverified(token: str) -> dict[str, Any]:
        try:
            return jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return {}

    def _check_claims(self, raw: Any) -> tuple[Claims | None, list[str]]:
        s = self._settings
        if not isinstance(raw, dict):
            return None, ["the token's payload is not a JSON object"]
        try:
            claims = Claims.model_validate(raw)
        except ValidationError as e:
            return None, [f"claim '{'.'.join(str(p) for p in err['loc'])}': "
                          + ("required" if err["type"] == "missing" else err["msg"]) for err in e.errors()]
        problems = []
        now = datetime.now(UTC).timestamp()
        leeway = LEEWAY.total_seconds()
        if claims.exp <= now:
            problems.append("the token has expired")
        if claims.iat > now + leeway:
            problems.append("the token was issued in the future (iat)")
        if claims.exp - claims.iat > s.token_max_lifetime_days * 86400:
            problems.append(f"the token lives longer than {s.token_max_lifetime_days} days (exp - iat); "
                            "ask for a shorter-lived token")
        if claims.iss != s.jwt_issuer:
            problems.append("the token is of another issuer (iss)")
        if s.jwt_audience not in ([claims.aud] if isinstance(claims.aud, str) else claims.aud):
            problems.append("the token is for another audience (aud)")
        if claims.role == Role.ORGANISATION and not claims.org:
            problems.append("an organisation token must name its organisation in the 'org' claim")
        return claims, problems
