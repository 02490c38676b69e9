"""The advice request (adviesaanvraag) and consent request (instemmingsverzoek): Wohv art. 3-5a.

States follow domain brief 7.1. An instance is started when the information of art. 4 is provided
(state VERZONDEN); internal drafting and approval happen before Inspraak is involved.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import InitErrorDetails, PydanticCustomError

from inspraak.domain.documents import DocumentRef
from inspraak.domain.organisations import Contact, OrganisationKind, Signatory
from inspraak.domain.terms import Audience, DeadlineSchedule
from inspraak.domain.text import Day, MultiLine, OneLine
from inspraak.domain.trajectory import (
    ActionTable,
    Recipient,
    Rule,
    RunningTerm,
    TermView,
    TimelineEntry,
    TrajectoryState,
)


class Category(StrEnum):
    """The subjects of Wohv art. 3 lid 2 a-l."""

    a = "a"
    b = "b"
    c = "c"
    d = "d"
    e = "e"
    f = "f"
    g = "g"
    h = "h"
    i = "i"
    j = "j"
    k = "k"
    l = "l"  # noqa: E741 - the letter the article uses

    @property
    def description(self) -> str:
        return CATEGORY_DESCRIPTIONS[self]


CATEGORY_DESCRIPTIONS: dict[Category, str] = {
    Category.a: "het onderhoud en de voorzieningen",
    Category.b: "het slopen, renoveren, verwerven, vervreemden of bezwaren van woongelegenheden",
    Category.c: "het toewijzings- en verhuurbeleid",
    Category.d: "de algemene huurvoorwaarden",
    Category.e: "het huurprijsbeleid",
    Category.f: "het dienstenpakket",
    Category.g: "een fusie (artikel 312 of 313 van Boek 2 van het Burgerlijk Wetboek)",
    Category.h: "de leefbaarheid en herstructurering",
    Category.i: "de huisvesting van ouderen, gehandicapten en zorgbehoevenden",
    Category.j: "afspraken over servicekosten en beheerovereenkomsten",
    Category.k: "uitspraken van de klachtencommissie van de verhuurder",
    Category.l: "de beoogde inhoud van prestatieafspraken",
}

# Wohv art. 5a: consent is asked only for the policy on servicekosten, which falls under subject j.
CONSENT_CATEGORY = Category.j

CATEGORY_HELP = "The subject of Wohv art. 3 lid 2: " + "; ".join(
    f"{c.value} = {d}" for c, d in CATEGORY_DESCRIPTIONS.items()) + ". Consent (art. 5a) only for j."


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


# ---- limits of what staff and organisations send ------------------------------------------------
#
# Every text and list of every input has a bound, so no update, workflow input or state comes near
# Temporal's 2 MB payload limit. Counted at the worst case of 4 bytes (UTF-8) per character:
#   a request: subject 200 + organisation 63 + 4 texts x 5,000 + meeting offer 500 + 50 complexes x 200
#              + 20 attachments x (200 + 500) = 44,763 characters, <= 180 KB; the workflow input carries
#              it twice after a continue-as-new (input and state): 360 KB;
#   advice:    50 points x 1,500 = 75,000 characters, <= 300 KB;
#   decision:  50 points x 1,500 + explanation 4,000 = 79,000 characters, <= 316 KB;
#   dispute 2 x 4,000 and overleg note 2,000: <= 40 KB.
# Together about 1.0 MB in the worst case (about 250 KB for plain Dutch text), which leaves the other
# half of the limit for the timeline, the documents and the organisation. The README has the table.
MAX_SUBJECT = 200
MAX_TEXT = 5_000  # intention, reasons, consequences, alternatives
MAX_NOTE = 4_000  # notes, explanations, dispute descriptions and outcomes, reasons to withdraw
MAX_SHORT_NOTE = 2_000  # overleg note, reason for an extension
MAX_POINTS = 50
MAX_POINT_TEXT = 1_500  # an advice point's summary, a decision's motivation per point
MAX_COMPLEXES = 50
MAX_ATTACHMENTS = 20
MAX_NAME = 200  # a complex, an attachment's title
MAX_REFERENCE = 500
# How far one extension may move the end of a term; a request keeps the value it started with.
DEFAULT_MAX_EXTENSION_DAYS = 365

Complex = Annotated[OneLine, Field(min_length=1, max_length=MAX_NAME)]


class Attachment(BaseModel):
    title: OneLine = Field(min_length=1, max_length=MAX_NAME)
    reference: OneLine | None = Field(default=None, max_length=MAX_REFERENCE,
                                      description="a kenmerk or a link; one line")


class OrganisationSnapshot(BaseModel):
    """The addressee as it was when the request was sent; letters keep showing what was sent."""

    id: str
    name: str
    kind: OrganisationKind
    address: str = ""
    postcode_city: str = ""
    contacts: list[Contact]
    agreement_reference: str | None = None


class CorporationSnapshot(BaseModel):
    name: str
    address: str = ""
    postcode_city: str = ""
    phone: str = ""
    email: str
    website: str = ""
    manager_name: str
    manager_email: str
    signatories: list[Signatory] = []  # who signs the letters besides the owner (1-2, with their roles)


class StaffMember(BaseModel):
    name: str
    email: str


class NewAdviceRequest(BaseModel):
    """What staff fill in to send an advice or consent request (Wohv art. 4-5a)."""

    organisation_id: OneLine = Field(min_length=1, max_length=63)
    subject: OneLine = Field(min_length=3, max_length=MAX_SUBJECT)
    category: Category = Field(description=CATEGORY_HELP)
    intention: MultiLine = Field(min_length=1, max_length=MAX_TEXT, description="het voornemen")
    reasons: MultiLine = Field(min_length=1, max_length=MAX_TEXT, description="de beweegredenen (art. 4 lid 2)")
    consequences: MultiLine = Field(min_length=1, max_length=MAX_TEXT,
                                    description="de gevolgen voor huurders (art. 4 lid 2)")
    alternatives: MultiLine | None = Field(default=None, max_length=MAX_TEXT)
    complexes: list[Complex] = Field(default=[], max_length=MAX_COMPLEXES)
    attachments: list[Attachment] = Field(default=[], max_length=MAX_ATTACHMENTS)
    information_provided_on: Day
    advice_term_ends_on: Day | None = Field(
        default=None, description="a later end of the term than the minimum; never earlier (art. 5 lid 1)"
    )
    consent_requested: bool = False
    confidential: bool = False
    meeting_offer: MultiLine | None = Field(default=None, max_length=500,
                                            description="proposed dates for an overleg")

    @model_validator(mode="after")
    def _consent_only_for_servicekosten(self) -> "NewAdviceRequest":
        if self.consent_requested and self.category != CONSENT_CATEGORY:
            # Reported on the field with a stable code (as a field's own rule would be), not as the model's.
            raise ValidationError.from_exception_data(type(self).__name__, [InitErrorDetails(
                type=PydanticCustomError(
                    "consent_only_servicekosten",
                    "consent (instemming) can only be asked for the policy on servicekosten, category j "
                    "(artikel 5a Wet op het overleg huurders verhuurder)"),
                loc=("consent_requested",), input=self.consent_requested)])
        return self


class Actor(BaseModel):
    """Who recorded an action; set by the API from the caller's token, never from the request body."""

    role: Literal["staff", "manager", "organisation"]
    name: str


