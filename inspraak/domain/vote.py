"""The draagvlakmeting: the vote of the homes on a renovation proposal (BW 7:220 lid 2–3).

How it counts (the statute says "70% of the tenants" and no more; the rest is practice, domain brief
section 2, and is stated here once):

- **The denominator** is the list of homes frozen at a reference date, when the proposals go out
  (:func:`freeze_roll`): every home on that list, and nothing else. A home that is let later is not added;
  a home that falls vacant stays on the list. Vacant homes at the reference date are not on the list
  (the import holds rented homes only). NOT FOUND in the law; practice: one agreement form per home.
- **One answer per home.** Tenant and co-tenant answer together, on one form. NOT FOUND in the law.
- **A home that does not answer counts as not agreeing** (:data:`NO_ANSWER_COUNTS_AS`). NOT FOUND in the
  law; it is how the 70% is read in practice (Woonbond, Feb 2020, wants it changed: "Dat is nu nog niet
  zo"). The tally reports "no answer" apart, so the letter can say how many did not answer.
- **A later answer replaces an earlier one**, and both stay in the record. "Later" is the date the
  household answered (on the form, at the visit, through the reply code); between answers of the same
  day, the one recorded last. So a paper form of 3 March typed in on 10 March does not undo an answer
  the household gave on 5 March.
- **The closing rule**: the proposal is presumed reasonable when agreed / total ≥ 70% and the list has at
  least 10 homes (:data:`CONSENT_THRESHOLD_PERCENT`, :data:`MINIMUM_HOMES`, BW 7:220 lid 3). Integer
  arithmetic: 7 of 10 is 70% exactly and reaches it.
- **Personal reply codes** (:func:`new_reply_code`): 10 characters of Crockford's base32 (no I, L, O or U),
  10 × log2(32) = 50 bits, 2^50 ≈ 1.1e15 codes; with 1,000 codes issued a guess hits one with chance
  1,000 / 2^50 ≈ 9e-13. Only an HMAC-SHA256 of the code is kept (:func:`hash_reply_code`), keyed with a
  secret that is never in workflow state or history and bound to the trajectory and proposal version: a
  leak of state or history reveals no code and allows no offline guessing, and a code of another proposal
  version (or trajectory) does not verify. Verification compares against every home's hash with
  :func:`hmac.compare_digest`, whichever matches. A household may use its code again while the vote is
  open, to replace its own answer (it could do so on paper too); once closed, no answer is taken.

The :class:`Tally` never says how a named household voted; :meth:`Vote.staff_view` does, for staff only.
Pure Python; no I/O, no clock (dates are passed in); the only randomness is in :func:`new_reply_code`, from a
source the caller hands in.
"""

import hmac
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from hashlib import sha256
from typing import Annotated, Final, Protocol

from pydantic import BaseModel, Field, field_validator

from inspraak.domain.households import Code, Households
from inspraak.domain.text import Day, OneLine

# BW 7:220 lid 3: the proposal is presumed reasonable when at least 70% of the tenants agreed ...
CONSENT_THRESHOLD_PERCENT: Final = 70
# ... and the renovation concerns at least 10 homes forming a bouwkundige eenheid (BW 7:220 lid 3).
MINIMUM_HOMES: Final = 10
# Bounds: a household may change its mind, but not without end (state stays small for 2,000 homes).
MAX_ANSWERS_PER_HOME: Final = 10
MAX_HOMES: Final = 2_000


class Choice(StrEnum):
    AGREED = "agreed"
    NOT_AGREED = "not_agreed"


# NOT FOUND in the law; practice (Woonbond 2020): a home that does not answer counts as not agreeing.
NO_ANSWER_COUNTS_AS: Final = Choice.NOT_AGREED


class Channel(StrEnum):
    PAPER = "paper"  # the reply slip or agreement form, recorded by staff
    HOME_VISIT = "home_visit"  # given at a home visit, recorded by staff
    REPLY_CODE = "reply_code"  # the household itself, with its personal reply code
    STAFF = "staff"  # otherwise recorded by staff (phone, counter), said so in the record


Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class RollHome(BaseModel):
    """A home on the frozen list; no names, only the unit and the hash of its reply code."""

    unit_id: Code
    reply_code_hash: Hash | None = None


