"""What staff (and a household, with its reply code) send in a renovation: one model per action, each a
Temporal update, every list and text bounded; and the per-home figures of a proposal with their CSV format.
"""

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from inspraak.domain.advice import AdviceRequestInput
from inspraak.domain.advice_actions import Action
from inspraak.domain.documents import DocumentRef
from inspraak.domain.households import Code, HouseholdImportError, Rent, RowError
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.panel import PanelLegalStatus
from inspraak.domain.render_requests import StoredJson
from inspraak.domain.text import Day, MultiLine, OneLine
from inspraak.domain.vote import Choice

# ---- limits: every list and text has a bound, so no input, update or state nears Temporal's limit ----------
MAX_TEXT = 4_000  # the project description, the reason, facilities, working agreements
MAX_SHORT = 500  # a place, a role wish, a contact line
MAX_MEMBERS = 25
MAX_MEETINGS = 200
MAX_ATTENDEES = 60
MAX_POINTS = 40
MAX_POINT = 1_500
MAX_AGREEMENTS = 40


class Works(BaseModel):
    """The works split as BW 7:220 and the proposal letters need it: renovation apart from maintenance."""

    renovation: MultiLine = Field(min_length=1, max_length=MAX_TEXT, description="de renovatie (verbetering)")
    maintenance: MultiLine = Field(default="", max_length=MAX_TEXT, description="het onderhoud dat meegaat")


# ---- staff actions (each a Temporal update) -------------------------------------------------------------


class Invite(Action):
    """Invite every household on the register: a letter each, by post and (where known) by mail."""

    kickoff_at: datetime = Field(description="date and time of the kick-off meeting, with its offset")
    kickoff_place: OneLine = Field(min_length=1, max_length=MAX_SHORT)
    sign_up_deadline: Day = Field(description="the last day to sign up for the panel; at least 14 days away "
                                              "(practice, see the term 'sign_up')")
    contact: OneLine | None = Field(default=None, max_length=MAX_SHORT,
                                    description="how households reach the corporation; default: the owner")


class SignUpRecorded(Action):
    unit_id: Code
    role_wish: OneLine = Field(default="", max_length=MAX_SHORT, description="e.g. 'voorzitter', 'lid'")
    signed_up_on: Day


class MemberChosen(BaseModel):
    unit_id: Code
    role: OneLine = Field(min_length=1, max_length=100)


class PanelConstituted(Action):
    legal_status: PanelLegalStatus
    members: list[MemberChosen] = Field(min_length=1, max_length=MAX_MEMBERS)
    facilities: MultiLine = Field(min_length=1, max_length=MAX_TEXT,
                                  description="meeting room, budget, independent advice")
    working_agreements: MultiLine = Field(min_length=1, max_length=MAX_TEXT)
    constituted_on: Day


class Agreement(BaseModel):
    what: OneLine = Field(min_length=1, max_length=MAX_SHORT)
    owner: OneLine = Field(min_length=1, max_length=200)
    due_on: Day | None = None


class Gathering(Action):
    """A meeting with the panel that a document records (its minutes, the evaluatieverslag): when, where, who."""

    held_on: Day
    place: OneLine = Field(default="", max_length=MAX_SHORT)
    attendees: list[Annotated[OneLine, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=MAX_ATTENDEES,
        description="names as they should appear in the minutes or the report, with a role")


class MeetingRecorded(Gathering):
    """What staff entered after a meeting; the minutes (verslag) are made from it."""

    points: list[Annotated[MultiLine, Field(min_length=1, max_length=MAX_POINT)]] = Field(
        min_length=1, max_length=MAX_POINTS)
    agreements: list[Agreement] = Field(default=[], max_length=MAX_AGREEMENTS)
    next_meeting: OneLine | None = Field(default=None, max_length=MAX_SHORT)


MAX_SCHEDULE = 2_000


class ProposalSent(Action):
    """Send the individual renovatievoorstel to every home on the register (B9) and open the vote (B10).

    The per-home figures (rent after the works) are in the store (``figures``, written by the API from a CSV or
    a list); the moving allowance is the table's amount on the day of sending (BW 7:220 lid 5-6).
    """

    version: int = Field(ge=1, le=1000)
    works: Works
    schedule: MultiLine = Field(min_length=1, max_length=MAX_SCHEDULE,
                                description="start, duration per home, completion")
    occupied: bool
    temporary_home: MultiLine | None = Field(default=None, max_length=MAX_TEXT,
                                             description="the wisselwoning (address, rent, furnishing, area); "
                                                         "required when the works are done unoccupied")
    rent_increase_from: Day
    reply_by: Day = Field(description="the reply date; at least 14 days away (practice, term 'proposal_reply')")
    figures: StoredJson
    figure_units: list[str] = Field(min_length=1, max_length=2_000, description="the units the figures cover")
    moving_allowance: MovingAllowance | None = None
    contact: OneLine | None = Field(default=None, max_length=MAX_SHORT)
    reply_url: OneLine = Field(default="", max_length=200, description="where households answer with their code; "
                                                                       "the API fills it in from its settings")


class HomeFigures(BaseModel):
    """One home's own figures for its proposal: the rent after the works (the rent now is the register's)."""

    unit_id: Code
    rent_after: Rent


_FIGURE_COLUMNS = {"eenheid": "unit_id", "unit_id": "unit_id", "nieuwe_huur": "rent_after", "huur_na": "rent_after",
                   "rent_after": "rent_after"}


def parse_figures(text: str) -> list[HomeFigures]:
    """Per-home figures as CSV (``eenheid;nieuwe_huur`` or ``unit_id,rent_after``; `;` or `,`).

    Raises:
        HouseholdImportError: every bad row (row, column, rule); nothing is taken when there is one.
    """
    text = text.removeprefix("\ufeff")
    head = next((line for line in text.split("\n") if line.strip()), "")
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=";" if ";" in head else ",")
               if any(c.strip() for c in r)]
    if not records:
        raise HouseholdImportError([RowError(row=0, column="", code="empty_file", message="the file is empty")])
    columns = [_FIGURE_COLUMNS.get(c.strip().casefold()) for c in records[0]]
    if "unit_id" not in columns or "rent_after" not in columns:
        raise HouseholdImportError([RowError(row=1, column="", code="missing_column",
                                             message="the columns 'eenheid' and 'nieuwe_huur' (or 'unit_id' and "
                                                     "'rent_after') are required")])
    rows = [{f: (r[i].strip() if i < len(r) else "") for i, f in enumerate(columns) if f} for r in records[1:]]
    return check_figures(rows)


