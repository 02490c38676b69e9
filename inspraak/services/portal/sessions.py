"""Portal sessions, one-time login links and form tokens (CSRF), without a database.

Everything the portal hands a browser is signed (HMAC-SHA256) with a key derived from
``INSPRAAK_JWT_SECRET`` and a purpose, so a login link is never a session and a session never a form token.

- A **session** is a cookie (``__Host-inspraak-sessie``: Secure, HttpOnly, SameSite=Lax, Path=/) holding who
  the caller is, a random session id and when it ends. Logging out records the session id as ended in the
  document store (``portal/ended-sessions/<id>``), which every page checks: a copied cookie dies with it.
- A **login link** carries the organisation, the address it was sent to, a random nonce and its end. Using it
  records the nonce (``portal/used-login-links/<nonce>``); a link whose nonce is recorded is refused.
- A **form token** is the HMAC of a random per-browser value kept in its own cookie
  (``__Host-inspraak-formulier``, SameSite=Strict): another site can make the browser post, but cannot
  read the page that holds the token (the double-submit pattern, bound to the cookie).
- A **household session** (``__Host-inspraak-huishouden``, SameSite=Strict) is what a household gets for its
  reply code: one renovation, one proposal version, one home, for ``INSPRAAK_PORTAL_HOUSEHOLD_MINUTES``; signed
  for its own purpose, so it is never a session of an organisation or of staff (docs/portal-households.md).
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.services.api.auth import Principal, Role
from inspraak.settings import Settings

SESSION_COOKIE = "__Host-inspraak-sessie"
HOUSEHOLD_COOKIE = "__Host-inspraak-huishouden"
BROWSER_COOKIE = "__Host-inspraak-formulier"
ENDED_SESSIONS = "portal/ended-sessions/"
USED_LOGIN_LINKS = "portal/used-login-links/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs small JSON payloads for one purpose; a token of another purpose never verifies."""

    def __init__(self, settings: Settings, purpose: str) -> None:
        secret = settings.jwt_secret.get_secret_value().encode()
        self._key = hashlib.sha256(b"inspraak portal\0" + purpose.encode() + b"\0" + secret).digest()

    def mac(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, hashlib.sha256).digest()

    def sign(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{_b64(self.mac(body.encode()))}"

    def unsign(self, token: str) -> dict[str, Any] | None:
        """The payload, or None for anything not signed by us for this purpose (never an exception)."""
        if len(token) > 4096 or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        try:
            if not hmac.compare_digest(_unb64(mac), self.mac(body.encode())):
                return None
            payload = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            return None
        return payload if isinstance(payload, dict) else None


class Signed(BaseModel):
    """What every session holds: its id (ended ones are recorded) and its end (unix time)."""

    sid: str
    expires: int


S = TypeVar("S", bound=Signed)


class Session(Signed):
    subject: str
    name: str
    email: str
    role: Role
    organisation_id: str | None = None
    idp: bool = False  # opened through the identity provider: logging out ends the provider's session too

    def principal(self) -> Principal:
        return Principal(subject=self.subject, name=self.name, email=self.email, role=self.role,
                         organisation_id=self.organisation_id)


class HouseholdSession(Signed):
    """A household after its reply code: which renovation, which version of the proposal, which home."""

    renovation_id: str
    proposal_version: int
    unit_id: str


class LoginLink(BaseModel):
    nonce: str
    role: Role
    subject: str
    name: str
    email: str
    organisation_id: str | None = None
    expires: int


class Sessions:
    """Makes and checks sessions, login links and form tokens."""

    def __init__(self, settings: Settings, store: DocumentStore) -> None:
        self._settings = settings
        self._store = store
        self._sessions = Signer(settings, "session")
        self._links = Signer(settings, "login link")
        self._forms = Signer(settings, "form")
        self._households = Signer(settings, "household session")

    @property
    def session_seconds(self) -> int:
        return self._settings.portal_session_hours * 3600

    # ---- sessions ------------------------------------------------------------------------------------

    def start(self, link: LoginLink) -> str:
        """A new session (a fresh id) for whoever the link was for; the cookie's value."""
        return self.open(role=link.role, subject=link.subject, name=link.name, email=link.email,
                         organisation_id=link.organisation_id)

    def open(self, *, role: Role, subject: str, name: str, email: str, organisation_id: str | None = None,
             idp: bool = False) -> str:
        """A new session (a fresh id); the cookie's value."""
        session = Session(sid=secrets.token_hex(16), subject=subject, name=name, email=email, role=role,
                          organisation_id=organisation_id, expires=int(time.time()) + self.session_seconds, idp=idp)
        return self._sessions.sign(session.model_dump(mode="json"))

    async def current(self, cookie: str | None) -> Session | None:
        """The session the cookie holds, if it is ours, has not expired and was not logged out."""
        return await self._live(self._sessions, Session, cookie)

    async def _live(self, signer: Signer, model: type[S], cookie: str | None) -> S | None:
        payload = signer.unsign(cookie) if cookie else None
        if payload is None:
            return None
        try:
            session = model.model_validate(payload)
        except ValidationError:
            return None
        if session.expires <= time.time() or await self._recorded(ENDED_SESSIONS + session.sid):
            return None
        return session

    async def end(self, session: Session) -> None:
        await self._record(ENDED_SESSIONS + session.sid, "ended-session", session.expires)

    # ---- households (a reply code) -------------------------------------------------------------------

    @property
    def household_seconds(self) -> int:
        return self._settings.portal_household_minutes * 60

    def open_household(self, *, renovation_id: str, proposal_version: int, unit_id: str) -> str:
        """A new household session (a fresh id); the cookie's value."""
        session = HouseholdSession(sid=secrets.token_hex(16), renovation_id=renovation_id,
                                   proposal_version=proposal_version, unit_id=unit_id,
                                   expires=int(time.time()) + self.household_seconds)
        return self._households.sign(session.model_dump(mode="json"))

    async def current_household(self, cookie: str | None) -> HouseholdSession | None:
        """The household session the cookie holds, if it is ours, has not expired and was not ended."""
        return await self._live(self._households, HouseholdSession, cookie)

    async def end_household(self, session: HouseholdSession) -> None:
        await self._record(ENDED_SESSIONS + session.sid, "ended-household-session", session.expires)

    # ---- login links ---------------------------------------------------------------------------------

    def link_token(self, *, role: Role, subject: str, name: str, email: str,
                   organisation_id: str | None = None, minutes: int | None = None) -> str:
        minutes = minutes or self._settings.portal_login_link_minutes
        link = LoginLink(nonce=secrets.token_hex(16), role=role, subject=subject, name=name, email=email,
                         organisation_id=organisation_id, expires=int(time.time()) + minutes * 60)
        return self._links.sign(link.model_dump(mode="json"))

    def read_link(self, token: str) -> LoginLink | None:
        """The link if we made it and it has not expired; whether it was used is :meth:`use_link`'s."""
        payload = self._links.unsign(token)
        if payload is None:
            return None
        try:
            link = LoginLink.model_validate(payload)
        except ValidationError:
            return None
        return link if link.expires > time.time() else None

    async def link_used(self, link: LoginLink) -> bool:
        return await self._recorded(USED_LOGIN_LINKS + link.nonce)

    async def use_link(self, link: LoginLink) -> bool:
        """Mark the link used; False if it was used before (it then starts no session)."""
        # One conditional write: of two presses at the same instant (on two API processes too) one wins.
        return await self._store.create(USED_LOGIN_LINKS + link.nonce, b"", content_type="text/plain",
                                        metadata={"portal-marker": "used-login-link", "until": str(link.expires)})

    # ---- form tokens (CSRF) --------------------------------------------------------------------------

    @staticmethod
    def new_browser_value() -> str:
        return secrets.token_hex(16)

    def form_token(self, browser_value: str) -> str:
        return _b64(self._forms.mac(browser_value.encode()))

    def form_token_ok(self, browser_value: str | None, token: str | None) -> bool:
        if not browser_value or not token or len(token) > 100:
            return False
        return hmac.compare_digest(token, self.form_token(browser_value))

    # ---- markers in the store ------------------------------------------------------------------------

    async def _recorded(self, key: str) -> bool:
        try:
            await self._store.stat(key)
        except ObjectNotFoundError:
            return False
        return True

    async def _record(self, key: str, kind: str, until: int) -> None:
        await self._store.put(key, b"", content_type="text/plain",
                              metadata={"portal-marker": kind, "until": str(until)})
