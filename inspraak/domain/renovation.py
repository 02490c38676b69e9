"""Renovation participation for one complex (domain brief 7.2; issue 8): states, state, input, actions, table.

First slice: the project is created (B1, VOORBEREIDING), every household is invited (B2), sign-ups come in
(B3, PANEL_IN_OPRICHTING), the panel is constituted with its legal status (B4, PANEL_ACTIEF) and meetings
are recorded with their minutes (B5). Staff may stop at any point (B17, GESTOPT). The later states are
listed so the table reads like domain brief 7.2, but no action reaches them yet.

Households' personal data (names, addresses, contact details) are **not** in this state, nor in any
workflow input: the register lives in the document store (``RegisterRef``: its key and sha256), and the
state names households by unit id only. Activities that need a name load the register.
"""

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from inspraak.domain.advice_actions import CorporationSnapshot, OrganisationSnapshot, StaffMember
from inspraak.domain.documents import DocumentRef
from inspraak.domain.households import Complex, RegisterRef
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.panel import AdviceAddressee, ComplexFlags, PanelLegalStatus
from inspraak.domain.render_requests import StoredJson
from inspraak.domain.renovation_actions import MAX_TEXT, Works
from inspraak.domain.terms import Audience
from inspraak.domain.text import MultiLine, OneLine
from inspraak.domain.trajectory import (
    ActionTable,
    Recipient,
    Rule,
    TermView,
    TimelineEntry,
    TrajectoryState,
)
from inspraak.domain.vote import Tally, Vote
from inspraak.domain.works import Dissolution, Erasure, Evaluation, Execution, WorksTotals


class State(StrEnum):
    VOORBEREIDING = "VOORBEREIDING"
    UITNODIGING_ALLE_HUURDERS = "UITNODIGING_ALLE_HUURDERS"
    PANEL_IN_OPRICHTING = "PANEL_IN_OPRICHTING"
    PANEL_ACTIEF = "PANEL_ACTIEF"
    CONCEPT_PROJECTPLAN = "CONCEPT_PROJECTPLAN"
    ADVIESTRAJECT = "ADVIESTRAJECT"
    VOORSTEL_DEFINITIEF = "VOORSTEL_DEFINITIEF"
    VOORSTELLEN_VERZONDEN = "VOORSTELLEN_VERZONDEN"
    DRAAGVLAKMETING = "DRAAGVLAKMETING"
    DRAAGVLAK_BEREIKT = "DRAAGVLAK_BEREIKT"
    KENNISGEVING_70 = "KENNISGEVING_70"
    BEZWAARTERMIJN = "BEZWAARTERMIJN"
    DRAAGVLAK_NIET_BEREIKT = "DRAAGVLAK_NIET_BEREIKT"
    AANPASSEN_VOORSTEL = "AANPASSEN_VOORSTEL"
    UITVOERINGSGEREED = "UITVOERINGSGEREED"
    UITVOERING = "UITVOERING"
    OPLEVERING = "OPLEVERING"
    HUURAANPASSING = "HUURAANPASSING"
    EVALUATIE = "EVALUATIE"
    PANEL_OPGEHEVEN = "PANEL_OPGEHEVEN"
    GESLOTEN = "GESLOTEN"
    GESTOPT = "GESTOPT"


