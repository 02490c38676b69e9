"""What every trajectory shares: its state object, its running terms, who may do what, and what it tells whom.

A trajectory's workflow keeps all it knows in one :class:`TrajectoryState` (a subclass per trajectory),
so that it can ``continue_as_new`` with that object and carry on exactly where it was: the reminders
that already fired are in it, and fire no second time. Pure models and rules; no I/O, no Temporal.
"""

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from inspraak.domain.documents import DocumentRef, DocumentType, Visibility
from inspraak.domain.dutch import regel
from inspraak.domain.letter_contexts import Brief
from inspraak.domain.render_requests import StoredJson
from inspraak.domain.terms import Audience, DeadlineSchedule, PlannedRung, RungKind

ActorRole = Literal["staff", "manager", "organisation", "household", "clock"]


class TermStatus(StrEnum):
    RUNNING = "running"
    MET = "met"  # the awaited event happened in time
    EXPIRED = "expired"  # the term passed without it
    CANCELLED = "cancelled"  # the trajectory no longer waits for it (withdrawn, stopped)


class RunningTerm(BaseModel):
    """A planned term and what the clock already did with it."""

    schedule: DeadlineSchedule
    status: TermStatus = TermStatus.RUNNING
    fired: list[str] = []  # keys of the rungs that fired; an extension re-plans only rungs not in here
    closed_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.status == TermStatus.RUNNING

    def pending(self) -> list[PlannedRung]:
        return [r for r in self.schedule.rungs if r.key not in self.fired]


class TermView(DeadlineSchedule):
    """A term as a trajectory's view shows it: its schedule, and whether it is still open or was met."""

    status: TermStatus
    closed_at: datetime | None = None


class TimelineEntry(BaseModel):
    at: datetime
    event: str
    actor: ActorRole
    by: str = ""
    text: str
    document_id: str | None = None
    visibility: Visibility = Visibility.ORGANISATION  # escalations and notes to staff stay inside


class Recipient(BaseModel):
    name: str
    email: str


class ChildLink(BaseModel):
    """What a parent trajectory knows of a child trajectory it started (the renovation of its advice request).

    The child sends it (signal ``child_changed``) whenever one of these facts changes; the parent keeps it in
    its state, so it survives the parent's continue-as-new and the parent's view always shows it.
    """

    id: str
    type: str
    state: str
    state_label: str
    due_on: date | None = None  # the end of the term the child waits on (the advice term)
    next_deadline: datetime | None = None
    ready: bool = False  # the child reached what the parent waits for (advice: executable, Wohv art. 5 lid 3)
    final: bool = False  # the child is closed; it changes no more
    withdrawable: bool = True  # the child can be withdrawn now (not while a dispute is open, say)
    because: str | None = None  # why it is ready (the ground of art. 5 lid 3)
    ending: bool = False  # set by the parent: it asked the child to end (withdraw) and waits for it
    updated_at: datetime

    def same_facts(self, other: "ChildLink | None") -> bool:
        return other is not None and self.model_dump(exclude={"updated_at", "ending"}) == \
            other.model_dump(exclude={"updated_at", "ending"})


class TrajectoryIndex(BaseModel):
    """What listings filter on; the search attributes are made from this and nothing else."""

    type: str
    organisation_id: str
    state: str
    overdue: bool
    next_deadline: datetime | None


class MergedLetters(BaseModel):
    """A mail merge's household letters as the state keeps them: counts and where their references are.

    One reference per household (about 400 bytes each) would make a 1,000-home state 400 kB larger per merge;
    the references are in the store instead, in one staff-only JSON object (``manifest``: its key and sha256)
    that the merge activity wrote beside the letters. Each letter is still its own document, found by its id
    (``<trajectory>.<step_prefix>-<nnnn>``, n the unit's place in the merge)."""

    number: int  # the merge's document number (the letters share it)
    type: DocumentType
    title: str
    step_prefix: str
    letters: int
    manifest: StoredJson
    print_file_id: str | None = None


