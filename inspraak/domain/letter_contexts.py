"""The fields each letter template receives: one context model per letter, the one statement of which fields
a template may use (``inspraak templates check`` holds templates to it).
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, Field

from inspraak.domain.documents import DocumentType

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


class HerinneringDraagvlakmetingBrief(Brief):
    """The paper reminder to a home that has not answered the proposal and gave no e-mail address (the mail
    reminder's twin): the reply date, what not answering means, and its reply code again."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    eenheid: str
    complex_naam: str
    versie: int
    verzonden_op: date  # the day the proposal went out
    antwoorden_voor: date
    antwoordcode: str  # "ABCDE-FGHJK"; derived by the merge activity, never in the workflow
    antwoord_url: str
    drempel: int = 70
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
    allen_ingestemd: bool = False  # every home agreed: ready for the works without the presumption (lid 2)
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


class Kennisgeving70Brief(Brief):
    """The kennisgeving to a home that did not agree (domain brief 7.2 document 9; BW 7:220 lid 3), by
    registered mail: 70% agreed, and its own 8 weeks to ask the kantonrechter, counted from its receipt."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    eenheid: str
    contractnummer: str
    complex_naam: str
    versie: int
    gesloten_op: date
    totaal: int
    ingestemd: int
    percentage: str  # "72,50"
    drempel: int = 70
    bezwaar_weken: int = 8
    ontvangst_verwacht: date  # the day the letter is expected to arrive (registered mail)
    termijn_einde: date  # the last day of the 8 weeks when it arrives that day, as the Atw moves it
    termijn_verlengd_reden: str | None = None
    contact: str


class TermijnKennisgevingBrief(Brief):
    """After staff recorded a home's receipt of the kennisgeving: the day it was recorded as received, and the
    exact last day of its 8 weeks to ask the kantonrechter (BW 7:220 lid 3), as the Atw moved it."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    eenheid: str
    contractnummer: str
    complex_naam: str
    verzonden_op: date  # the day the kennisgeving went out by registered mail
    ontvangen_op: date  # the receipt date staff recorded
    termijn_einde: date  # the term's due_on: the last day, after the Algemene termijnenwet
    termijn_zonder_verlenging: date | None = None  # the 8 weeks' own end, when the Atw moved it
    bezwaar_weken: int = 8
    artikel: str = "artikel 7:220 lid 3 Burgerlijk Wetboek"
    contact: str


# ---- renovation: execution to dissolution (domain brief 7.2, documents 10 and 11) ---------------------------


class OpleveringBrief(Brief):
    """The completion letter to one household (B19): its own new rent and the 3 months of BW 7:255 lid 2."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    eenheid: str
    contractnummer: str
    complex_naam: str
    opgeleverd_op: date
    huur_nu: Decimal
    huur_nieuw: Decimal
    huurverhoging: Decimal
    huur_nieuw_per: date
    huurcommissie_uiterlijk: date  # the last day of the 3 months (the Atw may have moved it)
    artikel: str = "artikel 7:255 lid 2 Burgerlijk Wetboek"
    contact: str


class EvaluatieverslagBrief(Brief):
    """The report of the evaluation with the panel (B21), from what staff entered, with the project in numbers."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"behandelaar_email"})

    complex_naam: str
    gehouden_op: date
    plaats: str = ""
    aanwezigen: list[str]
    goed: list[str] = []
    beter: list[str] = []
    afspraken: list[Afspraak] = []
    woningen: int
    opgeleverd: int
    huur_afgesproken: int
    huur_huurcommissie: int
    huur_termijn_verstreken: int


class OpheffingPanelBrief(Brief):
    """The dissolution letter (B22, and after a stop B17) to every panel member and a copy to the organisation.
    For a bewonerscommissie under the Wohv only the project arrangement ends: the commissie itself continues."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    complex_naam: str
    panel_soort: str
    panel_lidwoord: str  # "het klantenpanel", "de klankbordgroep", "de bewonerscommissie"
    bc_wohv: bool
    opgericht_op: date
    opgeheven_op: date
    bijeenkomsten: int
    archief: str
    persoonlijk: str = ""
    contact: str
    # After a stop (B17): the project stopped for ``reden`` (staff's words); the personal data is kept until
    # ``bewaard_tot`` (the retention term's last day), then erased. ``archief`` is empty then.
    gestopt: bool = False
    reden: str = ""
    bewaard_tot: date | None = None


class StartWerkzaamhedenBrief(Brief):
    """To every home whose works start (B18): the start date, the schedule, what to expect; done unoccupied, the
    wisselwoning and the moving allowance confirmed at the start (BW 7:220 lid 5-6)."""

    template_may_omit: ClassVar[frozenset[str]] = frozenset({"overeenkomst", "behandelaar_email"})

    eenheid: str
    contractnummer: str
    complex_naam: str
    gestart_op: date
    renovatie: str
    planning: str = ""
    bewoond: bool
    wisselwoning: str = ""
    verhuisvergoeding: Decimal | None = None
    verhuisvergoeding_jaar: int | None = None  # the year of the statutory minimum it is (BW 7:220 lid 6)
    artikel_verhuisvergoeding: str = "artikel 7:220 lid 5 Burgerlijk Wetboek"
    contact: str


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
    DocumentType.KENNISGEVING_70: Kennisgeving70Brief,
    DocumentType.TERMIJN_KENNISGEVING: TermijnKennisgevingBrief,
    DocumentType.HERINNERING_DRAAGVLAKMETING: HerinneringDraagvlakmetingBrief,
    DocumentType.OPLEVERINGSBRIEF: OpleveringBrief,
    DocumentType.EVALUATIEVERSLAG: EvaluatieverslagBrief,
    DocumentType.OPHEFFING_PANEL: OpheffingPanelBrief,
    DocumentType.START_WERKZAAMHEDEN: StartWerkzaamhedenBrief,
}
# The document types that are letters made from a template (an upload or a print file is not).
LETTER_TYPES: tuple[DocumentType, ...] = tuple(LETTER_CONTEXTS)
