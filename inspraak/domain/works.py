"""Execution to dissolution (domain brief 7.2, B18-B22; BW 7:220 lid 5-6, 7:255 lid 2) and the erasure of a
finished renovation's personal data (AVG art. 5 lid 1 e, art. 17).

Pure models and rules: what the works record per home (by unit id only), when a home's rent is settled, the
date a new rent starts, and what an erasure keeps (totals) and deletes (everything that names a household).
"""

from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from inspraak.domain.advice_actions import Action
from inspraak.domain.documents import DocumentRef, DocumentType
from inspraak.domain.households import Code
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.renovation_actions import (
    MAX_AGREEMENTS,
    MAX_POINT,
    MAX_POINTS,
    MAX_SHORT,
    MAX_TEXT,
    Agreement,
    Gathering,
)
from inspraak.domain.text import Day, MultiLine, OneLine
from inspraak.domain.vote import Tally

MAX_UNITS = 2_000
# The term of BW 7:255 lid 2 runs per completion date: one kernel term per date, under this key.
RENT_TERM = "rent_increase_after_works"
# The retention term of a finished renovation's personal data (practice and policy, no statutory term).
RETENTION_TERM = "personal_data_retention"


def rent_term_key(completed_on: date) -> str:
    return f"{RENT_TERM}:{completed_on.isoformat()}"


def completion_of(term_key: str) -> date | None:
    """The completion date a rent term key stands for, or None for another term."""
    name, _, day = term_key.partition(":")
    return date.fromisoformat(day) if name == RENT_TERM and day else None


class RentOutcome(StrEnum):
    OPEN = "open"  # completed; no agreement on the new rent recorded yet
    AGREED = "agreed"  # the tenant agreed to the rent after the works
    DISPUTED = "disputed"  # put to the Huurcommissie within the 3 months (BW 7:255 lid 2); VERA Huurgeschil
    TERM_ENDED = "term_ended"  # the 3 months passed with neither recorded


class HomeWorks(BaseModel):
    """One home in the works, by unit id: when its works started and ended, and its rent after the works."""

    unit_id: str
    started_on: date | None = None
    completed_on: date | None = None
    rent: RentOutcome = RentOutcome.OPEN
    rent_recorded_on: date | None = None

    @property
    def settled(self) -> bool:
        return self.completed_on is not None and self.rent != RentOutcome.OPEN


class Execution(BaseModel):
    """The works (B18-B20): started on a day; per home its start, completion and rent outcome."""

    started_on: date
    occupied: bool
    # Confirmed at the start when the works are done unoccupied (BW 7:220 lid 5-6): the minimum of that year,
    # never less than the proposal promised; and the wisselwoning of the proposal.
    moving_allowance: MovingAllowance | None = None
    temporary_home: str | None = None
    homes: list[HomeWorks] = []

    def home(self, unit_id: str) -> HomeWorks | None:
        key = unit_id.casefold()
        return next((h for h in self.homes if h.unit_id.casefold() == key), None)

    def group(self, completed_on: date) -> list[HomeWorks]:
        """The homes completed on ``completed_on``: the homes of one BW 7:255 term."""
        return [h for h in self.homes if h.completed_on == completed_on]

    def done(self, units: list[str], blocked: Callable[[str], bool]) -> bool:
        """Every home not blocked by a court case is complete, and its rent settled or its term ended (B20)."""
        for unit in units:
            if blocked(unit):
                continue
            h = self.home(unit)
            if h is None or not h.settled:
                return False
        return True

    def totals(self) -> "WorksTotals":
        count = {o: sum(1 for h in self.homes if h.completed_on and h.rent == o) for o in RentOutcome}
        return WorksTotals(started=sum(1 for h in self.homes if h.started_on), completed=sum(
            1 for h in self.homes if h.completed_on), rent_open=count[RentOutcome.OPEN],
            rent_agreed=count[RentOutcome.AGREED], rent_disputed=count[RentOutcome.DISPUTED],
            rent_term_ended=count[RentOutcome.TERM_ENDED])


class WorksTotals(BaseModel):
    """The works in numbers: what an organisation sees and what an erasure keeps."""

    started: int
    completed: int
    rent_open: int
    rent_agreed: int
    rent_disputed: int
    rent_term_ended: int