class Action(BaseModel):
    actor: SkipJsonSchema[Actor | None] = None


# ---- staff and organisation actions (each a Temporal update) ----------------------------------


class ReceiptConfirmed(Action):
    received_on: Day


class OverlegRequested(Action):
    requested_on: Day
    planned_on: Day | None = None
    note: MultiLine | None = Field(default=None, max_length=MAX_SHORT_NOTE)


class TermExtended(Action):
    new_end: Day = Field(description="the new last day of the term: later than the current one, and at most "
                                     "INSPRAAK_MAX_EXTENSION_DAYS (default 365) after it")
    reason: MultiLine = Field(min_length=1, max_length=MAX_SHORT_NOTE)


class AdvicePoint(BaseModel):
    summary: MultiLine = Field(min_length=1, max_length=MAX_POINT_TEXT)


class AdviceReceived(Action):
    received_on: Day
    advice_dated: Day | None = None
    points: list[AdvicePoint] = Field(min_length=1, max_length=MAX_POINTS)
    note: MultiLine | None = Field(default=None, max_length=MAX_NOTE)


class NoObjectionReceived(Action):
    received_on: Day
    note: MultiLine | None = Field(default=None, max_length=MAX_NOTE)


class ConsentRecorded(Action):
    received_on: Day
    given: bool
    note: MultiLine | None = Field(default=None, max_length=MAX_NOTE)