STATE_LABELS: dict[State, str] = {
    State.VOORBEREIDING: "in voorbereiding, de huurders zijn nog niet uitgenodigd",
    State.UITNODIGING_ALLE_HUURDERS: "alle huurders zijn uitgenodigd, aanmelding loopt",
    State.PANEL_IN_OPRICHTING: "aanmeldingen binnen, panel in oprichting",
    State.PANEL_ACTIEF: "panel actief",
    State.CONCEPT_PROJECTPLAN: "conceptprojectplan en sociaal plan gereed",
    State.ADVIESTRAJECT: "adviesaanvraag loopt",
    State.VOORSTEL_DEFINITIEF: "renovatievoorstel definitief",
    State.VOORSTELLEN_VERZONDEN: "voorstellen verzonden",
    State.DRAAGVLAKMETING: "draagvlakmeting loopt",
    State.DRAAGVLAK_BEREIKT: "draagvlak bereikt (70%)",
    State.KENNISGEVING_70: "kennisgeving 70% verzonden",
    State.BEZWAARTERMIJN: "bezwaartermijn van acht weken loopt",
    State.DRAAGVLAK_NIET_BEREIKT: "draagvlak niet bereikt",
    State.AANPASSEN_VOORSTEL: "voorstel wordt aangepast",
    State.UITVOERINGSGEREED: "klaar voor uitvoering",
    State.UITVOERING: "in uitvoering",
    State.OPLEVERING: "opgeleverd",
    State.HUURAANPASSING: "huuraanpassing",
    State.EVALUATIE: "evaluatie",
    State.PANEL_OPGEHEVEN: "panel opgeheven",
    State.GESLOTEN: "gesloten",
    State.GESTOPT: "gestopt",
}

# GESTOPT leads to PANEL_OPGEHEVEN in domain brief 7.2 (B17); here stopping ends the project at once. In
# both final states the workflow keeps running until its personal data is erased (docs/renovation-works.md).
FINAL_STATES = frozenset({State.GESLOTEN, State.GESTOPT})

class NewRenovation(BaseModel):
    """What staff fill in to start a renovation; the households come as a CSV beside it."""

    complex: Complex
    subject: OneLine = Field(min_length=3, max_length=200)
    description: MultiLine = Field(min_length=1, max_length=MAX_TEXT, description="de projectomschrijving")
    reason: MultiLine = Field(min_length=1, max_length=MAX_TEXT,
                              description="waarom het project er is, kort: komt in de uitnodiging")
    works: Works
    occupied: bool = Field(description="true: the works are done while tenants stay in their homes (bewoond)")
    panel_legal_status: PanelLegalStatus
    advice_organisation_id: OneLine | None = Field(
        default=None, max_length=63, description="the organisation that receives the formal advice request, "
        "when the organisations file leaves a choice (Wohv art. 2 lid 2-3)")


class RenovationInput(BaseModel):
    """The workflow's input: no personal data, only the register's key, hash and unit ids."""

    id: str
    renovation: NewRenovation
    flags: ComplexFlags
    addressee: AdviceAddressee
    organisation: OrganisationSnapshot  # the advice addressee, who may follow the renovation
    corporation: CorporationSnapshot
    owner: StaffMember
    register_ref: RegisterRef
    resume: "RenovationState | None" = None


# ---- what the trajectory records -------------------------------------------------------------------------


class Invitation(BaseModel):
    kickoff_at: datetime
    kickoff_place: str
    sign_up_deadline: date
    letters: int
    print_file: DocumentRef | None = None
    # Per unit with an e-mail address: the Message-ID of the mail that carried its letter.
    mailed: dict[str, str] = {}


class SignUp(BaseModel):
    unit_id: str
    role_wish: str = ""
    signed_up_on: date


class PanelMember(BaseModel):
    unit_id: str
    role: str


class Panel(BaseModel):
    legal_status: PanelLegalStatus
    members: list[PanelMember]
    facilities: str
    working_agreements: str
    constituted_on: date


class Meeting(BaseModel):
    number: int
    held_on: date
    document_id: str


class Proposal(BaseModel):
    """The proposal as sent (B9): its common facts; the per-home figures stay in the store (``figures``)."""

    version: int
    works: "Works"
    schedule: str
    occupied: bool
    temporary_home: str | None = None
    rent_increase_from: date
    reply_by: date
    sent_on: date
    figures: StoredJson | None = None  # staff only
    moving_allowance: MovingAllowance | None = None
    letters: int
    print_file: DocumentRef | None = None
    mailed: dict[str, str] = {}


class VoteResult(BaseModel):
    """The closed count (B11) and its letter."""

    tally: Tally
    document_id: str


