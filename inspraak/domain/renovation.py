"""Renovation participation for one complex (domain brief 7.2; issue 8): states, state, input, actions, table.

First slice: the project is created (B1, VOORBEREIDING), every household is invited (B2), sign-ups come in
(B3, PANEL_IN_OPRICHTING), the panel is constituted with its legal status (B4, PANEL_ACTIEF) and meetings
are recorded with their minutes (B5). The concept projectplan and sociaal plan are handed in (B6,
CONCEPT_PROJECTPLAN) and go to the addressee in an advice request, a child trajectory (B7, ADVIESTRAJECT);
once it is executable the proposal is final (B8, VOORSTEL_DEFINITIEF) and the vote runs (B9-B11). Staff may
stop at any point (B17, GESTOPT; a constituted panel is dissolved with it). Not every later state is reached yet.

Households' personal data (names, addresses, contact details) are **not** in this state, nor in any
workflow input: the register lives in the document store (``RegisterRef``: its key and sha256), and the
state names households by unit id only. Activities that need a name load the register.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from inspraak.domain.advice_actions import CorporationSnapshot, OrganisationSnapshot, StaffMember
from inspraak.domain.documents import DocumentRef
from inspraak.domain.households import Complex, RegisterRef
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.objections import CourtCase, Notices
from inspraak.domain.objections import works_blocked as _works_blocked
from inspraak.domain.panel import AdviceAddressee, ComplexFlags, PanelLegalStatus
from inspraak.domain.render_requests import StoredJson
from inspraak.domain.renovation_actions import MAX_TEXT, PlanKind, Works
from inspraak.domain.terms import Audience
from inspraak.domain.text import MultiLine, OneLine
from inspraak.domain.trajectory import (
    ActionTable,
    ChildLink,
    Recipient,
    Rule,
    TrajectoryState,
)
from inspraak.domain.vote import Tally, Vote
from inspraak.domain.works import Dissolution, Erasure, Evaluation, Execution


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

# GESTOPT leads to PANEL_OPGEHEVEN in domain brief 7.2 (B17); here the stop dissolves a constituted panel in the
# same step and the state stays GESTOPT (``dissolution.stopped``; docs/renovation-works.md). In both final states
# the workflow keeps running until its personal data is erased.
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
    reply_url: str = ""  # where a household answers with its code (the reminder letter repeats it)
    # The paper reminders (homes without an answer and without an e-mail address): their print file.
    reminder_print_file: DocumentRef | None = None


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
    # Earlier versions (B15): every proposal, vote and result stays in the record, for the evidence export.
    earlier_proposals: list[Proposal] = []
    earlier_votes: list[Vote] = []
    earlier_results: list[VoteResult] = []
    notices: Notices | None = None  # B12: the kennisgeving and each home's own 8-week term (staff only)
    court_cases: list[CourtCase] = []  # B13, B16: homes in court, by unit (staff only)
    plans: dict[PlanKind, DocumentRef] = {}  # B6: the concept projectplan and the sociaal plan, as handed in
    advice_request_id: str | None = None  # B7: the advice request on them (a child; its link in ``children``)

    @property
    def advice_request(self) -> ChildLink | None:
        return self.children.get(self.advice_request_id) if self.advice_request_id else None
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
        lid 3, domain brief B13/B16) and no ruling cleared it (``objections.works_blocked``)."""
        return _works_blocked(self.court_cases, unit_id)

    def on_register(self, unit_id: str) -> str | None:
        """The unit id as the register spells it, or None."""
        key = unit_id.casefold()
        return next((u for u in self.register_ref.unit_ids if u.casefold() == key), None)


def legal_contact(c: CorporationSnapshot) -> Recipient:
    """Legal staff, who hear of the 8-week terms of BW 7:220 lid 3; the manager when the file names nobody."""
    if c.legal_email:
        return Recipient(name=c.legal_name or "Juridische zaken", email=c.legal_email)
    return Recipient(name=c.manager_name, email=c.manager_email)


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
            Audience.LEGAL: [legal_contact(inp.corporation)],
        },
        reply_to=owner,
    )


# ---- the state × action table (domain brief 7.2, B1-B5, B17) -------------------------------------------

_OPEN = frozenset(State) - FINAL_STATES
_CLOSED = "the renovation is closed (state is {state})"


_PANEL_AT_WORK = frozenset({State.PANEL_ACTIEF, State.CONCEPT_PROJECTPLAN, State.ADVIESTRAJECT,
                            State.VOORSTEL_DEFINITIEF})
