"""Documents: their types, where they are kept, and the fields each letter template receives.

Every letter is a Word document rendered from ``templates/<type>.docx``. The context models below are
the one statement of which fields a template may use; ``inspraak templates check`` holds templates to it.
"""

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class DocumentType(StrEnum):
    ADVIESAANVRAAG = "adviesaanvraag"
    ONTVANGSTBEVESTIGING_ADVIES = "ontvangstbevestiging_advies"
    HERINNERING = "herinnering"
    TERMIJN_VERSTREKEN = "termijn_verstreken"
    REACTIE_ADVIES = "reactie_advies"
    INTERNE_ESCALATIE = "interne_escalatie"
    MEDEDELING_UITVOERING = "mededeling_uitvoering"
    VERLENGING_TERMIJN = "verlenging_termijn"
    INTREKKING = "intrekking"
    UITNODIGING_RENOVATIE = "uitnodiging_renovatie"
    PANEL_BEVESTIGING = "panel_bevestiging"
    VERSLAG_BIJEENKOMST = "verslag_bijeenkomst"
    RENOVATIEVOORSTEL = "renovatievoorstel"
    UITSLAG_DRAAGVLAK = "uitslag_draagvlak"
    KENNISGEVING_70 = "kennisgeving_70"
    TERMIJN_KENNISGEVING = "termijn_kennisgeving"  # after the receipt: the home's own last day (BW 7:220 lid 3)
    HERINNERING_DRAAGVLAKMETING = "herinnering_draagvlakmeting"  # on paper, to a home without an answer
    OPLEVERINGSBRIEF = "opleveringsbrief"
    EVALUATIEVERSLAG = "evaluatieverslag"
    OPHEFFING_PANEL = "opheffing_panel"
    PRINTBESTAND = "printbestand"  # the letters of a mail merge in one file, for the post room
    UPLOAD = "upload"  # a file staff or an organisation handed in (an original letter, an attachment)
    START_WERKZAAMHEDEN = "start_werkzaamheden"  # to every home whose works start (B18)

    @property
    def label(self) -> str:
        """The Dutch title of the letter, as staff and organisations see it."""
        return DOCUMENT_TITLES[self]


DOCUMENT_TITLES: dict[DocumentType, str] = {
    DocumentType.ADVIESAANVRAAG: "Adviesaanvraag",
    DocumentType.ONTVANGSTBEVESTIGING_ADVIES: "Ontvangstbevestiging advies",
    DocumentType.HERINNERING: "Herinnering adviestermijn",
    DocumentType.TERMIJN_VERSTREKEN: "Termijn verstreken",
    DocumentType.REACTIE_ADVIES: "Reactie op advies",
    DocumentType.INTERNE_ESCALATIE: "Interne escalatie",
    DocumentType.MEDEDELING_UITVOERING: "Mededeling uitvoering",
    DocumentType.VERLENGING_TERMIJN: "Verlenging termijn",
    DocumentType.INTREKKING: "Intrekking",
    DocumentType.UITNODIGING_RENOVATIE: "Uitnodiging bewonersbijeenkomst en bewonerspanel",
    DocumentType.PANEL_BEVESTIGING: "Bevestiging bewonerspanel",
    DocumentType.VERSLAG_BIJEENKOMST: "Verslag panelbijeenkomst",
    DocumentType.RENOVATIEVOORSTEL: "Renovatievoorstel",
    DocumentType.UITSLAG_DRAAGVLAK: "Uitslag draagvlakmeting",
    DocumentType.KENNISGEVING_70: "Kennisgeving: 70 procent heeft ingestemd",
    DocumentType.TERMIJN_KENNISGEVING: "Uw laatste dag voor de kantonrechter",
    DocumentType.HERINNERING_DRAAGVLAKMETING: "Herinnering renovatievoorstel",
    DocumentType.OPLEVERINGSBRIEF: "Oplevering en nieuwe huur",
    DocumentType.EVALUATIEVERSLAG: "Evaluatieverslag renovatie",
    DocumentType.OPHEFFING_PANEL: "Opheffing bewonerspanel",
    DocumentType.PRINTBESTAND: "Printbestand",
    DocumentType.UPLOAD: "Document",
    DocumentType.START_WERKZAAMHEDEN: "Start van de werkzaamheden",
}

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"

_STEP = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
_TRAJECTORY = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
DOCUMENT_ID = re.compile(r"^(?P<trajectory>[a-z0-9][a-z0-9-]{0,80})\.(?P<step>[a-z0-9][a-z0-9_-]{0,80})$")


def document_id(trajectory_id: str, step: str) -> str:
    """The public id of the document a trajectory produced at ``step``: stable across retries."""
    if not _TRAJECTORY.match(trajectory_id) or not _STEP.match(step):
        raise ValueError(f"invalid trajectory id or step: {trajectory_id!r}, {step!r}")
    return f"{trajectory_id}.{step}"


UPLOAD_STEP_PREFIX = "upload-"


def storage_key(doc_id: str) -> str:
    """The object key of a document; derived from its id so a retried activity overwrites its own object.

    A letter is a .docx; an upload keeps its bytes as handed in (its content type is in its metadata).
    """
    m = DOCUMENT_ID.match(doc_id)
    if not m:
        raise ValueError(f"invalid document id: {doc_id!r}")
    if m["step"].startswith(UPLOAD_STEP_PREFIX):
        return f"trajectories/{m['trajectory']}/{m['step']}"
    return f"trajectories/{m['trajectory']}/{m['step']}.docx"


class TemplateSource(StrEnum):
    """Where the template a document was rendered from came from."""

    BUILTIN = "builtin"  # templates/ in the release
    OVERRIDE_DIR = "override-dir"  # the installation's folder (INSPRAAK_TEMPLATES_OVERRIDE_DIR)
    STORE = "store"  # the object store, under INSPRAAK_TEMPLATES_OVERRIDE_PREFIX


class Visibility(StrEnum):
    """Who may read a document besides staff, who read everything."""

    ORGANISATION = "organisation"  # the trajectory's tenant organisation
    STAFF = "staff"  # staff only: internal memos, escalations
    HOUSEHOLD = "household"  # one household (and its organisation does not)


class DocumentRef(BaseModel):
    """What a workflow keeps of a document: never its bytes."""

    id: str
    type: DocumentType
    title: str
    trajectory_id: str
    organisation_id: str
    visibility: Visibility = Visibility.STAFF
    household_id: str | None = None
    key: str
    sha256: str
    size: int
    template_version: str
    created_at: datetime
    content_type: str = DOCX_CONTENT_TYPE
    # A default, so references kept by running workflows before overrides existed still load.
    template_source: TemplateSource = TemplateSource.BUILTIN
