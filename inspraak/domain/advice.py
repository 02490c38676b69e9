"""The advice request (adviesaanvraag) and consent request (instemmingsverzoek): Wohv art. 3-5a.

States follow domain brief 7.1. An instance is started when the information of art. 4 is provided
(state VERZONDEN); internal drafting and approval happen before Inspraak is involved.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from inspraak.domain.advice_actions import (
    DEFAULT_MAX_EXTENSION_DAYS,
    AdvicePoint,
    Category,
    CorporationSnapshot,
    DecisionTaken,
    Forum,
    NewAdviceRequest,
    OrganisationSnapshot,
    OverlegRequested,
    StaffMember,
)
from inspraak.domain.documents import DocumentRef
from inspraak.domain.terms import Audience, DeadlineSchedule
from inspraak.domain.trajectory import (
    ActionTable,
    Recipient,
    Rule,
    RunningTerm,
    TermView,
    TimelineEntry,
    TrajectoryState,
)


class State(StrEnum):
    VERZONDEN = "VERZONDEN"
    IN_BEHANDELING = "IN_BEHANDELING"
    OVERLEG_GEPLAND = "OVERLEG_GEPLAND"
    ADVIES_ONTVANGEN = "ADVIES_ONTVANGEN"
    REACTIE_VERZONDEN = "REACTIE_VERZONDEN"
    WACHTTIJD_3_DAGEN = "WACHTTIJD_3_DAGEN"
    INSTEMMING_GEWEIGERD = "INSTEMMING_GEWEIGERD"
    GEEN_INSTEMMING_ESCALATIE = "GEEN_INSTEMMING_ESCALATIE"
    UITVOERBAAR = "UITVOERBAAR"
    UITGEVOERD = "UITGEVOERD"
    GESLOTEN = "GESLOTEN"
    INGETROKKEN = "INGETROKKEN"


STATE_LABELS: dict[State, str] = {
    State.VERZONDEN: "verzonden, wacht op reactie van de organisatie",
    State.IN_BEHANDELING: "in behandeling bij de organisatie",
    State.OVERLEG_GEPLAND: "overleg gevraagd of gepland",
    State.ADVIES_ONTVANGEN: "advies ontvangen, besluit nodig",
    State.REACTIE_VERZONDEN: "gemotiveerde reactie verzonden",
    State.WACHTTIJD_3_DAGEN: "wachttijd van drie dagen loopt",
    State.INSTEMMING_GEWEIGERD: "instemming geweigerd",
    State.GEEN_INSTEMMING_ESCALATIE: "termijn verstreken zonder instemming",
    State.UITVOERBAAR: "uitvoerbaar",
    State.UITGEVOERD: "uitgevoerd",
    State.GESLOTEN: "gesloten",
    State.INGETROKKEN: "ingetrokken",
}

WAITING_FOR_ANSWER = frozenset({State.VERZONDEN, State.IN_BEHANDELING, State.OVERLEG_GEPLAND})
# A dispute (art. 8) can still be brought after execution: the trajectory closes only when staff close it.
FINAL_STATES = frozenset({State.GESLOTEN, State.INGETROKKEN})
OPEN_STATES = frozenset(State) - FINAL_STATES


class ExecutableBecause(StrEnum):
    """The ground of Wohv art. 5 lid 3 (or art. 5a) on which the decision may be carried out."""

    GEEN_BEZWAAR = "geen_bezwaar"  # lid 3 a
    TERMIJN_VERSTREKEN = "termijn_verstreken"  # lid 3 b
    WACHTTIJD_VERSTREKEN = "wachttijd_verstreken"  # lid 3 c
    ADVIES_GEVOLGD = "advies_gevolgd"
    INSTEMMING = "instemming"  # art. 5a


# ---- what a query returns ---------------------------------------------------------------------


class RecordedAdvice(BaseModel):
    received_on: date
    advice_dated: date | None
    points: list[AdvicePoint]


class Dispute(BaseModel):
    forum: Forum
    filed_on: date
    description: str
    execution_suspended: bool = False
    resolved_on: date | None = None
    outcome: str | None = None


class Registration(BaseModel):
    """An advice request that was already sent on paper before Inspraak: no new letter is sent."""

    registered_at: datetime
    original_reference: str | None = None  # the kenmerk of the letter that was sent


class AdviceRequestInput(BaseModel):
    """The workflow's input: the request, its addressee and the first term, planned by the API.

    ``resume`` carries the whole state over a continue-as-new; the rest is then only what started it.
    """

    id: str
    request: NewAdviceRequest
    organisation: OrganisationSnapshot
    corporation: CorporationSnapshot
    owner: StaffMember
    term: DeadlineSchedule
    minimum_term_days: int | None = None  # a longer term agreed in the SOK (Wohv art. 6)
    registration: Registration | None = None
    max_extension_days: int = DEFAULT_MAX_EXTENSION_DAYS  # INSPRAAK_MAX_EXTENSION_DAYS when it started
    # Started by another trajectory as its child (the renovation: its projectplan and sociaal plan): that
    # trajectory's id, told of every change, and the documents it hands in as annexes (stored already).
    parent_id: str | None = None
    annexes: list[DocumentRef] = []
    resume: "AdviceState | None" = None


class AdviceState(TrajectoryState):
    """Everything one advice or consent request knows; carried whole over a continue-as-new."""

    type: Literal["advice_request"] = "advice_request"
    request: NewAdviceRequest
    organisation: OrganisationSnapshot
    corporation: CorporationSnapshot
    owner: StaffMember
    minimum_term_days: int | None = None
    registration: Registration | None = None
    max_extension_days: int = DEFAULT_MAX_EXTENSION_DAYS
    executable_because: ExecutableBecause | None = None
    executable_since: date | None = None
    overleg: OverlegRequested | None = None
    advice: RecordedAdvice | None = None
    decision: DecisionTaken | None = None
    decided_on: date | None = None
    dispute: Dispute | None = None

    @property
    def consent(self) -> bool:
        return self.request.consent_requested

    @property
    def main_term(self) -> str:
        """The term the organisation answers in: advice (art. 5 lid 1) or consent (art. 5a)."""
        return "consent_term" if self.request.consent_requested else "advice_term"

    @property
    def execution_blocked(self) -> bool:
        """Wohv art. 8 lid 2-3: a court's suspension or prohibition blocks execution, not a dispute as such."""
        return self.dispute_open and self.dispute is not None and self.dispute.execution_suspended

    @property
    def dispute_open(self) -> bool:
        return self.dispute is not None and self.dispute.resolved_on is None


