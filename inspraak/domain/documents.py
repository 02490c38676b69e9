"""Documents: their types, where they are kept, and the fields each letter template receives.

Every letter is a Word document rendered from ``templates/<type>.docx``. The context models below are
the one statement of which fields a template may use; ``inspraak templates check`` holds templates to it.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, Field


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
    UPLOAD = "upload"  # a file staff or an organisation handed in (an original letter, an attachment)

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
    DocumentType.UPLOAD: "Document",
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


# ---- letter contexts ---------------------------------------------------------------------------
# Field names are Dutch because staff edit the templates in Word and read them there.


class Afzender(BaseModel):
    naam: str
    adres: str = ""
    postcode_plaats: str = ""
    telefoon: str = ""
    email: str = ""
    website: str = ""


class Geadresseerde(BaseModel):
    naam: str
    soort: str  # "huurdersorganisatie", "bewonerscommissie", "manager" ...
    ter_attentie_van: str = ""
    adres: str = ""
    postcode_plaats: str = ""


class Ondertekenaar(BaseModel):
    """One person who signs a letter, with the role printed under the name."""

    naam: str = Field(min_length=1, max_length=200)
    functie: str = Field(min_length=1, max_length=200)


class Brief(BaseModel):
    """The fields every letter has."""

    # Fields a template of this kind may leave out without the template check warning about them.
    template_may_omit: ClassVar[frozenset[str]] = frozenset()

    kenmerk: str
    datum: date
    afzender: Afzender
    geadresseerde: Geadresseerde
    onderwerp: str
    behandelaar: str
    behandelaar_email: str = ""
    overeenkomst: str | None = None  # the SOK clause, when one applies
    # Who signs, side by side (the corporation's signatories); empty: the behandelaar signs alone.
    ondertekening: list[Ondertekenaar] = Field(default=[], max_length=2)


class AdviesaanvraagBrief(Brief):
    categorie: str  # "b"
    categorie_omschrijving: str
    complexen: list[str] = []
    voornemen: str
    beweegredenen: str
    gevolgen_voor_huurders: str
    alternatieven: str | None = None
    bijlagen: list[str] = []
    informatie_verstrekt_op: date
    adviestermijn_einde: date
    adviestermijn_verlengd_reden: str | None = None
    overleg_aanbod: str | None = None
    vertrouwelijk: bool = False
    instemming_gevraagd: bool = False


class OntvangstbevestigingBrief(Brief):
    advies_datum: date | None = None
    advies_ontvangen_op: date
    adviespunten: list[str]
    uiterste_reactiedatum: date


class HerinneringBrief(Brief):
    informatie_verstrekt_op: date
    adviestermijn_einde: date
    dagen_resterend: int
    instemming_gevraagd: bool = False
    overleg_aanbod: str | None = None


class TermijnVerstrekenBrief(Brief):
    informatie_verstrekt_op: date
    adviestermijn_einde: date
    instemming_gevraagd: bool = False


class Adviespunt(BaseModel):
    nummer: int
    samenvatting: str
    overgenomen: str  # "ja" | "deels" | "nee"
    motivering: str = ""


class ReactieBrief(Brief):
    advies_ontvangen_op: date
    besluit: str  # "gevolgd" | "deels gevolgd" | "niet gevolgd"
    advies_gevolgd: bool
    punten: list[Adviespunt]
    toelichting: str | None = None
    vroegste_uitvoeringsdatum: date


class EscalatieBrief(Brief):
    """An internal memo to staff: not signed on the corporation's behalf."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"ondertekening"})

    reden: str
    termijn: str
    termijn_artikel: str
    termijn_einde: date
    traject_onderwerp: str
    organisatie: str
    staat: str
    actie: str


class UitvoeringBrief(Brief):
    uitgevoerd_op: date
    grondslag: str  # the ground of art. 5 lid 3 or 5a, in Dutch
    toelichting: str | None = None


class VerlengingBrief(Brief):
    informatie_verstrekt_op: date
    oude_einddatum: date
    nieuwe_einddatum: date
    reden: str
    instemming_gevraagd: bool = False


class IntrekkingBrief(Brief):
    informatie_verstrekt_op: date
    reden: str
    instemming_gevraagd: bool = False


LETTER_CONTEXTS: dict[DocumentType, type[Brief]] = {
    DocumentType.ADVIESAANVRAAG: AdviesaanvraagBrief,
    DocumentType.ONTVANGSTBEVESTIGING_ADVIES: OntvangstbevestigingBrief,
    DocumentType.HERINNERING: HerinneringBrief,
    DocumentType.TERMIJN_VERSTREKEN: TermijnVerstrekenBrief,
    DocumentType.REACTIE_ADVIES: ReactieBrief,
    DocumentType.INTERNE_ESCALATIE: EscalatieBrief,
    DocumentType.MEDEDELING_UITVOERING: UitvoeringBrief,
    DocumentType.VERLENGING_TERMIJN: VerlengingBrief,
    DocumentType.INTREKKING: IntrekkingBrief,
}
# The document types that are letters made from a template (an upload is not).
LETTER_TYPES: tuple[DocumentType, ...] = tuple(LETTER_CONTEXTS)


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
