"""Write the first version of the letter templates: ``templates/<document type>.docx``.

The committed .docx files are the source of truth: staff edit them in Word afterwards. This script
only makes the first version, so it refuses to overwrite a template unless ``--force`` is given.

Templates use docxtpl's Jinja tags: ``{{ veld }}`` for a value, ``{%p if ... %}`` on a paragraph of
its own for an optional paragraph, ``{%tr for p in punten %}`` on a table row of its own for a table
row per item. Dates go through the ``datum`` filter ("3 januari 2027"). The fields each template may
use are the context models in ``inspraak/domain/documents.py``; ``inspraak templates check`` holds the
templates to them.

Usage: ``python scripts/build_templates.py [--out templates] [--force] [--only adviesaanvraag ...]``
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import _Header
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspraak.domain.documents import DocumentType  # noqa: E402

FONT = "Calibri"
FONT_SIZE = Pt(11)
SMALL = Pt(9)
BRAND = RGBColor(0x1F, 0x5C, 0x63)  # dark teal, the corporation's colour in the letterhead
GREY = RGBColor(0x59, 0x59, 0x59)
TAG_GREY = RGBColor(0x80, 0x80, 0x80)
TEXT_WIDTH = Cm(16)  # A4 minus 2 x 2.5 cm margins
# Fixed times keep a rebuild byte-identical, so the template version only changes when content does.
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

KEEP_STYLES = {
    "Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid",
    "Header", "HeaderChar", "Footer", "FooterChar",
    "Heading1", "Heading1Char", "Heading2", "Heading2Char",
    "ListParagraph", "ListBullet", "ListNumber",
}

Container = DocxDocument | _Cell | _Header
Run = str | tuple[str, str]  # text, or (text, "b") for bold, (text, "i") for italic


# ---- document set-up ----------------------------------------------------------------------------


def _set_fonts(rpr_parent: object, name: str = FONT) -> None:
    """Set an explicit font on a style or defaults element, dropping theme fonts (they win in Word)."""
    rpr = rpr_parent.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _prune_package(doc: DocxDocument) -> None:
    """Drop what python-docx's default template carries but a letter does not need (keeps files small)."""
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            del doc.part.rels[rel_id]
    package_rels = doc.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[rel_id]
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEEP_STYLES:
            styles.remove(style)


def _styles(doc: DocxDocument) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "nl-NL")
    lang.set(qn("w:eastAsia"), "nl-NL")

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = FONT_SIZE
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.widow_control = True

    headings = (("Heading 1", Pt(14), Pt(0), Pt(12)), ("Heading 2", FONT_SIZE, Pt(10), Pt(3)))
    for name, size, before, after in headings:
        style = doc.styles[name]
        _set_fonts(style.element)
        style.font.size = size
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = BRAND if name == "Heading 1" else RGBColor(0, 0, 0)
        style.paragraph_format.space_before = before
        style.paragraph_format.space_after = after
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.line_spacing = 1.15
        # The heading character styles carry their own theme fonts and colours; keep them in step.
        char = doc.styles[name + " Char"]
        _set_fonts(char.element)
        char.font.size = size
        char.font.color.rgb = style.font.color.rgb

    for name in ("Header", "Footer"):
        style = doc.styles[name]
        style.font.size = SMALL
        style.font.color.rgb = GREY
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = 1.0

    for name in ("List Bullet", "List Number"):
        style = doc.styles[name]
        style.paragraph_format.space_after = Pt(3)

    address = doc.styles.add_style("Adresblok", WD_STYLE_TYPE.PARAGRAPH)
    address.base_style = normal
    address.paragraph_format.space_after = Pt(0)
    address.paragraph_format.line_spacing = 1.0
    address.quick_style = True

    table_text = doc.styles.add_style("Tabeltekst", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(10)
    table_text.paragraph_format.space_after = Pt(2)
    table_text.paragraph_format.line_spacing = 1.0
    table_text.quick_style = True


def _settings(doc: DocxDocument) -> None:
    settings = doc.settings.element
    for tag, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        el = settings.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), value)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "nl-NL")
    preview = settings.find(qn("w:savePreviewPicture"))
    if preview is not None:
        settings.remove(preview)


