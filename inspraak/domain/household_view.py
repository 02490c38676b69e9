"""What one household may see of its renovation after its reply code: the proposal as sent and its own answer.

Nothing of another home: no list, no count per home, no other answer. The manifest and figures references
say where the portal finds this home's own letter and rent in the store; they never reach a page.
"""

from datetime import date

from pydantic import BaseModel, Field

from inspraak.domain.documents import DocumentType
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.render_requests import StoredJson
from inspraak.domain.renovation import RenovationState, State
from inspraak.domain.renovation_actions import Works
from inspraak.domain.trajectory import MergedLetters
from inspraak.domain.vote import Channel, Choice


class HouseholdKey(BaseModel):
    """Whose proposal: the home and the version its reply code belongs to."""

    unit_id: str = Field(min_length=1, max_length=40)
    proposal_version: int = Field(ge=1, le=1000)


class OwnAnswer(BaseModel):
    """The answer that counts for this home now (a later one replaces it)."""

    choice: Choice
    answered_on: date
    channel: Channel


class HouseholdProposal(BaseModel):
    trajectory_id: str
    complex_name: str
    version: int
    works: Works
    schedule: str
    occupied: bool
    temporary_home: str | None = None
    moving_allowance: MovingAllowance | None = None
    rent_increase_from: date
    reply_by: date
    sent_on: date
    open: bool  # answers are taken (the vote on this version runs)
    answer: OwnAnswer | None = None
    letters: MergedLetters | None = None  # where this version's proposal letters are listed (the store)
    figures: StoredJson | None = None  # where each home's rent is (the store)


def proposal_merge(merges: list[MergedLetters], version: int) -> MergedLetters | None:
    """The mail merge that sent version ``version`` of the renovatievoorstel."""
    return next((m for m in merges if m.type == DocumentType.RENOVATIEVOORSTEL
                 and m.title.endswith(f"versie {version}")), None)


def household_proposal(s: RenovationState, key: HouseholdKey) -> HouseholdProposal | None:
    """The current proposal as ``key``'s home got it, with its own answer; None when the home is not on the
    list of this version (a newer version went out, or no proposal yet)."""
    p, vote = s.proposal, s.vote
    if p is None or vote is None or key.proposal_version != p.version \
            or vote.roll.proposal_version != p.version:
        return None
    if key.unit_id not in {h.unit_id for h in vote.roll.homes}:
        return None
    own = vote.current().get(key.unit_id)
    return HouseholdProposal(
        trajectory_id=s.id, complex_name=s.renovation.complex.name, version=p.version, works=p.works,
        schedule=p.schedule, occupied=p.occupied, temporary_home=p.temporary_home,
        moving_allowance=p.moving_allowance, rent_increase_from=p.rent_increase_from, reply_by=p.reply_by,
        sent_on=p.sent_on, open=vote.closed_on is None and s.state == State.DRAAGVLAKMETING,
        answer=OwnAnswer(choice=own.choice, answered_on=own.answered_on, channel=own.channel) if own else None,
        letters=proposal_merge(s.merges, p.version), figures=p.figures)