def initial_state(inp: AdviceRequestInput) -> AdviceState:
    """The state a new request starts in; the workflow and the API's start (its search attributes) share it."""
    if inp.resume is not None:
        return inp.resume
    owner = Recipient(name=inp.owner.name, email=inp.owner.email)
    return AdviceState(
        id=inp.id, organisation_id=inp.organisation.id, subject=inp.request.subject, state=State.VERZONDEN,
        request=inp.request, organisation=inp.organisation, corporation=inp.corporation, owner=inp.owner,
        minimum_term_days=inp.minimum_term_days, registration=inp.registration,
        max_extension_days=inp.max_extension_days,
        terms={inp.term.term: RunningTerm(schedule=inp.term)},
        audiences={
            Audience.ORGANISATION: [Recipient(name=c.name, email=str(c.email)) for c in inp.organisation.contacts],
            Audience.OWNER: [owner],
            Audience.MANAGER: [Recipient(name=inp.corporation.manager_name, email=inp.corporation.manager_email)],
        },
        reply_to=owner,
        opened=False,
        parent_id=inp.parent_id,
        documents=list(inp.annexes),
    )


class AdviceRequestView(BaseModel):
    """The whole state of one advice request, as staff and its organisation see it."""

    id: str
    type: Literal["advice_request"] = "advice_request"
    consent_requested: bool
    state: State
    state_label: str
    organisation_id: str
    organisation_name: str
    subject: str
    category: Category
    owner: StaffMember
    information_provided_on: date
    registered: bool = False
    parent_id: str | None = None  # the renovation this request is part of
    deadlines: list[TermView]
    overdue: bool
    next_deadline: datetime | None
    executable_because: ExecutableBecause | None = None
    advice: RecordedAdvice | None = None
    decision: DecisionTaken | None = None
    dispute: Dispute | None = None
    execution_blocked: bool = False
    allowed_actions: list[str] = []
    documents: list[DocumentRef]
    timeline: list[TimelineEntry]

    @classmethod
    def of(cls, s: AdviceState) -> "AdviceRequestView":
        return cls(
            id=s.id, consent_requested=s.consent, state=State(s.state), state_label=STATE_LABELS[State(s.state)],
            organisation_id=s.organisation_id, organisation_name=s.organisation.name, subject=s.subject,
            category=s.request.category, owner=s.owner, information_provided_on=s.request.information_provided_on,
            registered=s.registration is not None, parent_id=s.parent_id, deadlines=s.deadlines(), overdue=s.overdue,
            next_deadline=s.next_deadline(), executable_because=s.executable_because, advice=s.advice,
            decision=s.decision, dispute=s.dispute, execution_blocked=s.execution_blocked,
            allowed_actions=[a for a in table_for(s.consent).allowed(s.state) if flag_refusal(a, s) is None],
            documents=list(s.documents),
            timeline=list(s.timeline),
        )


# ---- who may do what, when: the state × action table of domain brief 7.1 ---------------------------

_WAITING = frozenset(WAITING_FOR_ANSWER)
_OPEN = frozenset(OPEN_STATES)
_CLOSED = "the trajectory is closed (state is {state})"
_CONSENT_STUCK = frozenset({State.INSTEMMING_GEWEIGERD, State.GEEN_INSTEMMING_ESCALATIE})


