"""Trajectory ids: readable, lower-case, and random enough never to collide.

``adv-2027-7k3m9q2x4p``: the prefix, the year of the request, and 10 characters of Crockford's base32
(no i, l, o or u, so nothing reads as another character) = 50 bits. A corporation that starts 100,000
trajectories in one year has a chance of about n^2 / 2^51 = 10^10 / 2.25 * 10^15 = 4.4 * 10^-6 that two
of that year share an id; over a century about 4.4 * 10^-4, and at a realistic 2,000 a year about
2 * 10^-7. Should it happen anyway, Temporal refuses the second start (a 409), nothing is overwritten.

With an ``Idempotency-Key`` the 10 characters come from a hash of the caller and the key instead, so a
repeated start finds the trajectory of the first one (see routes/advice_requests.py).
"""

import hashlib
import secrets

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
RANDOM_CHARS = 10  # x 5 bits = 50 bits


def _base32(value: int, chars: int) -> str:
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(chars)))


def new_trajectory_id(prefix: str, year: int) -> str:
    """A fresh id: ``<prefix>-<year>-`` and 50 random bits."""
    return f"{prefix}-{year:04d}-{_base32(secrets.randbits(5 * RANDOM_CHARS), RANDOM_CHARS)}"


def keyed_trajectory_id(prefix: str, year: int, caller: str, key: str) -> str:
    """The id a start with this caller's ``Idempotency-Key`` gets, every time it is sent."""
    digest = hashlib.sha256(f"inspraak idempotency\0{caller}\0{key}".encode()).digest()
    return f"{prefix}-{year:04d}-{_base32(int.from_bytes(digest[:8]) >> 14, RANDOM_CHARS)}"
