"""How long refusing a token takes compared with accepting one: the answer must not tell them apart.

Prints the median time to verify a valid token and to refuse a badly signed, an expired and a wrongly
typed one (local HS256 tokens, as the embedded default uses), and each against the valid one. Run:
``.venv/bin/python bench/token_timing.py``. Not a timed test: the figures are for reading.
"""

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt

from inspraak.services.api.auth import InvalidTokenError, TokenVerifier
from inspraak.settings import Settings

ROUNDS = 5000


def token(secret: str, **changes: object) -> str:
    now = datetime.now(UTC)
    claims = {"sub": "sanne", "name": "Sanne", "email": "s@x.nl", "role": "staff", "iss": "inspraak-local",
              "aud": "inspraak", "iat": now, "exp": now + timedelta(hours=1)} | changes
    return jwt.encode(claims, secret, algorithm="HS256")


def median_us(check: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        try:
            check()
        except InvalidTokenError:
            pass
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def main() -> None:
    settings = Settings()
    secret = settings.jwt_secret.get_secret_value()
    verifier = TokenVerifier(settings)
    cases = {
        "valid": token(secret),
        "bad signature": token("someone-else's-secret-that-is-long-enough"),
        "expired": token(secret, exp=datetime.now(UTC) - timedelta(hours=1)),
        "null name": token(secret, name=None),
    }
    baseline = median_us(lambda: verifier.verify(cases["valid"]))
    print(f"{'case':<14} {'median µs':>10} {'vs valid':>9}")
    for name, t in cases.items():
        us = baseline if name == "valid" else median_us(lambda t=t: verifier.verify(t))
        print(f"{name:<14} {us:>10.1f} {us / baseline:>8.2f}x")


if __name__ == "__main__":
    main()