def rent_starts_on(completed_on: date, planned: date) -> date:
    """The day the rent after the works starts: the first day of the month after the home's completion, not
    before the date the proposal named. Practice (no statutory rule): rent is charged per month."""
    first_next = (completed_on.replace(day=1) + timedelta(days=32)).replace(day=1)
    return max(first_next, planned)


class Evaluation(BaseModel):
    held_on: date
    document_id: str


class Dissolution(BaseModel):
    dissolved_on: date
    archive: str
    letters: int
    copy_document_id: str | None = None
    stopped: bool = False  # dissolved by the stop (B17), not after the evaluation (B22)


class Erasure(BaseModel):
    """What is left of a renovation after its personal data was erased: totals and the day."""

    erased_on: date
    homes: int
    sign_ups: int
    panel_members: int
    documents_deleted: int
    tally: Tally | None = None
    works: WorksTotals | None = None


class RetentionPolicy(BaseModel):
    """How long a finished renovation keeps its personal data (configurable; docs/renovation-works.md)."""

    months: int = Field(default=24, ge=0, le=120)


# ---- staff actions (each a Temporal update) -------------------------------------------------------------

Units = Annotated[list[Code], Field(min_length=1, max_length=MAX_UNITS)]


class WorksStarted(Action):
    """The works start (B18). Without ``unit_ids``: in every home not blocked by a court case; with them (later):
    in homes that were blocked and no longer are. Each home that starts gets the ``start_werkzaamheden`` letter."""

    started_on: Day
    unit_ids: list[Code] | None = Field(default=None, max_length=MAX_UNITS)
    # The minimum moving allowance on the start date (BW 7:220 lid 6); the API fills it in from the table.
    moving_allowance: MovingAllowance | None = None


class HomesCompleted(Action):
    """Homes completed on one day (B19): each gets its opleveringsbrief; the 3 months of BW 7:255 lid 2 run."""

    unit_ids: Units
    completed_on: Day


class RentSettled(Action):
    """The rent after the works of these homes (B20): agreed with the tenant, or put to the Huurcommissie."""

    unit_ids: Units
    outcome: Literal["agreed", "disputed"]
    recorded_on: Day = Field(description="the day the tenant agreed, or the day the request reached the "
                                         "Huurcommissie")


class EvaluationRecorded(Gathering):
    """What staff entered after the evaluation with the panel (B21); the evaluatieverslag is made from it."""

    went_well: list[Annotated[MultiLine, Field(min_length=1, max_length=MAX_POINT)]] = Field(
        default=[], max_length=MAX_POINTS)
    to_improve: list[Annotated[MultiLine, Field(min_length=1, max_length=MAX_POINT)]] = Field(
        default=[], max_length=MAX_POINTS)
    agreements: list[Agreement] = Field(default=[], max_length=MAX_AGREEMENTS)


class PanelDissolved(Action):
    """The project panel is dissolved (B22); a letter to every member and a copy to the organisation."""

    dissolved_on: Day
    archive: OneLine = Field(min_length=1, max_length=MAX_SHORT,
                             description="where the project's archive is kept and how to consult it")
    note: MultiLine = Field(default="", max_length=MAX_TEXT, description="a personal word of thanks, optional")


class ProjectClosed(Action):
    """Close the renovation (PANEL_OPGEHEVEN -> GESLOTEN); the retention term of its personal data starts."""


class PersonalDataErased(Action):
    """Erase the personal data of a finished renovation after its retention term; the totals stay."""


# ---- what an erasure deletes -------------------------------------------------------------------------------


def names_households(ref: DocumentRef) -> bool:
    """A document that names households: their own letters, the print files, the panel confirmation's copy
    (it lists the members with their addresses)."""
    return ref.household_id is not None or ref.type in (DocumentType.PRINTBESTAND, DocumentType.PANEL_BEVESTIGING)


def household_mail_ids(trajectory_id: str, documents: list[DocumentRef], units: list[str],
                       proposal_versions: int) -> list[str]:
    """The message ids of every mail to a household: its letters, and the reply reminders per version."""
    ids = [f"{d.id}.household" for d in documents if d.household_id is not None]
    ids += [f"{trajectory_id}.v{v}-herinnering.{u}" for v in range(1, proposal_versions + 1) for u in units]
    return ids