_BEFORE_ADVICE = frozenset({State.PANEL_ACTIEF, State.CONCEPT_PROJECTPLAN, State.ADVIESTRAJECT})
_ADVICE_FIRST = ("the proposals go out once the advice request on the projectplan and sociaal plan is executable "
                 "(artikel 5 lid 3 Wet op het overleg huurders verhuurder; state is {state})")


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
        "record_meeting": Rule(states=_PANEL_AT_WORK,
                               refusal="meetings are recorded while the panel is active (state is {state})"),
        "hand_in_plan": Rule(states=frozenset({s.PANEL_ACTIEF, s.CONCEPT_PROJECTPLAN}),
                             refusal="the projectplan and sociaal plan are handed in while the panel is active and "
                                     "before their advice request is sent (state is {state})"),
        "start_advice_request": Rule(
            states=frozenset({s.CONCEPT_PROJECTPLAN}),
            refusal="the advice request is sent once the concept projectplan and sociaal plan are in (state is "
                    "{state})",
            because={s.PANEL_ACTIEF: "hand in the concept projectplan and the sociaal plan first (B6)",
                     s.ADVIESTRAJECT: "an advice request on the plans is running already"}),
        "send_proposals": Rule(states=frozenset({s.VOORSTEL_DEFINITIEF, s.AANPASSEN_VOORSTEL}),
                               refusal="proposals are sent once the advice request on the projectplan and sociaal "
                                       "plan is executable and before a vote, or a new version while the proposal is "
                                       "adjusted (state is {state})",
                               because={**{st: _ADVICE_FIRST.format(state=st) for st in _BEFORE_ADVICE},
                                        s.DRAAGVLAK_NIET_BEREIKT: "start adjusting the proposal first "
                                                                  "(adjust_proposal, B15)"}),
        "record_answer": Rule(states=frozenset({s.DRAAGVLAKMETING}),
                              refusal="answers are recorded while the vote is open (state is {state})"),
        "answer_by_code": Rule(states=frozenset({s.DRAAGVLAKMETING}),
                               refusal="answers are recorded while the vote is open (state is {state})"),
        "close_vote": Rule(states=frozenset({s.DRAAGVLAKMETING}),
                           refusal="only an open vote can be closed (state is {state})"),
        "stop": Rule(states=_OPEN, refusal=_CLOSED),
        # B12-B17: the vote's aftermath (renovation_objection).
        "send_notices": Rule(states=frozenset({s.DRAAGVLAK_BEREIKT}),
                             refusal="the kennisgeving goes out once the vote reached 70% (state is {state})"),
        "record_receipts": Rule(states=frozenset({s.KENNISGEVING_70, s.BEZWAARTERMIJN}),
                                refusal="receipts of the kennisgeving are recorded after it was sent and until "
                                        "every term has ended (state is {state})",
                                because={s.DRAAGVLAK_BEREIKT: "send the kennisgeving first (send_notices, B12)"}),
        "record_court_claim": Rule(states=frozenset({s.KENNISGEVING_70, s.BEZWAARTERMIJN}),
                                   refusal="a tenant's claim is recorded while the 8-week terms run "
                                           "(state is {state})"),
        "record_landlord_claims": Rule(states=frozenset({s.DRAAGVLAK_NIET_BEREIKT}),
                                       refusal="the landlord goes to court per household after a vote that was "
                                               "not reached (state is {state})"),
        "record_ruling": Rule(states=frozenset({s.KENNISGEVING_70, s.BEZWAARTERMIJN, s.DRAAGVLAK_NIET_BEREIKT,
                                                s.UITVOERINGSGEREED, s.UITVOERING, s.OPLEVERING}),
                              refusal="a ruling is recorded for a home in court (state is {state})"),
        "adjust_proposal": Rule(states=frozenset({s.DRAAGVLAK_NIET_BEREIKT}),
                                refusal="the proposal is adjusted after a vote that was not reached "
                                        "(state is {state})"),
        "follow_rulings": Rule(states=frozenset({s.DRAAGVLAK_NIET_BEREIKT}),
                               refusal="the works follow the rulings after a vote that was not reached "
                                       "(state is {state})"),
        **works_rules(),
    }
    for name, rule in rules.items():
        for final in FINAL_STATES if name != "erase_personal_data" else ():
            rule.because.setdefault(final, f"the renovation is closed (state is {final})")
    return rules


RENOVATION_TABLE = ActionTable(_rules(), {str(k): v for k, v in STATE_LABELS.items()})

RenovationInput.model_rebuild()