def _rules(consent: bool) -> dict[str, Rule]:
    s = State
    advice_only = "this is a consent request (artikel 5a Wohv): record consent given or refused"
    rules = {
        "confirm_receipt": Rule(states=frozenset({s.VERZONDEN}), refusal="receipt can only be confirmed while "
                                "the request is sent and not yet in treatment (state is {state})"),
        # Consent (art. 5a): after a refusal or an expired term the way on is renewed overleg (domain brief 7.1).
        "request_overleg": Rule(states=_WAITING | _CONSENT_STUCK if consent else _WAITING,
                                refusal="an overleg can only be requested while the term runs (state is {state})"),
        "extend_term": Rule(states=_WAITING | {s.GEEN_INSTEMMING_ESCALATIE} if consent else _WAITING,
                            refusal="the term can only be extended while it runs (state is {state})"),
        # Advice handed in on time but recorded after the clock made the decision executable (art. 5 lid 3 b
        # allows execution only when no advice came in time): the validator checks the date.
        "record_advice": Rule(states=frozenset() if consent else _WAITING | {s.UITVOERBAAR},
                              refusal=advice_only if consent else
                              "advice can only be recorded while the advice term runs (state is {state})"),
        "record_no_objection": Rule(states=frozenset() if consent else _WAITING | {s.UITVOERBAAR},
                                    refusal=advice_only if consent else "'geen bezwaar' can only be recorded "
                                    "while the advice term runs (state is {state})"),
        "record_consent": Rule(
            states=_WAITING | {s.INSTEMMING_GEWEIGERD, s.GEEN_INSTEMMING_ESCALATIE} if consent else frozenset(),
            refusal="consent cannot be recorded in state {state}" if consent else "this is an advice request, "
            "not a consent request: record advice or 'geen bezwaar' (artikel 5 Wohv)"),
        "decide": Rule(states=frozenset({s.ADVIES_ONTVANGEN}), refusal="a decision can only be taken on "
                       "received advice (state is {state})"),
        "confirm_reply_receipt": Rule(states=frozenset({s.REACTIE_VERZONDEN}), refusal="receipt of the reply can "
                                      "only be recorded after it was sent (state is {state})"),
        "file_dispute": Rule(states=_OPEN, refusal=_CLOSED),
        "resolve_dispute": Rule(states=_OPEN, refusal=_CLOSED),
        "record_execution": Rule(
            states=frozenset({s.UITVOERBAAR}),
            refusal="the decision may not be carried out yet (state is {state}; artikel 5 lid 3 Wohv)",
            because={
                s.INSTEMMING_GEWEIGERD: "consent was refused: the proposal may not be carried out (artikel 5a "
                "Wohv); choose renewed overleg, an adjusted proposal or a dispute (artikel 8 Wohv)",
                s.GEEN_INSTEMMING_ESCALATIE: "no consent was given and none is deemed given: the proposal may not "
                "be carried out (artikel 5a Wohv)",
                s.UITGEVOERD: "the decision was carried out already",
                s.GESLOTEN: "the trajectory is closed (state is GESLOTEN)",
                s.INGETROKKEN: "the trajectory is closed (state is INGETROKKEN)",
            }),
        # Wider than A16 (up to VERZONDEN): a corporation may drop a plan at any point before carrying it out;
        # the organisation gets a letter. Refused while a dispute is open (the validator).
        "withdraw": Rule(states=_OPEN - {s.UITGEVOERD}, refusal=_CLOSED,
                         because={s.UITGEVOERD: "the decision was carried out; it can no longer be withdrawn"}),
        "attach_document": Rule(states=_OPEN, refusal=_CLOSED),
        "close": Rule(states=frozenset({s.UITGEVOERD}), refusal="only a carried-out decision can be closed; "
                      "withdraw a request that will not be carried out (state is {state})"),
    }
    for rule in rules.values():  # on a closed trajectory, that it is closed is the reason, whatever the action
        for final in FINAL_STATES:
            rule.because.setdefault(final, f"the trajectory is closed (state is {final})")
    return rules


_LABELS = {str(k): v for k, v in STATE_LABELS.items()}
ADVICE_TABLE = ActionTable(_rules(consent=False), _LABELS)
CONSENT_TABLE = ActionTable(_rules(consent=True), _LABELS)


def table_for(consent: bool) -> ActionTable:
    return CONSENT_TABLE if consent else ADVICE_TABLE


READY_STATES = frozenset({State.UITVOERBAAR, State.UITGEVOERD, State.GESLOTEN})


def flag_refusal(action: str, s: "AdviceState") -> str | None:
    """Why ``action`` is refused by a dispute's flags, which the state alone does not say (Wohv art. 8)."""
    if action == "file_dispute" and s.dispute_open:
        return "a dispute is already open; resolve it first"
    if action == "resolve_dispute" and not s.dispute_open:
        return "there is no open dispute"
    if action == "record_execution" and s.execution_blocked:
        return ("the kantonrechter suspended or prohibited carrying out the decision while the dispute runs "
                "(artikel 8 lid 2-3 Wohv)")
    if action in ("withdraw", "close") and s.dispute_open:
        return f"a dispute is open; resolve it before {'withdrawing' if action == 'withdraw' else 'closing'} " \
               "(artikel 8 Wohv)"
    return None


AdviceRequestInput.model_rebuild()