def check_figures(rows: Sequence[Mapping[str, object]]) -> list[HomeFigures]:
    """Validate per-home figures (from CSV rows or a JSON list); row numbers as a spreadsheet counts them."""
    errors: list[RowError] = []
    out: list[HomeFigures] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        try:
            f = HomeFigures.model_validate(row)
        except ValueError as e:
            errors.append(RowError(row=n, column="", code="invalid", message=str(e).splitlines()[-1][:300]))
            continue
        if f.unit_id.casefold() in seen:
            errors.append(RowError(row=n, column="eenheid", code="duplicate_unit_id", message="unit given twice"))
        seen.add(f.unit_id.casefold())
        out.append(f)
    if errors:
        raise HouseholdImportError(errors)
    return out


def figures_for_letters(figures: Sequence[HomeFigures], rents: dict[str, Decimal]) -> dict[str, dict[str, str]]:
    """Per unit, what its letter adds to the common part: rent now (the register's), after, and the increase."""
    return {f.unit_id: {"huur_nu": str(rents[f.unit_id]), "huur_nieuw": str(f.rent_after),
                        "huurverhoging": str(f.rent_after - rents[f.unit_id])} for f in figures if f.unit_id in rents}


class AnswerRecorded(Action):
    """An answer staff record (the reply slip on paper, a home visit, the phone or the counter)."""

    unit_id: Code
    choice: Choice
    channel: Literal["paper", "home_visit", "staff"]
    answered_on: Day


class CodeAnswer(Action):
    """A household's own answer with its reply code; the API has derived the unit from the code."""

    unit_id: Code
    choice: Choice
    proposal_version: int = Field(ge=1, le=1000)


class VoteClosed(Action):
    """Close the count (B11), after the reply date."""

    method: OneLine = Field(default="schriftelijke antwoordstrook, huisbezoek of persoonlijke antwoordcode "
                            "online; verwerkt door de verhuurder", max_length=MAX_SHORT)


class VoteUnits(BaseModel):
    """What the API needs to find the unit of a reply code: the version and the frozen list."""

    proposal_version: int
    unit_ids: list[str]
    open: bool


class Stopped(Action):
    reason: MultiLine = Field(min_length=1, max_length=MAX_TEXT,
                              description="why the project stops, in plain Dutch: the dissolution letter to the "
                                          "panel's members prints it as written (and the withdrawal of an open "
                                          "advice request)")


# ---- the projectplan, the sociaal plan and their advice request (B6-B8) -----------------------------------


class PlanKind(StrEnum):
    PROJECTPLAN = "projectplan"
    SOCIAAL_PLAN = "sociaal_plan"


class PlanHandedIn(Action):
    """B6: staff hand in the concept projectplan or the sociaal plan (stored by the API already); once both
    are in, the renovation is in CONCEPT_PROJECTPLAN. A later one of the same kind replaces it."""

    kind: PlanKind
    document: DocumentRef


class AdviceRequestStart(Action):
    """B7: the advice request on both plans, planned by the API exactly as any advice request's start
    (its id, its addressee, its term); the renovation starts it as its child with the plans as annexes."""

    request: AdviceRequestInput