class TrajectoryState(BaseModel):
    """The whole state of one trajectory; a trajectory subclasses it with its own facts."""

    id: str
    type: str
    organisation_id: str
    subject: str
    state: str
    overdue: bool = False
    terms: dict[str, RunningTerm] = {}
    documents: list[DocumentRef] = []  # every document but mail-merged household letters (see ``merges``)
    merges: list[MergedLetters] = []
    timeline: list[TimelineEntry] = []
    # Who each audience of a reminder ladder is: the organisation's contacts, the owner, the manager.
    audiences: dict[Audience, list[Recipient]] = {}
    reply_to: Recipient | None = None  # the staff member handling it: replies to its mail go there
    document_count: int = 0  # document numbers have no gaps: only a made document takes one
    notice_count: int = 0
    opened: bool = False  # the opening step (the first letter) is done
    parent_id: str | None = None  # the trajectory that started this one as its child, told of every change
    children: dict[str, ChildLink] = {}  # the child trajectories this one started, as they last reported
    audit_count: int = 0  # entries of the audit trail made so far (the entries are in the store, not here)

    def next_deadline(self) -> datetime | None:
        running = [t.schedule.expires_at for t in self.terms.values() if t.running]
        return min(running, default=None)

    def index(self) -> TrajectoryIndex:
        return TrajectoryIndex(type=self.type, organisation_id=self.organisation_id, state=self.state,
                               overdue=self.overdue, next_deadline=self.next_deadline())

    def deadlines(self) -> list[TermView]:
        return [TermView(**t.schedule.model_dump(), status=t.status, closed_at=t.closed_at)
                for t in self.terms.values()]


class StepResult(BaseModel):
    """What an update returns: what changed, not the whole trajectory (that is the query)."""

    id: str
    state: str
    term: DeadlineSchedule | None = None
    document: DocumentRef | None = None


class Letter(BaseModel):
    """A document to make and send: the kernel renders it, files it and mails it to its audience."""

    type: DocumentType
    context: Brief
    audience: Audience
    title: str | None = None  # when the document type's label does not fit (an instemmingsverzoek)
    step_hint: str | None = None

    @property
    def visibility(self) -> Visibility:
        # Letters to the organisation are the organisation's; notes to the owner or manager stay inside.
        return Visibility.ORGANISATION if self.audience == Audience.ORGANISATION else Visibility.STAFF


class Mail(BaseModel):
    subject: str
    body: str


class Notice(BaseModel):
    """What a rung of a ladder (or the end of a term) says, and to whom: a letter, a mail, or both."""

    kind: RungKind
    audience: Audience
    timeline: str  # the line in the trajectory's timeline, in Dutch
    letter: Letter | None = None
    mail: Mail | None = None  # a mail without a letter (an alert to the owner)


class Rule(BaseModel):
    """When an action is allowed: in these states, and otherwise refused with this reason."""

    states: frozenset[str]
    refusal: str = Field(description="why it is refused, in plain words; '{state}' is filled in")
    because: dict[str, str] = {}  # a more precise reason in some states


class ActionTable:
    """The explicit table of state × action of one trajectory; validators and handlers both read it.

    Args:
        rules: per action name, the states it is allowed in.
        labels: a readable name per state, for refusals.
    """

    def __init__(self, rules: Mapping[str, Rule], labels: Mapping[str, str] | None = None) -> None:
        self.rules = dict(rules)
        self.labels = dict(labels or {})

    def refusal(self, action: str, state: str) -> str | None:
        """None when ``action`` is allowed in ``state``, else the reason it is not."""
        rule = self.rules[action]
        if state in rule.states:
            return None
        named = f"{state} ({self.labels[state]})" if state in self.labels else state
        return rule.because.get(state) or rule.refusal.format(state=named)

    def allowed(self, state: str) -> list[str]:
        return [a for a, r in self.rules.items() if state in r.states]


# The kernel's own timeline lines, the same for every trajectory (a trajectory's lines are in its letters module).
KERNEL_LINES = {
    "document": "Document gemaakt: {title}",
    "document_attached": "Document toegevoegd: {title}",
    "documents_merged": "{count:brief|brieven} gemaakt: {title}",
    "mail_skipped": "Geen adres voor '{audience}': '{subject}' is niet gemaild",
    "mail_failed": "Mail '{subject}' kon niet worden verzonden: {cause}",
    "letter_failed": "Een brief bij '{what}' kon niet worden gemaakt: {cause}. Herstel de sjabloon en verstuur de "
                     "brief met de hand.",
}


def kernel_line(event: str, **facts: object) -> str:
    """The kernel's timeline line of ``event`` (counted nouns and dates in Dutch: ``dutch.regel``)."""
    return regel(KERNEL_LINES[event], **facts)
