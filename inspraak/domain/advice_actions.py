"""What staff and organisations send in an advice or consent request (Wohv art. 3-5a, 8): the request, the
subjects of art. 3 lid 2, and one model per action (each a Temporal update), every field bounded.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import InitErrorDetails, PydanticCustomError

from inspraak.domain.documents import DocumentRef
from inspraak.domain.organisations import Contact, OrganisationKind, Signatory
from inspraak.domain.text import Day, MultiLine, OneLine


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
    legal_name: str | None = None  # legal staff (BW 7:220 lid 3 alerts); None: the manager
    legal_email: str | None = None
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
    # For the audit trail: the token's subject, and the request's correlation id and trace id.
    subject: str = ""
    correlation_id: str = ""
    trace_id: str = ""


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
