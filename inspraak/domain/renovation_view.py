"""A renovation as staff see it, and what an addressee organisation sees of it (``for_organisation``)."""

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from inspraak.domain.advice_actions import StaffMember
from inspraak.domain.documents import DocumentRef
from inspraak.domain.households import Complex
from inspraak.domain.panel import AdviceAddressee, ComplexFlags, PanelLegalStatus
from inspraak.domain.renovation import (
    RENOVATION_TABLE,
    STATE_LABELS,
    Invitation,
    Meeting,
    Panel,
    Proposal,
    RenovationState,
    SignUp,
    State,
)
from inspraak.domain.renovation_actions import PlanKind, Works
from inspraak.domain.trajectory import (
    ChildLink,
    MergedLetters,
    TermView,
    TimelineEntry,
)
from inspraak.domain.vote import Tally
from inspraak.domain.works import Dissolution, Erasure, Evaluation, Execution, WorksTotals


class RenovationAccess(BaseModel):
    """What an action's route needs to know first: whose the renovation is and its state (not the whole view,
    which for 1,000 homes is a few hundred kilobytes to serialise for every answer)."""

    organisation_id: str
    state: State


class RenovationView(BaseModel):
    """One renovation as staff see it; ``for_organisation`` leaves out what names a household."""

    id: str
    type: Literal["renovation"] = "renovation"
    state: State
    state_label: str
    organisation_id: str
    organisation_name: str
    subject: str
    complex: Complex
    description: str
    works: Works
    occupied: bool
    panel_legal_status: PanelLegalStatus
    addressee: AdviceAddressee
    flags: ComplexFlags
    owner: StaffMember
    homes: int
    register_sha256: str | None = None  # staff only: proves the API reads the register the trajectory holds
    invitation: Invitation | None = None
    sign_ups: list[SignUp] | None = None  # staff only
    sign_up_count: int = 0
    panel: Panel | None = None  # members by unit id: staff only
    meetings: list[Meeting] = []
    plans: dict[PlanKind, DocumentRef] = {}
    advice_request: ChildLink | None = None  # the advice request on the plans: its id, state and due date
    earlier_advice_requests: list[ChildLink] = []  # advice requests that ended without becoming executable
    proposal: Proposal | None = None
    tally: Tally | None = None  # totals only, never a household
    execution: Execution | None = None  # per home: staff only
    works_totals: WorksTotals | None = None
    evaluation: Evaluation | None = None
    dissolution: Dissolution | None = None
    erasure: Erasure | None = None
    deadlines: list[TermView]
    overdue: bool
    next_deadline: datetime | None
    allowed_actions: list[str] = []
    documents: list[DocumentRef]
    # Staff only: each mail merge's household letters (count, manifest in the store, print file).
    merges: list[MergedLetters] = []
    timeline: list[TimelineEntry]

    @classmethod
    def of(cls, s: RenovationState) -> "RenovationView":
        return cls(
            id=s.id, state=State(s.state), state_label=STATE_LABELS[State(s.state)], organisation_id=s.organisation_id,
            organisation_name=s.organisation.name, subject=s.subject, complex=s.renovation.complex,
            description=s.renovation.description, works=s.renovation.works, occupied=s.renovation.occupied,
            panel_legal_status=s.panel.legal_status if s.panel else s.renovation.panel_legal_status,
            addressee=s.addressee, flags=s.flags, owner=s.owner,
            homes=s.erasure.homes if s.erasure else len(s.register_ref.unit_ids),
            register_sha256=s.register_ref.sha256,
            invitation=s.invitation, sign_ups=list(s.sign_ups), sign_up_count=len(s.sign_ups), panel=s.panel,
            meetings=list(s.meetings), plans=dict(s.plans), advice_request=s.advice_request,
            earlier_advice_requests=[c for c in s.children.values() if c.id != s.advice_request_id],
            proposal=s.proposal, tally=s.vote.tally() if s.vote else (s.erasure.tally if s.erasure else None),
            execution=s.execution,
            works_totals=s.execution.totals() if s.execution else (s.erasure.works if s.erasure else None),
            evaluation=s.evaluation, dissolution=s.dissolution, erasure=s.erasure,
            deadlines=s.deadlines(), overdue=s.overdue, next_deadline=s.next_deadline(),
            allowed_actions=RENOVATION_TABLE.allowed(s.state), documents=list(s.documents), merges=list(s.merges),
            timeline=list(s.timeline),
        )

    def for_organisation(self, may_read: Callable[[str], bool]) -> "RenovationView":
        """What the addressee organisation sees: no sign-ups, no members' units, no household letters,
        no per-unit mail ids, no staff-only lines."""
        invitation = self.invitation.model_copy(update={"mailed": {}, "print_file": None}) \
            if self.invitation else None
        panel = self.panel.model_copy(update={"members": []}) if self.panel else None
        proposal = self.proposal.model_copy(update={"mailed": {}, "print_file": None, "figures": None,
                                                    "reminder_print_file": None}) \
            if self.proposal else None
        return self.model_copy(update={
            "sign_ups": None, "panel": panel, "invitation": invitation, "proposal": proposal,
            "register_sha256": None, "merges": [], "execution": None,
            "documents": [d for d in self.documents if may_read(d.visibility.value) and d.household_id is None],
            "timeline": [e for e in self.timeline if may_read(e.visibility.value)],
        })


