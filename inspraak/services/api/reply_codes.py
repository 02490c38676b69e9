"""A household's personal reply code, checked in one place for the API and the portal.

- :func:`household_for_code` finds the home a typed code belongs to on a renovation's frozen list (derived
  codes, domain/vote.py), or refuses with one answer for every kind of wrong (a code that is none, a code of
  another home, version or renovation, a renovation that does not exist), after a slow-down.
- :func:`answer_with_code` records the household's answer through the workflow's ``answer_by_code`` update,
  checked against the frozen list (:func:`vote_units`) first.
- :class:`WrongCodes` is the slow-down: every wrong try waits ``reply_code_delay_seconds`` times the number of
  wrong tries so far from the same client address or for the same renovation, whichever is more (at most
  ``reply_code_max_delay_seconds``); the wrong tries of one address wait one after another, so trying many
  codes at once from one address gains nothing, and with :data:`MAX_WAITING` of them waiting a further try is
  refused (429) before its code is checked. An IPv6 address counts by its /64 (one household's network). A right
  code never waits. The counts are kept per API process
  and forgotten after :data:`QUIET_SECONDS` without a wrong try (docs/portal-households.md says what that leaves).
"""

import asyncio
import ipaddress
import re
import time
from typing import Any, NamedTuple

from fastapi import Request
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from inspraak.domain.renovation_actions import CodeAnswer, VoteUnits
from inspraak.domain.vote import Choice, normalise_reply_code, unit_for_derived_code
from inspraak.services.api.errors import Conflict, InvalidInput, TooManyTries
from inspraak.settings import Settings
from inspraak.workflows.renovation import RenovationWorkflow

RENOVATION_ID = re.compile(r"^ren-[a-z0-9-]{1,80}$")
WRONG_CODE = "this reply code is not valid for this renovation's proposal"
CLOSED = "the vote on this proposal is closed; no answer can be taken"
# The frozen list a by-code answer is checked against is read once per renovation this often, not for every
# answer (a query per answer filled the workflow's query buffer at 1,000 answers). A staff action through this
# process forgets it at once; the workflow's validator checks the version and that the vote is open anyway.
VOTE_UNITS_SECONDS = 2.0
# A client address or renovation without a wrong try for this long starts counting from nought again.
QUIET_SECONDS = 15 * 60
MAX_KEYS = 10_000  # more addresses and renovations than this: the oldest counts are dropped
# Wrong tries of one address that may wait at once; more are refused before their code is checked (a household
# that mistyped waits behind a few tries, never behind a thousand).
MAX_WAITING = 5