class VoteRoll(BaseModel):
    """The list of homes frozen at the reference date: the denominator of the vote."""

    proposal_version: int = Field(ge=1, le=1000)
    reference_date: Day
    homes: list[RollHome] = Field(min_length=1, max_length=MAX_HOMES)

    @field_validator("homes")
    @classmethod
    def _unique(cls, homes: list[RollHome]) -> list[RollHome]:
        units = [h.unit_id.casefold() for h in homes]
        if len(set(units)) != len(units):
            raise ValueError("a unit appears more than once on the list")
        hashes = [h.reply_code_hash for h in homes if h.reply_code_hash is not None]
        if len(set(hashes)) != len(hashes):
            raise ValueError("two homes have the same reply code")
        return homes


def freeze_roll(households: Households | Sequence[str], reference_date: date, proposal_version: int,
                reply_code_hashes: Mapping[str, str] | None = None) -> VoteRoll:
    """The list of every home in ``households`` (a register, or its unit ids) at ``reference_date``.

    ``reply_code_hashes`` is optional: with derived codes (:func:`derive_reply_code`) nothing of a code is kept.
    """
    hashes = reply_code_hashes or {}
    units = [h.unit_id for h in households.households] if isinstance(households, Households) else list(households)
    return VoteRoll(proposal_version=proposal_version, reference_date=reference_date,
                    homes=[RollHome(unit_id=u, reply_code_hash=hashes.get(u)) for u in units])


class Answer(BaseModel):
    """One answer of one home, as given: what, how, on which day, and who recorded it."""

    unit_id: Code
    choice: Choice
    channel: Channel
    answered_on: Day
    recorded_by: OneLine = Field(min_length=1, max_length=200)  # a staff member's id, or "household"


class RecordedAnswer(Answer):
    sequence: int = Field(ge=1)  # the order in which answers were recorded, from 1


class VoteError(ValueError):
    """An answer or a closing that the vote refuses; the message says why."""


class Tally(BaseModel):
    """The count, without any household: safe to show to the panel's organisation and on dashboards."""

    proposal_version: int
    reference_date: date
    total: int  # every home on the frozen list
    agreed: int
    not_agreed: int
    no_answer: int  # counted as not agreeing (NO_ANSWER_COUNTS_AS)
    percent_agreed: Decimal  # of the total, two decimals, rounded down (never shows 70.00 for 69.999)
    still_needed: int  # more homes that must agree to reach 70%; 0 once reached
    enough_homes: bool  # at least MINIMUM_HOMES on the list (BW 7:220 lid 3)
    reached: bool  # 70% of the list agreed and enough homes (BW 7:220 lid 3)
    closed_on: date | None


class HomeVote(BaseModel):
    """Staff only: how one home answered, and how many answers it gave."""

    unit_id: str
    choice: Choice | None
    channel: Channel | None
    answered_on: date | None
    recorded_by: str | None
    answers: int


def threshold_reached(agreed: int, total: int) -> bool:
    """BW 7:220 lid 3: at least 70% of all homes on the list agreed, and the list has at least 10 homes."""
    return total >= MINIMUM_HOMES and agreed * 100 >= CONSENT_THRESHOLD_PERCENT * total


