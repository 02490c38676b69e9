"""After the vote (domain brief 7.2, B12-B17; BW 7:220 lid 3): the kennisgeving to every home that did not
agree, each home's own 8-week term from its own receipt date, tenants and the landlord in court, rulings.

What it holds, by unit id only (the register keeps names and addresses):

- :class:`Notices` (B12): the kennisgeving of one closed vote, per home the letter, the receipt date, how the
  receipt is proven (registered mail, a signature), who recorded it, and the term (its key and last day).
  One term runs per receipt date (:func:`term_key`): homes that received the notice on the same day share it,
  each home's term still counts from its own receipt (BW 7:220 lid 3).
- :class:`CourtCase` (B13, B16): a home in court over the proposal, filed by the tenant within its 8 weeks
  (B13) or by the landlord after a vote that was not reached (B16), with the ruling once given.
  :func:`works_blocked` is the one rule the works read: a home is blocked while its case is pending, and
  stays blocked when the court found the proposal unreasonable for it.
- The actions staff take (each a Temporal update).

Pure Python: no I/O, no clock (today is passed in).
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, Field

from inspraak.domain.advice_actions import Action
from inspraak.domain.households import Code
from inspraak.domain.terms import RENOVATION_OBJECTION
from inspraak.domain.text import Day, MultiLine, OneLine

MAX_HOMES: Final = 2_000
MAX_REFERENCE: Final = 100


class ReceiptMethod(StrEnum):
    """How the receipt of the kennisgeving is proven (domain brief 7.2, T_8W)."""

    REGISTERED_MAIL = "registered_mail"  # the delivery record of the registered letter (aangetekend)
    SIGNATURE = "signature"  # the tenant signed for receipt (handed over at the door or the office)


class CourtParty(StrEnum):
    TENANT = "tenant"  # B13: the tenant asks the court whether the proposal is reasonable (BW 7:220 lid 3)
    LANDLORD = "landlord"  # B16: the landlord asks the court to rule the proposal reasonable (BW 7:220 lid 2)


class Ruling(StrEnum):
    REASONABLE = "reasonable"  # the tenant must cooperate: the works may go ahead in the home
    UNREASONABLE = "unreasonable"  # the home stays out of the works


def term_key(received_on: date) -> str:
    """The key of the 8-week term of every home that received the notice on ``received_on``."""
    return f"{RENOVATION_OBJECTION.key}:{received_on.isoformat()}"


def is_objection_term(key: str) -> bool:
    return key.startswith(f"{RENOVATION_OBJECTION.key}:")


class NoticeHome(BaseModel):
    """One home that did not agree, its kennisgeving and its own 8-week term."""

    unit_id: str
    document_id: str | None = None
    received_on: date | None = None
    receipt_method: ReceiptMethod | None = None
    receipt_recorded_by: str | None = None
    term_key: str | None = None
    term_ends_on: date | None = None  # the last day, as the Atw moved it


class Notices(BaseModel):
    """The kennisgeving of one closed vote (B12), per home that did not agree."""

    proposal_version: int
    sent_on: date
    percent_agreed: Decimal
    expected_receipt: date  # the day the letter says its term is counted from, if received then
    homes: list[NoticeHome] = Field(max_length=MAX_HOMES)
    print_file_id: str | None = None

    def home(self, unit_id: str) -> NoticeHome | None:
        key = unit_id.casefold()
        return next((h for h in self.homes if h.unit_id.casefold() == key), None)

    def without_receipt(self) -> list[str]:
        return [h.unit_id for h in self.homes if h.received_on is None]

    def term_keys(self) -> list[str]:
        return sorted({h.term_key for h in self.homes if h.term_key})

    def receipt_refusal(self, units: list[str], received_on: date, today: date) -> tuple[str, str, str] | None:
        """Why a batch of receipts may not be recorded (field, code, message), or None."""
        if received_on > today:
            return "received_on", "date_in_future", "received_on cannot be in the future"
        if received_on < self.sent_on:
            return ("received_on", "before_event", "received_on cannot be before the notices were sent "
                    f"({self.sent_on.isoformat()})")
        seen: set[str] = set()
        for n, unit in enumerate(units):
            home = self.home(unit)
            if home is None:
                return (f"units[{n}]", "not_notified", f"unit {unit} got no kennisgeving (it agreed, or is not on "
                        "the list)")
            if home.received_on is not None:
                return (f"units[{n}]", "receipt_recorded", f"the receipt of unit {unit} was recorded already "
                        f"({home.received_on.isoformat()})")
            if unit.casefold() in seen:
                return f"units[{n}]", "duplicate_unit", f"unit {unit} is named twice"
            seen.add(unit.casefold())
        return None


class CourtCase(BaseModel):
    """A home in court over the proposal (B13 or B16), and the ruling once recorded."""

    unit_id: str
    party: CourtParty
    filed_on: date
    reference: str | None = None
    recorded_by: str
    ruling: Ruling | None = None
    ruled_on: date | None = None
    ruling_reference: str | None = None
    ruling_recorded_by: str | None = None

    @property
    def pending(self) -> bool:
        return self.ruling is None


def case_of(cases: list[CourtCase], unit_id: str) -> CourtCase | None:
    key = unit_id.casefold()
    return next((c for c in cases if c.unit_id.casefold() == key), None)


def works_blocked(cases: list[CourtCase], unit_id: str) -> bool:
    """BW 7:220 lid 3 (domain brief B13, B16): no works in a home while its case is pending, nor after the court
    found the proposal unreasonable for it; a ruling that it is reasonable clears the home."""
    case = case_of(cases, unit_id)
    return case is not None and case.ruling is not Ruling.REASONABLE


def tenant_claim_refusal(notices: Notices, cases: list[CourtCase], unit_id: str, filed_on: date,
                         today: date) -> tuple[str, str, str] | None:
    """B13: why a tenant's claim may not be recorded (field, code, message), or None."""
    home = notices.home(unit_id)
    if home is None:
        return "unit_id", "not_notified", f"unit {unit_id} got no kennisgeving: it agreed, or is not on the list"
    if case_of(cases, unit_id) is not None:
        return "unit_id", "case_recorded", f"unit {unit_id} is in court already"
    if filed_on > today:
        return "filed_on", "date_in_future", "filed_on cannot be in the future"
    if filed_on < notices.sent_on:
        return "filed_on", "before_event", f"filed_on cannot be before the notice was sent ({notices.sent_on})"
    if home.term_ends_on is not None and filed_on > home.term_ends_on:
        return ("filed_on", "term_ended", f"the 8-week term of unit {unit_id} ended on "
                f"{home.term_ends_on.isoformat()} (BW 7:220 lid 3); a claim filed later is not this one")
    return None


