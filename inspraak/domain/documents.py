"""Documents: their types, where they are kept, and the fields each letter template receives.

Every letter is a Word document rendered from ``templates/<type>.docx``. The context models below are
the one statement of which fields a template may use; ``inspraak templates check`` holds templates to it.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, Field

from inspraak.domain.households import RegisterRef


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
    PRINTBESTAND = "printbestand"  # the letters of a mail merge in one file, for the post room
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
    DocumentType.UITNODIGING_RENOVATIE: "Uitnodiging bewonersbijeenkomst en bewonerspanel",
    DocumentType.PANEL_BEVESTIGING: "Bevestiging bewonerspanel",
    DocumentType.VERSLAG_BIJEENKOMST: "Verslag panelbijeenkomst",
    DocumentType.RENOVATIEVOORSTEL: "Renovatievoorstel",
    DocumentType.UITSLAG_DRAAGVLAK: "Uitslag draagvlakmeting",
    DocumentType.PRINTBESTAND: "Printbestand",
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


# ---- renovation (domain brief 7.2, documents 1-3) ---------------------------------------------------------


class UitnodigingRenovatieBrief(Brief):
    """The invitation to every household of the complex (B2): one per household."""

    # Households have no agreement with us; the contact line says whom to reach.
    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    eenheid: str  # the household's unit id, to quote when signing up
    complex_naam: str
    complex_adres: str
    reden: str
    aftrap_datum: date
    aftrap_tijd: str  # "19.30 uur"
    aftrap_plaats: str
    panel_soort: str  # "bewonerscommissie", "klantenpanel", "klankbordgroep"
    wohv_rechten: bool  # the panel will be a bewonerscommissie with the rights of the Wohv
    aanmelden_voor: date
    contact: str


class Panellid(BaseModel):
    naam: str
    adres: str
    rol: str


class PanelBevestigingBrief(Brief):
    """The confirmation that the panel is constituted (B4): to every member and to the addressee organisation."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"behandelaar_email"})  # in the contact line

    complex_naam: str
    panel_soort: str
    wohv_rechten: bool
    opgericht_op: date
    leden: list[Panellid]
    faciliteiten: str
    werkafspraken: str
    advies_naar: str  # the organisation that receives the formal advice request
    advies_artikel: str
    contact: str


class RenovatievoorstelBrief(Brief):
    """The individual renovation proposal (BW 7:220 lid 2), one per household, with its reply slip."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    eenheid: str
    contractnummer: str
    complex_naam: str
    versie: int
    renovatie: str  # the works that improve the home (renovation)
    onderhoud: str  # the maintenance done at the same time
    planning: str
    bewoond: bool  # true: the works are done while the household stays in the home
    wisselwoning: str | None = None  # when unoccupied: the temporary home offered
    huur_nu: Decimal
    huur_nieuw: Decimal
    huurverhoging: Decimal
    huurverhoging_per: date
    verhuisvergoeding: Decimal | None = None  # BW 7:220 lid 5-6, the minimum of that year; when moving out
    verhuisvergoeding_van: date | None = None
    verhuisvergoeding_tot: date | None = None
    antwoorden_voor: date
    antwoordcode: str  # "ABCDE-FGHJK"; derived by the merge activity, never in the workflow
    antwoord_url: str
    drempel: int = 70
    minimum_woningen: int = 10
    bezwaar_weken: int = 8
    contact: str


class UitslagDraagvlakBrief(Brief):
    """The result of the vote (domain brief 7.2 document 8): to the advice addressee, filed for staff."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    complex_naam: str
    versie: int
    peildatum: date
    noemer_uitleg: str
    methode: str
    gesloten_op: date
    totaal: int
    ingestemd: int
    niet_ingestemd: int
    geen_reactie: int
    percentage: str  # "71,42"
    genoeg_woningen: bool
    bereikt: bool
    contact: str


class Afspraak(BaseModel):
    wat: str
    wie: str
    wanneer: date | None = None


class VerslagBijeenkomstBrief(Brief):
    """The minutes of a panel meeting (B5), from what staff entered."""

    complex_naam: str
    nummer: int
    gehouden_op: date
    plaats: str = ""
    aanwezigen: list[str]
    punten: list[str]
    afspraken: list[Afspraak] = []
    volgende_bijeenkomst: str | None = None


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
    DocumentType.UITNODIGING_RENOVATIE: UitnodigingRenovatieBrief,
    DocumentType.PANEL_BEVESTIGING: PanelBevestigingBrief,
    DocumentType.VERSLAG_BIJEENKOMST: VerslagBijeenkomstBrief,
    DocumentType.RENOVATIEVOORSTEL: RenovatievoorstelBrief,
    DocumentType.UITSLAG_DRAAGVLAK: UitslagDraagvlakBrief,
}
# The document types that are letters made from a template (an upload or a print file is not).
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
