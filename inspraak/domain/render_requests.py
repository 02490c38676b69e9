"""What the document activities take and give: one letter, a batch of letters, a mail merge over a register.
"""

from pydantic import BaseModel, Field

from inspraak.domain.documents import DocumentRef, DocumentType, Visibility
from inspraak.domain.households import RegisterRef
from inspraak.domain.letter_contexts import Geadresseerde


class RenderRequest(BaseModel):
    """The input of the render activity: one letter for one step of one trajectory."""

    trajectory_id: str
    organisation_id: str
    step: str = Field(description="unique within the trajectory; the document id and key derive from it")
    type: DocumentType
    context: dict  # one of LETTER_CONTEXTS[type], dumped in JSON mode
    visibility: Visibility = Visibility.STAFF  # set where the document is made; checked on every read
    household_id: str | None = None
    title: str | None = None  # the type's label when not given


class BatchRenderRequest(BaseModel):
    """Many letters in one activity (a mail merge); bounded so the request stays far below Temporal's limit."""

    items: list[RenderRequest] = Field(min_length=1, max_length=200)


MAX_MERGE = 2_000  # a complex's households (households.MAX_HOUSEHOLDS)


class StoredJson(BaseModel):
    """A JSON object in the document store that carries personal figures: its key and sha256, never its content."""

    key: str = Field(min_length=1, max_length=300)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class MergeRequest(BaseModel):
    """A mail merge over a household register kept in the store: the request carries unit ids, no names.

    The activity loads the register (checking its sha256), builds each household's context from ``context``
    (what all letters share) with the builder registered for ``type`` (``domain.merge``), renders and stores
    each letter under ``<step_prefix>-<n>`` (n: the unit's place in ``unit_ids``, so a retry writes the same
    keys), and writes one combined print file of the household letters when ``print_file`` is set.
    """

    trajectory_id: str
    organisation_id: str
    register_ref: RegisterRef
    type: DocumentType
    context: dict  # the common part, dumped in JSON mode
    step_prefix: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,60}$")
    unit_ids: list[str] = Field(default=[], max_length=MAX_MERGE)
    title: str | None = None
    # One more letter, to an organisation (a copy of the panel's confirmation), readable by that organisation.
    copy_to: Geadresseerde | None = None
    print_file: bool = False
    # Per-household figures kept in the store like the register (JSON: unit id -> fields); the activity adds
    # a unit's entry to its letter's context as "eigen".
    figures: "StoredJson | None" = None
    # Set: the activity derives each home's reply code for this proposal version with its own key and adds
    # it to "eigen" as "antwoordcode". The code never leaves the activity but inside the letter.
    reply_code_version: int | None = Field(default=None, ge=1, le=1000)


class MergeResult(BaseModel):
    """References only: the household letters (in ``unit_ids`` order), the copy, the print file, and which
    units' households gave an e-mail address (the workflow mails those)."""

    documents: list[DocumentRef]
    copy_document: DocumentRef | None = None
    print_file: DocumentRef | None = None
    with_email: list[str] = []
    letters: int = 0  # the household letters made
    # The household letters' references kept in the store as one staff-only JSON object (the workflow's state
    # keeps this, not a reference per household).
    manifest: StoredJson | None = None