class Vote(BaseModel):
    """One vote on one version of the proposal; answers are recorded, never removed."""

    trajectory_id: str = Field(min_length=1, max_length=100)
    roll: VoteRoll
    answers: list[RecordedAnswer] = Field(default=[], max_length=MAX_HOMES * MAX_ANSWERS_PER_HOME)
    closed_on: Day | None = None

    def _home(self, unit_id: str) -> RollHome:
        key = unit_id.casefold()
        home = next((h for h in self.roll.homes if h.unit_id.casefold() == key), None)
        if home is None:
            raise VoteError(f"unit {unit_id} is not on the list of homes frozen on {self.roll.reference_date}")
        return home

    def check(self, answer: Answer, today: date) -> None:
        """Raise :class:`VoteError` when ``answer`` may not be recorded today; the validator's half of record."""
        if self.closed_on is not None:
            raise VoteError(f"the vote closed on {self.closed_on}; no answer can be recorded")
        home = self._home(answer.unit_id)
        if answer.answered_on < self.roll.reference_date:
            raise VoteError(f"the answer is dated {answer.answered_on}, before the proposals went out on "
                            f"{self.roll.reference_date}")
        if answer.answered_on > today:
            raise VoteError(f"the answer is dated {answer.answered_on}, after today ({today})")
        if sum(1 for a in self.answers if a.unit_id == home.unit_id) >= MAX_ANSWERS_PER_HOME:
            raise VoteError(f"unit {home.unit_id} has already given {MAX_ANSWERS_PER_HOME} answers")

    def record(self, answer: Answer, today: date) -> RecordedAnswer:
        """Record ``answer``; the latest answer of a home counts, the earlier ones stay in the record."""
        self.check(answer, today)
        unit = self._home(answer.unit_id).unit_id  # as written on the list
        recorded = RecordedAnswer(**answer.model_dump(exclude={"unit_id"}), unit_id=unit,
                                  sequence=len(self.answers) + 1)
        self.answers.append(recorded)
        return recorded

    def unit_for_code(self, code_hash: str) -> str | None:
        """The unit whose reply code hashes to ``code_hash``, compared with every home in constant time."""
        found: str | None = None
        given = code_hash.encode()
        for home in self.roll.homes:
            stored = (home.reply_code_hash or "").encode()
            if hmac.compare_digest(stored, given) and home.reply_code_hash is not None:
                found = home.unit_id
        return found

    def answer_by_code(self, code_hash: str, choice: Choice, today: date) -> Answer:
        """The household's own answer with its reply code (hashed by the caller, :func:`hash_reply_code`).

        Raises:
            VoteError: the code is not one of this proposal version's, or the vote is closed.
        """
        if self.closed_on is not None:
            raise VoteError(f"the vote closed on {self.closed_on}; no answer can be recorded")
        unit = self.unit_for_code(code_hash)
        if unit is None:
            raise VoteError("this reply code is not valid for this proposal")
        return Answer(unit_id=unit, choice=choice, channel=Channel.REPLY_CODE, answered_on=today,
                      recorded_by="household")

    def current(self) -> dict[str, RecordedAnswer]:
        """Per unit, the answer that counts: the latest by answer date, then by recording order."""
        latest: dict[str, RecordedAnswer] = {}
        for a in self.answers:
            before = latest.get(a.unit_id)
            if before is None or (a.answered_on, a.sequence) > (before.answered_on, before.sequence):
                latest[a.unit_id] = a
        return latest

    def tally(self) -> Tally:
        """The count so far (or the final count, once closed)."""
        total = len(self.roll.homes)
        current = self.current()
        agreed = sum(1 for a in current.values() if a.choice is Choice.AGREED)
        not_agreed = len(current) - agreed
        needed = -(-CONSENT_THRESHOLD_PERCENT * total // 100)  # ceil(70% of total)
        percent = (Decimal(agreed * 100) / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return Tally(proposal_version=self.roll.proposal_version, reference_date=self.roll.reference_date,
                     total=total, agreed=agreed, not_agreed=not_agreed, no_answer=total - len(current),
                     percent_agreed=percent, still_needed=max(0, needed - agreed),
                     enough_homes=total >= MINIMUM_HOMES, reached=threshold_reached(agreed, total),
                     closed_on=self.closed_on)

    def close(self, on: date) -> Tally:
        """Close the vote on ``on``: no answer is taken after it; the tally is final."""
        if self.closed_on is not None:
            raise VoteError(f"the vote already closed on {self.closed_on}")
        if on < self.roll.reference_date:
            raise VoteError(f"the vote cannot close on {on}, before the proposals went out on "
                            f"{self.roll.reference_date}")
        self.closed_on = on
        return self.tally()

    def homes_without_answer(self) -> list[str]:
        """The units that have not answered yet (for reminders); in list order."""
        current = self.current()
        return [h.unit_id for h in self.roll.homes if h.unit_id not in current]

    def homes_not_agreeing(self) -> list[str]:
        """The units that did not agree, answering so or not answering (BW 7:220 lid 3: the kennisgeving)."""
        current = self.current()
        return [h.unit_id for h in self.roll.homes
                if h.unit_id not in current or current[h.unit_id].choice is not Choice.AGREED]

    def staff_view(self) -> list[HomeVote]:
        """Staff only: per home, the answer that counts and how many it gave."""
        current = self.current()
        counts: dict[str, int] = {}
        for a in self.answers:
            counts[a.unit_id] = counts.get(a.unit_id, 0) + 1
        view = []
        for h in self.roll.homes:
            c = current.get(h.unit_id)
            view.append(HomeVote(unit_id=h.unit_id, choice=c.choice if c else None,
                                 channel=c.channel if c else None, answered_on=c.answered_on if c else None,
                                 recorded_by=c.recorded_by if c else None, answers=counts.get(h.unit_id, 0)))
        return view

    def history(self, unit_id: str) -> list[RecordedAnswer]:
        """Staff only: every answer of one home, in the order recorded."""
        unit = self._home(unit_id).unit_id
        return [a for a in self.answers if a.unit_id == unit]


# Crockford's base32: digits and capitals without I, L, O and U, so nothing reads as something else.
REPLY_CODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 10 characters × log2(32) = 5 bits = 50 bits of entropy (at least 48 asked).
REPLY_CODE_LENGTH: Final = 10
MIN_KEY_BYTES: Final = 32
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class RandomSource(Protocol):
    """What :func:`new_reply_code` needs: the ``secrets`` module, or ``random.SystemRandom()``."""

    def choice(self, seq: Sequence[str], /) -> str: ...


def new_reply_code(source: RandomSource) -> str:
    """A new personal reply code, 10 characters of Crockford base32 (50 bits), from ``source``.

    Call it with the ``secrets`` module, outside workflow code (an activity); keep only its hash.
    """
    return "".join(source.choice(REPLY_CODE_ALPHABET) for _ in range(REPLY_CODE_LENGTH))


def normalise_reply_code(text: str) -> str | None:
    """A reply code as typed ("abcde-fghjk", "ABCDE FGHJK", O for 0) in canonical form, or None if it is none."""
    code = text.upper().replace("-", "").replace(" ", "").translate(_READ_AS)
    if len(code) != REPLY_CODE_LENGTH or any(c not in REPLY_CODE_ALPHABET for c in code):
        return None
    return code


def format_reply_code(code: str) -> str:
    """As printed on the reply slip: two groups of five, "ABCDE-FGHJK"."""
    return f"{code[:5]}-{code[5:]}"


def hash_reply_code(code: str, key: bytes, trajectory_id: str, proposal_version: int) -> str:
    """The HMAC-SHA256 (hex) of a normalised reply code, bound to the trajectory and the proposal version.

    ``key`` is a secret of the API and the worker (at least 32 bytes), never in workflow input or state.
    """
    if normalise_reply_code(code) != code:
        raise ValueError("normalise the reply code first (normalise_reply_code)")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the reply code key must be at least {MIN_KEY_BYTES} bytes")
    message = f"inspraak-reply-code\x00{trajectory_id}\x00{proposal_version}\x00{code}".encode()
    return hmac.new(key, message, sha256).hexdigest()


def derive_reply_code(key: bytes, trajectory_id: str, proposal_version: int, unit_id: str) -> str:
    """The personal reply code of one home: HMAC-SHA256(key, trajectory, version, unit) in Crockford base32.

    Deterministic, so a retried mail merge prints the same code and nothing of it needs to be kept: whoever
    holds the key (the merge activity, the API) derives it again. 10 characters = the first 50 bits of the MAC.
    Bound to the trajectory and the proposal version: another version's code does not verify.
    """
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the reply code key must be at least {MIN_KEY_BYTES} bytes")
    message = f"inspraak-reply-code-v1\x00{trajectory_id}\x00{proposal_version}\x00{unit_id}".encode()
    number = int.from_bytes(hmac.new(key, message, sha256).digest()[:8], "big") >> (64 - 5 * REPLY_CODE_LENGTH)
    return "".join(REPLY_CODE_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(REPLY_CODE_LENGTH)))


def unit_for_derived_code(code: str, key: bytes, trajectory_id: str, proposal_version: int,
                          unit_ids: Sequence[str]) -> str | None:
    """The unit of the frozen list whose derived code is ``code`` (normalised), or None.

    Compares with every home's code in constant time and never stops early, so the time taken says nothing
    about which home (or which part of the code) came close.
    """
    given = code.encode()
    found: str | None = None
    for unit in unit_ids:
        if hmac.compare_digest(derive_reply_code(key, trajectory_id, proposal_version, unit).encode(), given):
            found = unit
    return found