def client_key(request: Request) -> str:
    """Whom a try is counted against: the client's address, an IPv6 one by its /64."""
    host = request.client.host if request.client else "-"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class WrongCodes:
    """The slow-down of wrong reply codes, per client address and per renovation (one per app)."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    def admit(self, request: Request) -> None:
        """Refuse a try (429) while :data:`MAX_WAITING` wrong tries of its address are waiting, before its code
        is checked: so the refusal tells nothing about the code."""
        if self._waiting.get(client_key(request), 0) >= MAX_WAITING:
            raise TooManyTries("too many wrong reply codes from this address are waiting; try again in a minute",
                               retry_after=60)

    def _count(self, key: str, now: float) -> int:
        n, last = self._counts.pop(key, (0, now))
        n = 1 if now - last > QUIET_SECONDS else n + 1
        if len(self._counts) >= MAX_KEYS:
            del self._counts[next(iter(self._counts))]  # insertion order: the longest quiet goes first
        self._counts[key] = (n, now)
        return n

    def delay(self, settings: Settings, address: str, trajectory_id: str) -> float:
        """Count one wrong try; how long it waits."""
        now = time.monotonic()
        renovation = trajectory_id if RENOVATION_ID.match(trajectory_id) else "-"
        n = max(self._count(f"address {address}", now), self._count(f"renovation {renovation}", now))
        return float(min(settings.reply_code_delay_seconds * n, settings.reply_code_max_delay_seconds))

    async def refuse(self, request: Request, trajectory_id: str) -> InvalidInput:
        """Count a wrong try, wait (after the address's earlier wrong tries), and answer the one refusal."""
        address = client_key(request)
        wait = self.delay(request.app.state.settings, address, trajectory_id)
        if len(self._locks) >= MAX_KEYS:
            self._locks = {k: lock for k, lock in self._locks.items() if lock.locked()}
        self._waiting[address] = self._waiting.get(address, 0) + 1
        try:
            async with self._locks.setdefault(address, asyncio.Lock()):
                await asyncio.sleep(wait)
        finally:
            self._waiting[address] -= 1
            if not self._waiting[address]:
                del self._waiting[address]
        return InvalidInput.field("code", "invalid_code", WRONG_CODE)


def wrong_codes(request: Request) -> WrongCodes:
    guard: WrongCodes = request.app.state.__dict__.setdefault("wrong_reply_codes", WrongCodes())
    return guard


async def vote_units(request: Request, handle: WorkflowHandle[Any, Any]) -> VoteUnits | None:
    """The renovation's frozen list (cached for :data:`VOTE_UNITS_SECONDS`), or None when there is none."""
    cache: dict[str, tuple[float, VoteUnits | None]] = request.app.state.__dict__.setdefault("vote_units", {})
    now = time.monotonic()
    hit = cache.get(handle.id)
    if hit is not None and now - hit[0] < VOTE_UNITS_SECONDS:
        return hit[1]
    try:
        units: VoteUnits | None = await handle.query(RenovationWorkflow.vote_units)
    except RPCError as e:
        if e.status != RPCStatusCode.NOT_FOUND:
            raise  # busy or down: a 503, never a wrong code that would slow the household down
        return None  # no such renovation: the same answer as a wrong code, so ids cannot be probed
    if len(cache) > 1000:
        cache.clear()
    cache[handle.id] = (now, units)
    return units


def forget_vote_units(request: Request, trajectory_id: str) -> None:
    request.app.state.__dict__.get("vote_units", {}).pop(trajectory_id, None)


class CodeHolder(NamedTuple):
    """The home a reply code belongs to, on the renovation's list as it is now."""

    handle: WorkflowHandle[Any, Any]
    units: VoteUnits
    unit_id: str


async def household_for_code(request: Request, client: Client, trajectory_id: str, text: str) -> CodeHolder:
    """The home whose reply code ``text`` is (as typed: lower case, spaces, O for 0), on the renovation's
    current proposal, whether or not its vote is still open.

    Raises:
        InvalidInput: for any wrong code or renovation, one answer, after the slow-down (:class:`WrongCodes`).
        TooManyTries: too many wrong tries of this address are still waiting (the code is not checked).
    """
    wrong_codes(request).admit(request)
    code = normalise_reply_code(text)
    if code is None or not RENOVATION_ID.match(trajectory_id):
        raise await wrong_codes(request).refuse(request, trajectory_id)
    handle = client.get_workflow_handle(trajectory_id)
    units = await vote_units(request, handle)
    settings: Settings = request.app.state.settings
    unit = unit_for_derived_code(code, settings.reply_code_key_bytes, trajectory_id, units.proposal_version,
                                 units.unit_ids) if units is not None else None
    if units is None or unit is None:
        raise await wrong_codes(request).refuse(request, trajectory_id)
    return CodeHolder(handle, units, unit)


async def answer_with_code(request: Request, handle: WorkflowHandle[Any, Any], unit_id: str, proposal_version: int,
                           choice: Choice) -> None:
    """Record the household's answer (a later one replaces it), if the vote on ``proposal_version`` is open.

    Raises:
        Conflict: the vote is closed, or a newer proposal replaced this one (its codes are new).
    """
    units = await vote_units(request, handle)
    if units is None or units.proposal_version != proposal_version or unit_id not in units.unit_ids \
            or not units.open:
        raise Conflict(CLOSED)
    await handle.execute_update(RenovationWorkflow.answer_by_code, CodeAnswer(
        unit_id=unit_id, choice=choice, proposal_version=proposal_version))