class RenovationState(TrajectoryState):
    """Everything one renovation knows, without households' personal data; carried over a continue-as-new."""

    type: Literal["renovation"] = "renovation"
    renovation: NewRenovation
    flags: ComplexFlags
    addressee: AdviceAddressee
    organisation: OrganisationSnapshot
    corporation: CorporationSnapshot
    owner: StaffMember
    register_ref: RegisterRef
    with_email: list[str] = []  # unit ids whose household gave an e-mail address (the merge says which)
    invitation: Invitation | None = None
    sign_ups: list[SignUp] = []
    panel: Panel | None = None
    meetings: list[Meeting] = []
    proposal: Proposal | None = None
    vote: Vote | None = None  # answers by unit: staff only, never in an organisation's view
    result: VoteResult | None = None
    execution: Execution | None = None  # the works per home by unit id: staff only
    evaluation: Evaluation | None = None
    dissolution: Dissolution | None = None
    finished_on: date | None = None  # the day it reached GESLOTEN or GESTOPT: the retention term's anchor
    erasure: Erasure | None = None  # set once its personal data is erased: only totals are left

    def signed_up(self, unit_id: str) -> SignUp | None:
        key = unit_id.casefold()
        return next((s for s in self.sign_ups if s.unit_id.casefold() == key), None)

    def panel_has_rights(self) -> bool:
        """The constituted panel is a bewonerscommissie with the Overlegwet's rights (Wohv art. 1 lid 1 g)."""
        return self.panel is not None and self.panel.legal_status.has_wohv_rights

    def works_blocked(self, unit_id: str) -> bool:
        """Whether the works may not start in this home: its tenant is in court over the proposal (BW 7:220
        lid 3, domain brief B13/B16). The objection phase decides; until it exists, no home is blocked."""
        return False

    def on_register(self, unit_id: str) -> str | None:
        """The unit id as the register spells it, or None."""
        key = unit_id.casefold()
        return next((u for u in self.register_ref.unit_ids if u.casefold() == key), None)


def initial_state(inp: RenovationInput) -> RenovationState:
    """The state a new renovation starts in; the workflow and the API's start (search attributes) share it."""
    if inp.resume is not None:
        return inp.resume
    owner = Recipient(name=inp.owner.name, email=inp.owner.email)
    return RenovationState(
        id=inp.id, organisation_id=inp.organisation.id, subject=inp.renovation.subject, state=State.VOORBEREIDING,
        renovation=inp.renovation, flags=inp.flags, addressee=inp.addressee, organisation=inp.organisation,
        corporation=inp.corporation, owner=inp.owner, register_ref=inp.register_ref,
        audiences={
            Audience.ORGANISATION: [Recipient(name=c.name, email=str(c.email)) for c in inp.organisation.contacts],
            Audience.OWNER: [owner],
            Audience.MANAGER: [Recipient(name=inp.corporation.manager_name, email=inp.corporation.manager_email)],
        },
        reply_to=owner,
    )


# ---- the view ------------------------------------------------------------------------------------------


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
            meetings=list(s.meetings), proposal=s.proposal,
            tally=s.vote.tally() if s.vote else (s.erasure.tally if s.erasure else None),
            execution=s.execution,
            works_totals=s.execution.totals() if s.execution else (s.erasure.works if s.erasure else None),
            evaluation=s.evaluation, dissolution=s.dissolution, erasure=s.erasure,
            deadlines=s.deadlines(), overdue=s.overdue, next_deadline=s.next_deadline(),
            allowed_actions=RENOVATION_TABLE.allowed(s.state), documents=list(s.documents), timeline=list(s.timeline),
        )

    def for_organisation(self, may_read: Callable[[str], bool]) -> "RenovationView":
        """What the addressee organisation sees: no sign-ups, no members' units, no household letters,
        no per-unit mail ids, no staff-only lines."""
        invitation = self.invitation.model_copy(update={"mailed": {}, "print_file": None}) \
            if self.invitation else None
        panel = self.panel.model_copy(update={"members": []}) if self.panel else None
        proposal = self.proposal.model_copy(update={"mailed": {}, "print_file": None, "figures": None}) \
            if self.proposal else None
        return self.model_copy(update={
            "sign_ups": None, "panel": panel, "invitation": invitation, "proposal": proposal,
            "register_sha256": None, "execution": None,
            "documents": [d for d in self.documents if may_read(d.visibility.value) and d.household_id is None],
            "timeline": [e for e in self.timeline if may_read(e.visibility.value)],
        })


