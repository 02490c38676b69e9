"""The secret addresses of calendar feeds: one per person, random, revocable, kept hashed (docs/portal-calendar.md).

A feed's address ends in a secret: ``/portaal/agenda/<secret>.ics``. Calendar apps fetch it without a cookie,
so the secret alone says whose terms to show. It is made like this:

- a random **seed** (``secrets.token_urlsafe(32)``) is drawn for the person and kept in the document store
  under ``portal/calendar-feeds/owners/<sha256 of who>``, so the page can show the same address again;
- the **secret** in the address is the HMAC-SHA256 of the seed with a key derived from ``INSPRAAK_JWT_SECRET``
  (the same derivation as sessions, purpose "calendar feed"): the store alone does not give the address;
- the feed is found by the **SHA-256 of the secret**: ``portal/calendar-feeds/feeds/<hash>`` names the person
  (role, subject, organisation). The secret itself is stored nowhere.

A new address draws a new seed: the owner record then derives another secret, so the old address is refused
even where its record could not be deleted. Unknown, revoked, malformed: the same "no feed".
"""

import hashlib
import hmac
import json
import re
import secrets
import time

from pydantic import BaseModel, ValidationError

from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.services.api.auth import Principal, Role
from inspraak.services.portal.sessions import Signer, _b64
from inspraak.settings import Settings

FEEDS = "portal/calendar-feeds/feeds/"
OWNERS = "portal/calendar-feeds/owners/"
SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, base64url without padding


class FeedOwner(BaseModel):
    """Whose terms a feed shows: the person it was made for, as their session named them."""

    role: Role
    subject: str
    name: str
    email: str
    organisation_id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> "FeedOwner":
        return cls(role=principal.role, subject=principal.subject, name=principal.name, email=principal.email,
                   organisation_id=principal.organisation_id)

    def principal(self) -> Principal:
        return Principal(subject=self.subject, name=self.name, email=self.email, role=self.role,
                         organisation_id=self.organisation_id)

    @property
    def key(self) -> str:
        """One feed per person: an organisation's contact (organisation and subject), or a staff member (role and
        subject: the same person as manager has a feed of its own)."""
        who = f"{self.role.value}\0{self.organisation_id or ''}\0{self.subject}"
        return hashlib.sha256(who.encode()).hexdigest()


class _Seed(BaseModel):
    seed: str
    made: int  # unix time


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class FeedKeys:
    """Makes, finds and replaces the secret address of each person's feed."""

    def __init__(self, settings: Settings, store: DocumentStore) -> None:
        self._store = store
        self._signer = Signer(settings, "calendar feed")

    def _secret(self, seed: str) -> str:
        return _b64(self._signer.mac(seed.encode()))

    async def _seed(self, owner: FeedOwner) -> _Seed | None:
        try:
            return _Seed.model_validate_json(await self._store.get(OWNERS + owner.key))
        except ObjectNotFoundError:
            return None
        except ValidationError:
            return None  # damaged: the next page view makes a new address

    async def secret_of(self, principal: Principal) -> str:
        """This person's current secret, made on first use."""
        owner = FeedOwner.of(principal)
        current = await self._seed(owner)
        if current is not None:
            return self._secret(current.seed)
        # The first address: made only if nobody made one meanwhile (two first visits at once, a prefetch), so
        # an address just shown never stops working.
        secret = await self._new_secret(owner, first=True)
        if secret is not None:
            return secret
        current = await self._seed(owner)
        return self._secret(current.seed) if current is not None else await self.renew(principal)

    async def renew(self, principal: Principal) -> str:
        """A new secret for this person; the old one stops working at once."""
        owner = FeedOwner.of(principal)
        old = await self._seed(owner)
        secret = await self._new_secret(owner, first=False)
        assert secret is not None  # only a first secret can lose a race
        if old is not None:  # tidied away after the switch
            await self._store.delete(FEEDS + _hash(self._secret(old.seed)))
        return secret

    async def _new_secret(self, owner: FeedOwner, *, first: bool) -> str | None:
        """A new seed: the new feed's record first, then the switch of the seed (from then on only the new
        secret matches). With ``first``, the switch only if the person has no seed yet; None when another
        request made one meanwhile (the new record is then removed)."""
        seed = _Seed(seed=secrets.token_urlsafe(32), made=int(time.time()))
        secret = self._secret(seed.seed)
        await self._store.put(FEEDS + _hash(secret), owner.model_dump_json().encode(), content_type="application/json",
                              metadata={"portal-marker": "calendar-feed"})
        write = self._store.create if first else self._store.put
        made = await write(OWNERS + owner.key, seed.model_dump_json().encode(), content_type="application/json",
                           metadata={"portal-marker": "calendar-feed-owner"})
        if first and not made:
            await self._store.delete(FEEDS + _hash(secret))
            return None
        return secret

    async def owner_of(self, secret: str) -> FeedOwner | None:
        """Whose feed this secret opens; None for anything unknown, revoked or malformed."""
        if not SECRET.match(secret):
            return None
        try:
            owner = FeedOwner.model_validate(json.loads(await self._store.get(FEEDS + _hash(secret))))
        except (ObjectNotFoundError, ValueError, ValidationError):
            return None
        current = await self._seed(owner)
        if current is None or not hmac.compare_digest(self._secret(current.seed), secret):
            return None  # an older address of this person
        return owner