def _core_properties(doc: DocxDocument, doc_type: DocumentType) -> None:
    core = doc.core_properties
    core.title = "{{ onderwerp }}"
    core.subject = doc_type.title
    core.author = "{{ afzender.naam }}"
    core.comments = ""
    core.keywords = ""
    core.last_modified_by = ""
    core.language = "nl-NL"
    core.revision = 1
    core.created = FIXED_TIME
    core.modified = FIXED_TIME


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width = Cm(21)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(2.2)
    section.bottom_margin = Cm(2.0)
    section.left_margin = Cm(2.5)
    section.right_margin = Cm(2.5)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)


def new_document(doc_type: DocumentType) -> DocxDocument:
    doc = Document()
    _prune_package(doc)
    _styles(doc)
    _settings(doc)
    _core_properties(doc, doc_type)
    _page(doc)
    return doc


# ---- writing helpers ----------------------------------------------------------------------------


def para(container: Container, *runs: Run, style: str | None = None,
         align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    """A paragraph of runs; each tag stays inside one run, so docxtpl and Word keep it whole."""
    p = container.add_paragraph(style=style)
    for run in runs:
        text, fmt = (run, "") if isinstance(run, str) else run
        r = p.add_run(text)
        r.bold = "b" in fmt or None
        r.italic = "i" in fmt or None
    if align is not None:
        p.alignment = align
    return p


def tag(container: Container, text: str) -> Paragraph:
    """A paragraph holding only a ``{%p ... %}`` tag: docxtpl removes the whole paragraph."""
    p = container.add_paragraph()
    r = p.add_run(text)
    r.font.size = SMALL
    r.font.color.rgb = TAG_GREY
    p.paragraph_format.space_after = Pt(0)
    return p


def heading(doc: DocxDocument, text: str) -> Paragraph:
    return doc.add_paragraph(text, style="Heading 2")


def bullets(doc: DocxDocument, loop: str, item: str, numbered: bool = False) -> None:
    tag(doc, "{%p for " + loop + " %}")
    para(doc, item, style="List Number" if numbered else "List Bullet")
    tag(doc, "{%p endfor %}")


def _field(paragraph: Paragraph, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _cell_width(cell: _Cell, width: Length) -> None:
    cell.width = width


def _column_widths(table: Table, widths: Iterable[Length]) -> None:
    # Word reads the cell widths, LibreOffice the grid: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cell_margins(table: Table, left_right: int = 0) -> None:
    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(left_right))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.append(mar)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


def _cell_text(cell: _Cell, *runs: Run, style: str = "Tabeltekst") -> None:
    p = cell.paragraphs[0]
    p.style = style  # type: ignore[assignment]  # python-docx looks a style up by its name
    for run in runs:
        text, fmt = (run, "") if isinstance(run, str) else run
        r = p.add_run(text)
        r.bold = "b" in fmt or None


def fields_table(doc: DocxDocument, rows: Iterable[tuple[str, Run]], label_width: float = 3.4,
                 air: bool = True) -> Table:
    """Label/value rows without borders: the "Datum:", "Kenmerk:", "Onderwerp:" block."""
    rows = list(rows)
    table = doc.add_table(rows=len(rows), cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    _no_borders(table)
    _cell_margins(table)
    widths = (Cm(label_width), Cm(TEXT_WIDTH.cm - label_width))
    _column_widths(table, widths)
    for row, (label, value) in zip(table.rows, rows, strict=True):
        for cell, width in zip(row.cells, widths, strict=True):
            _cell_width(cell, width)
        _cell_text(row.cells[0], label, style="Adresblok")
        _cell_text(row.cells[1], value, style="Adresblok")
    if air:
        doc.add_paragraph()  # air between the block and what follows
    return table


# ---- parts every letter shares ------------------------------------------------------------------


def letterhead(doc: DocxDocument) -> None:
    """First page: the sender block (afzender) top right; later pages: name and kenmerk; page numbers."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True

    first = section.first_page_header
    p = first.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = p.add_run("{{ afzender.naam }}")
    r.bold = True
    r.font.size = Pt(14)
    r.font.color.rgb = BRAND
    # One paragraph with line breaks: a line whose field is empty disappears with its {% if %}.
    p = para(first, style="Header", align=WD_ALIGN_PARAGRAPH.RIGHT)
    lines = ("{% if afzender.adres %}", "{{ afzender.adres }}{% endif %}",
             "{% if afzender.postcode_plaats %}", "{{ afzender.postcode_plaats }}{% endif %}",
             "{% if afzender.telefoon %}", "T {{ afzender.telefoon }}{% endif %}",
             "{% if afzender.email %}", "{{ afzender.email }}{% endif %}",
             "{% if afzender.website %}", "{{ afzender.website }}{% endif %}")
    for n, text in enumerate(lines):
        if n % 2 and n > 1:
            p.add_run().add_break()
        p.add_run(text)
    first.add_paragraph(style="Header")

    later = section.header
    p = later.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("{{ afzender.naam }} · kenmerk {{ kenmerk }}")
    later.add_paragraph(style="Header")

    for footer in (section.first_page_footer, section.footer):
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run("pagina ")
        _field(p, "PAGE")
        p.add_run(" van ")
        _field(p, "NUMPAGES")


def addressee(doc: DocxDocument, *, confidential: bool = False) -> None:
    """The addressee block (geadresseerde) and the Datum/Kenmerk/Onderwerp block."""
    if confidential:
        tag(doc, "{%p if vertrouwelijk %}")
        p = para(doc, ("VERTROUWELIJK", "b"))
        p.paragraph_format.space_after = Pt(6)
        tag(doc, "{%p endif %}")
    para(doc, "{{ geadresseerde.naam }}", style="Adresblok")
    tag(doc, "{%p if geadresseerde.ter_attentie_van %}")
    para(doc, "t.a.v. {{ geadresseerde.ter_attentie_van }}", style="Adresblok")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if geadresseerde.adres %}")
    para(doc, "{{ geadresseerde.adres }}", style="Adresblok")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if geadresseerde.postcode_plaats %}")
    para(doc, "{{ geadresseerde.postcode_plaats }}", style="Adresblok")
    tag(doc, "{%p endif %}")
    doc.add_paragraph(style="Adresblok")
    doc.add_paragraph(style="Adresblok")
    fields_table(doc, [
        ("Datum:", "{{ datum|datum }}"),
        ("Kenmerk:", "{{ kenmerk }}"),
        ("Onderwerp:", ("{{ onderwerp }}", "b")),
        ("Behandeld door:", "{{ behandelaar }}"),
    ])


def salutation(doc: DocxDocument) -> None:
    para(doc, '{% if geadresseerde.soort == "bewonerscommissie" %}Geachte leden van de bewonerscommissie,'
              "{% else %}Geacht bestuur,{% endif %}")


def agreement(doc: DocxDocument) -> None:
    tag(doc, "{%p if overeenkomst %}")
    para(doc, "Voor deze procedure gelden ook de afspraken in {{ overeenkomst }}.")
    tag(doc, "{%p endif %}")


def closing(doc: DocxDocument, question: str = "Hebt u vragen over deze brief?") -> None:
    para(doc, question + " Neem dan contact op met {{ behandelaar }}"
         "{% if behandelaar_email %} via {{ behandelaar_email }}{% endif %}"
         "{% if afzender.telefoon %} of telefonisch via {{ afzender.telefoon }}{% endif %}.")
    p = para(doc, "Met vriendelijke groet,")
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.keep_with_next = True
    # One paragraph kept together, so the signature never splits over two pages.
    p = para(doc, "{{ afzender.naam }}")
    for _ in range(4):
        p.add_run().add_break()
    p.add_run("{{ behandelaar }}")
    p.paragraph_format.keep_together = True


def wohv_intro() -> str:
    return "Wet op het overleg huurders verhuurder (hierna: Wohv)"


# ---- the letters --------------------------------------------------------------------------------


def adviesaanvraag(doc: DocxDocument) -> None:
    letterhead(doc)
    addressee(doc, confidential=True)
    salutation(doc)
    para(doc, "Met deze brief informeren wij u over een voorgenomen wijziging van ons beleid en vragen wij u "
              "om {% if instemming_gevraagd %}instemming{% else %}advies{% endif %}. Wij doen dat op grond "
              "van artikel 4 van de " + wohv_intro() + ". Het voornemen valt onder onderwerp "
              "{{ categorie }} van artikel 3 lid 2 Wohv: {{ categorie_omschrijving }}.")

    heading(doc, "Ons voornemen")
    para(doc, "{{ voornemen|alineas }}")
    tag(doc, "{%p if complexen %}")
    para(doc, "Het voornemen betreft:")
    bullets(doc, "complex in complexen", "{{ complex }}")
    tag(doc, "{%p endif %}")

    heading(doc, "Beweegredenen (artikel 4 lid 2 Wohv)")
    para(doc, "{{ beweegredenen|alineas }}")

    heading(doc, "Gevolgen voor de huurders (artikel 4 lid 2 Wohv)")
    para(doc, "{{ gevolgen_voor_huurders|alineas }}")

    tag(doc, "{%p if alternatieven %}")
    heading(doc, "Overwogen alternatieven")
    para(doc, "{{ alternatieven|alineas }}")
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if instemming_gevraagd %}")
    heading(doc, "Uw instemming (artikel 5a Wohv)")
    para(doc, "Een wijziging van ons beleid over de servicekosten voeren wij op grond van artikel 5a Wohv "
              "alleen uit als u daar vooraf mee hebt ingestemd. Wij hebben u de informatie over dit "
              "voornemen verstrekt op {{ informatie_verstrekt_op|datum }}. Wij stellen u in de gelegenheid "
              "om hierover met ons overleg te voeren (artikel 5 lid 1 Wohv) en ontvangen uw schriftelijke "
              "reactie graag uiterlijk op ", ("{{ adviestermijn_einde|datum_lang }}", "b"),
         ". Zonder uw instemming voeren wij het voornemen niet uit.")
    tag(doc, "{%p else %}")
    heading(doc, "Adviestermijn (artikel 5 lid 1 Wohv)")
    para(doc, "Op grond van artikel 5 lid 1 Wohv stellen wij u in de gelegenheid om binnen een termijn van "
              "ten minste zes weken met ons over dit voornemen overleg te voeren en schriftelijk advies uit "
              "te brengen. De termijn loopt vanaf {{ informatie_verstrekt_op|datum }}, de dag waarop wij u "
              "de informatie hebben verstrekt. Wij ontvangen uw advies graag uiterlijk op ",
         ("{{ adviestermijn_einde|datum_lang }}", "b"), ".")
    para(doc, "Wij voeren het voornemen niet uit voordat deze termijn is verstreken, tenzij u ons eerder "
              "schriftelijk laat weten dat u geen bezwaar hebt (artikel 5 lid 3 Wohv). Volgen wij uw advies "
              "niet of niet helemaal, dan laten wij u binnen veertien dagen na ontvangst schriftelijk weten "
              "waarom (artikel 5 lid 2 Wohv).")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if adviestermijn_verlengd_reden %}")
    para(doc, "De termijn zou eindigen op een dag waarop niet gewerkt wordt ({{ adviestermijn_verlengd_reden }}). "
              "Daarom loopt de termijn door tot en met de eerstvolgende werkdag (artikel 1 Algemene termijnenwet).")
    tag(doc, "{%p endif %}")

    heading(doc, "Overleg")
    tag(doc, "{%p if overleg_aanbod %}")
    para(doc, "Wij bespreken het voornemen graag met u voordat u {% if instemming_gevraagd %}reageert"
              "{% else %}advies uitbrengt{% endif %}. Wij stellen voor: {{ overleg_aanbod }}. "
              "Wilt u ons laten weten welk moment u het beste past?")
    tag(doc, "{%p else %}")
    para(doc, "Wilt u het voornemen met ons bespreken voordat u {% if instemming_gevraagd %}reageert"
              "{% else %}advies uitbrengt{% endif %}? Laat het ons weten; wij plannen het overleg dan "
              "binnen de termijn (artikel 5b lid 2 Wohv).")
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if vertrouwelijk %}")
    heading(doc, "Vertrouwelijkheid (artikel 3 lid 3 Wohv)")
    para(doc, "Wij verstrekken u een deel van de informatie in deze brief en de bijlagen vertrouwelijk. "
              "Artikel 3 lid 3 Wohv verplicht ons niet om informatie te verstrekken waartegen ons "
              "bedrijfsbelang zich verzet. Wij delen deze informatie toch met u, zodat u een goed "
              "onderbouwd {% if instemming_gevraagd %}oordeel{% else %}advies{% endif %} kunt geven. Wij "
              "vragen u de informatie vertrouwelijk te behandelen en niet te delen buiten uw "
              "{% if geadresseerde.soort == \"bewonerscommissie\" %}commissie{% else %}bestuur{% endif %}.")
    tag(doc, "{%p endif %}")

    heading(doc, "Rechtsgrond")
    para(doc, "Wij doen deze {% if instemming_gevraagd %}aanvraag om instemming{% else %}adviesaanvraag"
              "{% endif %} op grond van de artikelen 3, 4 en 5{% if instemming_gevraagd %} en 5a{% endif %} "
              "Wohv{% if overeenkomst %} en {{ overeenkomst }}{% endif %}.")

    closing(doc, "Hebt u vragen over deze {% if instemming_gevraagd %}aanvraag{% else %}adviesaanvraag"
                 "{% endif %}?")

    tag(doc, "{%p if bijlagen %}")
    p = para(doc, ("Bijlagen", "b"))
    p.paragraph_format.space_before = Pt(18)
    p.paragraph_format.space_after = Pt(3)
    bullets(doc, "bijlage in bijlagen", "{{ bijlage }}")
    tag(doc, "{%p endif %}")


def ontvangstbevestiging_advies(doc: DocxDocument) -> None:
    letterhead(doc)
    addressee(doc)
    salutation(doc)
    para(doc, "Op {{ advies_ontvangen_op|datum }} hebben wij uw schriftelijke advies"
              "{% if advies_datum %} van {{ advies_datum|datum }}{% endif %} over ons voornemen ontvangen. "
              "Hartelijk dank voor de tijd en aandacht die u eraan hebt besteed.")
    para(doc, "Wij hebben de volgende adviespunten van u genoteerd:")
    bullets(doc, "punt in adviespunten", "{{ punt }}", numbered=True)
    heading(doc, "Hoe gaat het verder?")
    para(doc, "Wij bestuderen uw advies zorgvuldig en laten u weten wat wij ermee doen. Volgen wij uw advies "
              "niet of niet helemaal, dan laten wij u op grond van artikel 5 lid 2 van de " + wohv_intro()
         + " binnen veertien dagen na ontvangst schriftelijk en gemotiveerd weten waarom. U ontvangt onze "
           "reactie daarom uiterlijk op ", ("{{ uiterste_reactiedatum|datum_lang }}", "b"), ".")
    para(doc, "In dat geval voeren wij het besluit niet eerder uit dan drie dagen nadat u onze reactie hebt "
              "ontvangen (artikel 5 lid 3 onder c Wohv).")
    agreement(doc)
    closing(doc)


def herinnering(doc: DocxDocument) -> None:
    letterhead(doc)
    addressee(doc)
    salutation(doc)
    para(doc, "Op {{ informatie_verstrekt_op|datum }} hebben wij u gevraagd om "
              "{% if instemming_gevraagd %}instemming met{% else %}advies over{% endif %} ons voornemen. "
              "Wij hebben uw {% if instemming_gevraagd %}reactie{% else %}advies{% endif %} nog niet "
              "ontvangen. Met deze brief herinneren wij u eraan dat de termijn die wij daarvoor op grond van "
              "artikel 5 lid 1 van de " + wohv_intro() + " hebben gesteld over {{ dagen_resterend }} "
              "{% if dagen_resterend == 1 %}dag{% else %}dagen{% endif %} afloopt, op ",
         ("{{ adviestermijn_einde|datum_lang }}", "b"), ".")
    tag(doc, "{%p if instemming_gevraagd %}")
    para(doc, "Voor een wijziging van ons beleid over de servicekosten hebben wij uw voorafgaande instemming "
              "nodig (artikel 5a Wohv). Zonder uw instemming voeren wij het voornemen niet uit.")
    tag(doc, "{%p else %}")
    para(doc, "Ontvangen wij voor die datum geen advies van u, dan mogen wij het voornemen na afloop van de "
              "termijn uitvoeren (artikel 5 lid 3 onder b Wohv). Hebt u geen bezwaar tegen het voornemen, "
              "dan kunt u ons dat ook nu al schriftelijk laten weten.")
    tag(doc, "{%p endif %}")
    heading(doc, "Overleg")
    tag(doc, "{%p if overleg_aanbod %}")
    para(doc, "Wilt u het voornemen eerst met ons bespreken? Wij stellen voor: {{ overleg_aanbod }}. "
              "Laat u ons weten welk moment u past?")
    tag(doc, "{%p else %}")
    para(doc, "Wilt u het voornemen eerst met ons bespreken? Laat het ons dan weten; wij plannen het overleg "
              "graag voor het einde van de termijn.")
    tag(doc, "{%p endif %}")
    agreement(doc)
    closing(doc)


def termijn_verstreken(doc: DocxDocument) -> None:
    letterhead(doc)
    addressee(doc)
    salutation(doc)
    tag(doc, "{%p if instemming_gevraagd %}")
    para(doc, "Op {{ informatie_verstrekt_op|datum }} hebben wij u gevraagd om instemming met ons voornemen. "
              "De termijn die wij daarvoor hebben gesteld, is op {{ adviestermijn_einde|datum }} verstreken "
              "zonder dat wij uw instemming hebben ontvangen.")
    para(doc, "Voor een wijziging van ons beleid over de servicekosten hebben wij uw voorafgaande instemming "
              "nodig (artikel 5a van de " + wohv_intro() + "). Dat de termijn is verstreken, betekent niet "
              "dat u hebt ingestemd: er geldt niets als instemming. Anders dan bij een adviesaanvraag "
              "(artikel 5 lid 3 onder b Wohv) voeren wij het voornemen dus niet uit.")
    para(doc, "Omdat wij geen instemming hebben, nemen wij binnenkort contact met u op om te bespreken hoe "
              "wij verder gaan, bijvoorbeeld met een nieuw overleg of een aangepast voorstel.")
    tag(doc, "{%p else %}")
    para(doc, "Op {{ informatie_verstrekt_op|datum }} hebben wij u om advies gevraagd over ons voornemen. "
              "De adviestermijn is op {{ adviestermijn_einde|datum }} verstreken zonder dat wij uw "
              "schriftelijke advies hebben ontvangen.")
    para(doc, "Op grond van artikel 5 lid 3 onder b van de " + wohv_intro() + " mogen wij het voornemen "
              "na afloop van de adviestermijn uitvoeren. Met deze brief laten wij u weten dat wij dat gaan "
              "doen.")
    para(doc, "Wij houden u op de hoogte van de uitvoering. Hebt u daarover vragen of opmerkingen, dan "
              "bespreken wij die graag met u.")
    tag(doc, "{%p endif %}")
    agreement(doc)
    closing(doc)


def reactie_advies(doc: DocxDocument) -> None:
    letterhead(doc)
    addressee(doc)
    salutation(doc)
    para(doc, "Op {{ advies_ontvangen_op|datum }} hebben wij uw schriftelijke advies over ons voornemen "
              "ontvangen. Hartelijk dank daarvoor. In deze brief laten wij u weten wat wij met uw advies "
              "doen.")
    tag(doc, "{%p if not advies_gevolgd %}")
    para(doc, "Volgen wij een advies niet of niet helemaal, dan geven wij u op grond van artikel 5 lid 2 van "
              "de " + wohv_intro() + " binnen veertien dagen na ontvangst schriftelijk de redenen daarvan. "
              "Dat doen wij met deze brief.")
    tag(doc, "{%p endif %}")

    heading(doc, "Ons besluit")
    para(doc, "Wij hebben uw advies ", ("{{ besluit }}", "b"), ".")
    tag(doc, "{%p if toelichting %}")
    para(doc, "{{ toelichting|alineas }}")
    tag(doc, "{%p endif %}")

    heading(doc, "Uw adviespunten")
    para(doc, "Hieronder leest u per adviespunt of wij het overnemen{% if not advies_gevolgd %} en, waar dat "
              "niet of niet helemaal zo is, waarom niet{% endif %}.")
    widths = (Cm(1.1), Cm(4.8), Cm(3.2), Cm(6.9))
    table = doc.add_table(rows=4, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    _column_widths(table, widths)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            _cell_width(cell, width)
    head = table.rows[0]
    _repeat_header(head)
    for cell, label in zip(head.cells, ("Nr.", "Uw advies", "Overgenomen", "Onze reactie"), strict=True):
        _cell_text(cell, (label, "b"))
        _shade(cell, "DCE6E7")
    _cell_text(table.rows[1].cells[0], "{%tr for p in punten %}")
    body = table.rows[2].cells
    _cell_text(body[0], "{{ p.nummer }}")
    _cell_text(body[1], "{{ p.samenvatting|alineas }}")
    _cell_text(body[2], "{{ p.overgenomen|capitalize }}")
    _cell_text(body[3], "{{ p.motivering|alineas if p.motivering else \"–\" }}")
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")

    heading(doc, "Wanneer voeren wij het besluit uit?")
    tag(doc, "{%p if advies_gevolgd %}")
    para(doc, "Omdat wij uw advies volgen, kunnen wij het besluit uitvoeren. Wij doen dat vanaf ",
         ("{{ vroegste_uitvoeringsdatum|datum }}", "b"), ".")
    tag(doc, "{%p else %}")
    para(doc, "Op grond van artikel 5 lid 3 onder c Wohv voeren wij het besluit niet eerder uit dan drie "
              "dagen nadat u deze brief hebt ontvangen, en in geen geval vóór ",
         ("{{ vroegste_uitvoeringsdatum|datum_lang }}", "b"), ".")
    tag(doc, "{%p endif %}")

    heading(doc, "Bent u het niet eens met ons besluit?")
    para(doc, "Vindt u dat wij de Wohv niet goed hebben toegepast, dan kunt u het geschil voorleggen aan de "
              "Huurcommissie of aan de kantonrechter (artikel 8 lid 1 Wohv). De kantonrechter kan bepalen "
              "dat wij een besluit dat afwijkt van uw advies niet mogen uitvoeren, als wij het niet hebben "
              "gemotiveerd of in redelijkheid niet tot dat besluit hadden kunnen komen (artikel 8 lid 3 "
              "Wohv).")
    para(doc, "Een uitspraak van de Huurcommissie geldt als afspraak tussen ons, tenzij een van ons binnen "
              "acht weken nadat een afschrift van de uitspraak is verzonden de kantonrechter om een "
              "beslissing vraagt (artikel 8a Wohv). Wij gaan natuurlijk het liefst eerst met u in gesprek.")
    agreement(doc)
    closing(doc)


def interne_escalatie(doc: DocxDocument) -> None:
    letterhead(doc)
    p = doc.add_paragraph("Interne notitie", style="Heading 1")
    p.paragraph_format.space_after = Pt(6)
    para(doc, ("Alleen voor intern gebruik", "i"))
    fields_table(doc, [
        ("Aan:", "{{ geadresseerde.naam }}{% if geadresseerde.ter_attentie_van %}, "
                 "{{ geadresseerde.ter_attentie_van }}{% endif %}"),
        ("Van:", "{{ behandelaar }}{% if behandelaar_email %} ({{ behandelaar_email }}){% endif %}"),
        ("Datum:", "{{ datum|datum }}"),
        ("Kenmerk:", "{{ kenmerk }}"),
        ("Onderwerp:", ("{{ onderwerp }}", "b")),
    ], label_width=3.6)

    heading(doc, "Waarom deze escalatie")
    para(doc, "{{ reden|alineas }}")

    heading(doc, "Termijn")
    para(doc, "De {{ termijn }} ({{ termijn_artikel }}) eindigt op ",
         ("{{ termijn_einde|datum_lang }}", "b"), ".")

    heading(doc, "Traject")
    fields_table(doc, [
        ("Onderwerp:", "{{ traject_onderwerp }}"),
        ("Organisatie:", "{{ organisatie }}"),
        ("Stand van zaken:", "{{ staat }}"),
    ], label_width=3.6, air=False)
    tag(doc, "{%p if overeenkomst %}")
    p = para(doc, "Afspraken met de organisatie: {{ overeenkomst }}.")
    p.paragraph_format.space_before = Pt(6)
    tag(doc, "{%p endif %}")

    heading(doc, "Gevraagde actie")
    para(doc, "{{ actie|alineas }}")
    p = para(doc, ("Deze notitie is aangemaakt door Inspraak voor {{ afzender.naam }}.", "i"))
    p.paragraph_format.space_before = Pt(12)


def mededeling_uitvoering(doc: DocxDocument) -> None:
    letterhead(doc)
    addressee(doc)
    salutation(doc)
    para(doc, "Met deze brief laten wij u weten dat wij het besluit uitvoeren met ingang van ",
         ("{{ uitgevoerd_op|datum_lang }}", "b"), ".")
    heading(doc, "Grondslag")
    para(doc, "Een besluit waarover wij u om advies hebben gevraagd, voeren wij pas uit als artikel 5 lid 3 "
              "van de " + wohv_intro() + " dat toestaat. Voor een besluit waarvoor uw instemming nodig is, "
              "geldt artikel 5a Wohv. Wij voeren dit besluit uit op grond van: {{ grondslag }}.")
    tag(doc, "{%p if toelichting %}")
    heading(doc, "Toelichting")
    para(doc, "{{ toelichting|alineas }}")
    tag(doc, "{%p endif %}")
    agreement(doc)
    closing(doc, "Hebt u vragen over de uitvoering?")


BUILDERS: dict[DocumentType, Callable[[DocxDocument], None]] = {
    DocumentType.ADVIESAANVRAAG: adviesaanvraag,
    DocumentType.ONTVANGSTBEVESTIGING_ADVIES: ontvangstbevestiging_advies,
    DocumentType.HERINNERING: herinnering,
    DocumentType.TERMIJN_VERSTREKEN: termijn_verstreken,
    DocumentType.REACTIE_ADVIES: reactie_advies,
    DocumentType.INTERNE_ESCALATIE: interne_escalatie,
    DocumentType.MEDEDELING_UITVOERING: mededeling_uitvoering,
}


def build(doc_type: DocumentType) -> bytes:
    doc = new_document(doc_type)
    BUILDERS[doc_type](doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _reproducible(buffer.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same zip with fixed timestamps, so an unchanged template rebuilds to the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "templates", help="folder to write to")
    parser.add_argument("--force", action="store_true",
                        help="overwrite existing templates (they may hold edits made in Word)")
    parser.add_argument("--only", nargs="*", choices=[t.value for t in DocumentType], default=None)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = [DocumentType(v) for v in args.only] if args.only else list(DocumentType)
    for doc_type in wanted:
        path = args.out / f"{doc_type.value}.docx"
        if path.exists() and not args.force:
            print(f"skip  {path.name} (exists; use --force to overwrite)")
            continue
        path.write_bytes(build(doc_type))
        print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