# ---- the state × action table (domain brief 7.2, B1-B5, B17) -------------------------------------------

_OPEN = frozenset(State) - FINAL_STATES
_CLOSED = "the renovation is closed (state is {state})"


def works_rules() -> dict[str, Rule]:
    """B18-B22 and the erasure (docs/renovation-works.md)."""
    s = State
    return {
        "start_works": Rule(states=frozenset({s.UITVOERINGSGEREED, s.UITVOERING, s.OPLEVERING, s.HUURAANPASSING}),
                            refusal="the works start once the renovation is ready for them (state is {state})"),
        # In HUURAANPASSING too: a home whose court case ended after the others were settled still gets its works.
        "complete_homes": Rule(states=frozenset({s.UITVOERING, s.OPLEVERING, s.HUURAANPASSING}),
                               refusal="homes are completed while the works run (state is {state})"),
        "settle_rent": Rule(states=frozenset({s.OPLEVERING}),
                            refusal="the rent after the works is recorded once homes are completed and until "
                                    "every rent is settled (state is {state})"),
        "record_evaluation": Rule(states=frozenset({s.HUURAANPASSING}),
                                  refusal="the evaluation follows once every rent after the works is settled "
                                          "(state is {state})"),
        "dissolve_panel": Rule(states=frozenset({s.EVALUATIE}),
                               refusal="the panel is dissolved after the evaluation (state is {state})"),
        "close": Rule(states=frozenset({s.PANEL_OPGEHEVEN}),
                      refusal="the renovation is closed once the panel is dissolved (state is {state})"),
        "erase_personal_data": Rule(states=FINAL_STATES,
                                    refusal="personal data is erased once the renovation is closed or stopped "
                                            "(state is {state})"),
    }


def _rules() -> dict[str, Rule]:
    s = State
    rules = {
        "invite": Rule(states=frozenset({s.VOORBEREIDING}),
                       refusal="the households were invited already (state is {state})"),
        "record_sign_up": Rule(states=frozenset({s.UITNODIGING_ALLE_HUURDERS, s.PANEL_IN_OPRICHTING}),
                               refusal="sign-ups are recorded after the invitation and until the panel is "
                                       "constituted (state is {state})"),
        "constitute_panel": Rule(states=frozenset({s.PANEL_IN_OPRICHTING}),
                                 refusal="a panel is constituted from the sign-ups (state is {state})",
                                 because={s.UITNODIGING_ALLE_HUURDERS: "no household has signed up yet: record "
                                          "the sign-ups first",
                                          s.VOORBEREIDING: "invite every household first (B2)"}),
        "record_meeting": Rule(states=frozenset({s.PANEL_ACTIEF}),
                               refusal="meetings are recorded while the panel is active (state is {state})"),
        "send_proposals": Rule(states=frozenset({s.PANEL_ACTIEF}),
                               refusal="proposals are sent once the panel is active and before a vote "
                                       "(state is {state})"),
        "record_answer": Rule(states=frozenset({s.DRAAGVLAKMETING}),
                              refusal="answers are recorded while the vote is open (state is {state})"),
        "answer_by_code": Rule(states=frozenset({s.DRAAGVLAKMETING}),
                               refusal="answers are recorded while the vote is open (state is {state})"),
        "close_vote": Rule(states=frozenset({s.DRAAGVLAKMETING}),
                           refusal="only an open vote can be closed (state is {state})"),
        "stop": Rule(states=_OPEN, refusal=_CLOSED),
        **works_rules(),
    }
    for name, rule in rules.items():
        for final in FINAL_STATES if name != "erase_personal_data" else ():
            rule.because.setdefault(final, f"the renovation is closed (state is {final})")
    return rules


RENOVATION_TABLE = ActionTable(_rules(), {str(k): v for k, v in STATE_LABELS.items()})

RenovationInput.model_rebuild()
