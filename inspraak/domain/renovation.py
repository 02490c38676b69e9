"""Renovation participation for one complex (domain brief 7.2; issue 8): states, state, input, actions, table.

First slice: the project is created (B1, VOORBEREIDING), every household is invited (B2), sign-ups come in
(B3, PANEL_IN_OPRICHTING), the panel is constituted with its legal status (B4, PANEL_ACTIEF) and meetings
are recorded with their minutes (B5). Staff may stop at any point (B17, GESTOPT). The later states are
listed so the table reads like domain brief 7.2, but no action reaches them yet.

Households' personal data (names, addresses, contact details) are **not** in this state, nor in any
workflow input: the register lives in the document store (``RegisterRef``: its key and sha256), and the
state names households by unit id only. Activities that need a name load the register.
"""

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from inspraak.domain.advice import Action, CorporationSnapshot, OrganisationSnapshot, StaffMember
from inspraak.domain.documents import DocumentRef, StoredJson
from inspraak.domain.households import Code, Complex, HouseholdImportError, RegisterRef, Rent, RowError
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.panel import AdviceAddressee, ComplexFlags, PanelLegalStatus
from inspraak.domain.terms import Audience
from inspraak.domain.text import Day, MultiLine, OneLine
from inspraak.domain.trajectory import (
    ActionTable,
    Recipient,
    Rule,
    TermView,
    TimelineEntry,
    TrajectoryState,
)
from inspraak.domain.vote import Choice, Tally, Vote


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

# GESTOPT leads to PANEL_OPGEHEVEN in domain brief 7.2 (B17); until dissolution is built, stopping ends it.
FINAL_STATES = frozenset({State.GESLOTEN, State.GESTOPT})

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

    def signed_up(self, unit_id: str) -> SignUp | None:
        key = unit_id.casefold()
        return next((s for s in self.sign_ups if s.unit_id.casefold() == key), None)

    def panel_has_rights(self) -> bool:
        """The constituted panel is a bewonerscommissie with the Overlegwet's rights (Wohv art. 1 lid 1 g)."""
        return self.panel is not None and self.panel.legal_status.has_wohv_rights

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


class MeetingRecorded(Action):
    """What staff entered after a meeting; the minutes (verslag) are made from it."""

    held_on: Day
    place: OneLine = Field(default="", max_length=MAX_SHORT)
    attendees: list[Annotated[OneLine, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=MAX_ATTENDEES, description="names as they should appear in the minutes, with a role")
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
    reason: MultiLine = Field(min_length=1, max_length=MAX_TEXT)


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
            addressee=s.addressee, flags=s.flags, owner=s.owner, homes=len(s.register_ref.unit_ids),
            register_sha256=s.register_ref.sha256,
            invitation=s.invitation, sign_ups=list(s.sign_ups), sign_up_count=len(s.sign_ups), panel=s.panel,
            meetings=list(s.meetings), proposal=s.proposal, tally=s.vote.tally() if s.vote else None,
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
            "register_sha256": None,
            "documents": [d for d in self.documents if may_read(d.visibility.value) and d.household_id is None],
            "timeline": [e for e in self.timeline if may_read(e.visibility.value)],
        })


# ---- the state × action table (domain brief 7.2, B1-B5, B17) -------------------------------------------

_OPEN = frozenset(State) - FINAL_STATES
_CLOSED = "the renovation is closed (state is {state})"


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
    }
    for rule in rules.values():
        for final in FINAL_STATES:
            rule.because.setdefault(final, f"the renovation is closed (state is {final})")
    return rules


RENOVATION_TABLE = ActionTable(_rules(), {str(k): v for k, v in STATE_LABELS.items()})

RenovationInput.model_rebuild()