def ruling_refusal(cases: list[CourtCase], unit_id: str, ruled_on: date, today: date) -> tuple[str, str, str] | None:
    case = case_of(cases, unit_id)
    if case is None:
        return "unit_id", "no_case", f"unit {unit_id} is not in court"
    if case.ruling is not None:
        return "unit_id", "ruling_recorded", f"the ruling for unit {unit_id} was recorded already"
    if ruled_on > today:
        return "ruled_on", "date_in_future", "ruled_on cannot be in the future"
    if ruled_on < case.filed_on:
        return "ruled_on", "before_event", f"ruled_on cannot be before the case was filed ({case.filed_on})"
    return None


def homes_awaiting_ruling(not_agreeing: list[str], cases: list[CourtCase]) -> list[str]:
    """B16: the homes that did not agree and have no ruling yet (in court or not)."""
    return [u for u in not_agreeing if (c := case_of(cases, u)) is None or c.ruling is None]


class ObjectionsView(BaseModel):
    """Staff only: the kennisgeving per home, the homes in court, and which homes the works must skip."""

    notices: Notices | None
    court_cases: list[CourtCase]
    blocked: list[str]


# ---- the actions (each a Temporal update) ---------------------------------------------------------------

Reference = Annotated[OneLine, Field(min_length=1, max_length=MAX_REFERENCE)]


class NoticesSent(Action):
    """B12: send the kennisgeving to every home that did not agree, by registered mail."""

    contact: OneLine | None = Field(default=None, max_length=500)


class ReceiptsRecorded(Action):
    """The day a batch of homes received the kennisgeving; each one's 8 weeks count from it (BW 7:220 lid 3)."""

    units: list[Code] = Field(min_length=1, max_length=MAX_HOMES)
    received_on: Day
    method: ReceiptMethod


class CourtClaimRecorded(Action):
    """B13: a tenant asked the court, within its 8 weeks, whether the proposal is reasonable."""

    unit_id: Code
    filed_on: Day
    reference: Reference | None = Field(default=None, description="the court's case number, when known")


class LandlordClaimsRecorded(Action):
    """B16: after a vote that was not reached, the landlord took these households to court."""

    units: list[Code] = Field(min_length=1, max_length=MAX_HOMES)
    filed_on: Day
    reference: Reference | None = None


class RulingRecorded(Action):
    """The court's ruling for one home: the proposal reasonable (the works may go ahead there) or not."""

    unit_id: Code
    ruling: Ruling
    ruled_on: Day
    reference: Reference | None = None


class ProposalAdjusted(Action):
    """B15: the proposal is being adjusted; a new version goes out with ``send_proposals``."""

    reason: MultiLine = Field(min_length=1, max_length=4_000)


class RulingsFollowed(Action):
    """B16: every home that did not agree has a ruling; the works may go ahead where they allow."""

    note: MultiLine = Field(default="", max_length=4_000)