class Adoption(StrEnum):
    JA = "ja"
    DEELS = "deels"
    NEE = "nee"


class PointDecision(BaseModel):
    adopted: Adoption
    motivation: MultiLine = Field(default="", max_length=MAX_POINT_TEXT)


class Decision(StrEnum):
    FOLLOWED = "followed"
    PARTLY = "partly"
    NOT_FOLLOWED = "not_followed"


class DecisionTaken(Action):
    """The decision on the advice, one entry per advice point in the order they were recorded."""

    decision: Decision
    points: list[PointDecision] = Field(min_length=1, max_length=MAX_POINTS)
    explanation: MultiLine | None = Field(default=None, max_length=MAX_NOTE)

    @model_validator(mode="after")
    def _motivation_where_not_adopted(self) -> "DecisionTaken":
        # Every broken rule is reported on its own field with a stable code, all at once.
        errors: list[InitErrorDetails] = []
        # Wohv art. 5 lid 2: reasons in writing for every point not (fully) followed.
        for n, p in enumerate(self.points):
            if p.adopted != Adoption.JA and not p.motivation.strip():
                errors.append(InitErrorDetails(
                    type=PydanticCustomError(
                        "motivation_required",
                        "a motivation is required when a point is not or partly adopted "
                        "(artikel 5 lid 2 Wet op het overleg huurders verhuurder)"),
                    loc=("points", n, "motivation"), input=p.motivation))
        adopted = {p.adopted for p in self.points}
        expected = (
            Decision.FOLLOWED if adopted == {Adoption.JA}
            else Decision.NOT_FOLLOWED if adopted == {Adoption.NEE}
            else Decision.PARTLY
        )
        if self.decision != expected:
            errors.append(InitErrorDetails(
                type=PydanticCustomError("decision_mismatch", "decision must be '{expected}' for the points as adopted",
                                         {"expected": expected.value}),
                loc=("decision",), input=self.decision.value))
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


class ReplyReceived(Action):
    received_on: Day


class Forum(StrEnum):
    HUURCOMMISSIE = "huurcommissie"
    KANTONRECHTER = "kantonrechter"
    CONTRACTUEEL = "contractueel"


class DisputeFiled(Action):
    forum: Forum
    filed_on: Day
    description: MultiLine = Field(min_length=1, max_length=MAX_NOTE)
    execution_suspended: bool = Field(
        default=False, description="the kantonrechter suspended or prohibited carrying out the decision "
        "(artikel 8 lid 2-3 Wohv); only then is execution blocked")


class DisputeResolved(Action):
    resolved_on: Day
    outcome: MultiLine = Field(min_length=1, max_length=MAX_NOTE)


class Executed(Action):
    executed_on: Day
    note: MultiLine | None = Field(default=None, max_length=MAX_NOTE)


class Withdrawn(Action):
    reason: MultiLine = Field(min_length=1, max_length=MAX_NOTE)


class DocumentAttached(Action):
    """A file handed in and stored by the API (an original letter, an attachment); the workflow files it."""

    document: DocumentRef


class Closed(Action):
    """Staff close the file; no dispute can be recorded after this."""

    note: MultiLine | None = Field(default=None, max_length=MAX_NOTE)


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
            registered=s.registration is not None, deadlines=s.deadlines(), overdue=s.overdue,
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
