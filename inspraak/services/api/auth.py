"""Bearer tokens (JWT): who the caller is and which organisation it speaks for.

Roles: ``staff`` and ``manager`` (corporation staff) and ``organisation`` (a tenant organisation; the
``org`` claim names which). The embedded default signs and verifies with a local secret; production
verifies tokens of its identity provider against the provider's JWKS.
"""

from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from pydantic import BaseModel

from inspraak.domain.documents import Visibility
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


def issue_token(settings: Settings, *, role: Role, subject: str, name: str, email: str,
                organisation_id: str | None = None, ttl: timedelta = timedelta(days=30)) -> str:
    """A locally signed token (embedded default and tests only)."""
    now = datetime.now(UTC)
    claims = {"sub": subject, "name": name, "email": email, "role": role.value, "iss": settings.jwt_issuer,
              "aud": settings.jwt_audience, "iat": now, "exp": now + ttl}
    if organisation_id:
        claims["org"] = organisation_id
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


class TokenVerifier:
    """Verifies bearer tokens the way ``settings.auth_mode`` says."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.auth_mode == "jwks" and settings.jwks_url else None

    def verify(self, token: str) -> Principal:
        s = self._settings
        try:
            if s.auth_mode == "jwks":
                if self._jwks is None:
                    raise InvalidTokenError("INSPRAAK_JWKS_URL is not configured")
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(token, key, algorithms=["RS256", "ES256"], audience=s.jwt_audience,
                                    issuer=s.jwt_issuer)
            else:
                claims = jwt.decode(token, s.jwt_secret.get_secret_value(), algorithms=["HS256"],
                                    audience=s.jwt_audience, issuer=s.jwt_issuer)
        except jwt.PyJWTError as e:
            raise InvalidTokenError(str(e)) from e
        try:
            role = Role(claims.get("role", ""))
        except ValueError as e:
            raise InvalidTokenError("the token has no valid 'role' claim (staff, manager or organisation)") from e
        org = claims.get("org")
        if role == Role.ORGANISATION and not org:
            raise InvalidTokenError("an organisation token must name its organisation in the 'org' claim")
        sub = str(claims.get("sub", ""))
        return Principal(subject=sub, name=claims.get("name", sub), email=claims.get("email", ""), role=role,
                         organisation_id=org if role == Role.ORGANISATION else None)
