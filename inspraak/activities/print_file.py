"""The print file of a mail merge: every household letter one after another, each on a new page, in one .docx.

docxcompose appends a whole document at a time and re-reads the growing result for each: a thousand letters
take minutes (100 letters 1.6 s, 200 letters 5 s on the benchmark machine: it grows with the square). The
letters of one merge come from one template, so their styles, numbering, headers, footers and relationships
are the template's, identical in every letter. :func:`compose_letters` then appends only each letter's body to
the first letter's body behind a page break (what docxcompose does for such letters), once, in one pass.

Letters that do not share their relationships, or that use numbered lists (whose numbering docxcompose
restarts per letter), go the docxcompose way: slower, never wrong.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable, Sequence

from docx import Document
from docxcompose.composer import Composer
from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_MAIN = "word/document.xml"
_RELS = "word/_rels/document.xml.rels"
_HEADER_OR_FOOTER = re.compile(r"^word/(header|footer)\d*\.xml$")
_NUMPAGES = re.compile(rb'(w:instr="\s*|<w:instrText[^>]*>\s*)NUMPAGES')
_AFTER_PAGE_NUMBERS = {f"{_W}{name}" for name in ("cols", "formProt", "vAlign", "noEndnote", "titlePg",
                                                  "textDirection", "bidi", "rtlGutter", "docGrid",
                                                  "printerSettings", "sectPrChange")}


def compose_letters(letters: Sequence[bytes], progress: Callable[[int], None] | None = None) -> bytes:
    """One .docx of ``letters`` (at least one), each after the first on a new page.

    ``progress(n)`` is called every 50 letters (a heartbeat for the activity).
    """
    if not letters:
        raise ValueError("a print file needs at least one letter")
    first = zipfile.ZipFile(io.BytesIO(letters[0]))
    rels = first.read(_RELS)
    root = etree.fromstring(first.read(_MAIN))
    body = root.find(f"{_W}body")
    if body is None or _numbered(body):
        return _with_docxcompose(letters, progress)
    section = body[-1] if len(body) and body[-1].tag == f"{_W}sectPr" else None
    added: list[etree._Element] = []
    for n, data in enumerate(letters[1:], start=1):
        with zipfile.ZipFile(io.BytesIO(data)) as letter:
            if letter.read(_RELS) != rels:
                return _with_docxcompose(letters, progress)
            other = etree.fromstring(letter.read(_MAIN)).find(f"{_W}body")
        if other is None or _numbered(other):
            return _with_docxcompose(letters, progress)
        added.append(_section_break(section) if section is not None else _page_break())
        added.extend(child for child in other if child.tag != f"{_W}sectPr")
        if progress is not None and n % 50 == 0:
            progress(n)
    for element in added:  # each right before the section properties: in order, after the first letter
        if section is not None:
            section.addprevious(element)
        else:
            body.append(element)
    if section is not None:
        _restart_numbering(section)
    # Word wants every drawing's id unique in a document (docxcompose renumbers them too).
    for n, el in enumerate(root.iter(_WP_DOC_PR), start=1):
        el.set("id", str(n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in first.infolist():
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) \
                if info.filename == _MAIN else first.read(info.filename)
            if section is not None and _HEADER_OR_FOOTER.match(info.filename):
                data = _own_page_count(data)
            zout.writestr(info, data)
    return out.getvalue()


def _numbered(body: etree._Element) -> bool:
    return next(body.iter(f"{_W}numPr"), None) is not None


def _section_break(section: etree._Element) -> etree._Element:
    """A paragraph that ends a letter's section: the next letter starts on a new page with the first-page
    letterhead and its own page numbers, as when it is printed on its own."""
    p = etree.Element(f"{_W}p")
    properties = copy.deepcopy(section)
    _restart_numbering(properties)
    etree.SubElement(p, f"{_W}pPr").append(properties)
    return p


def _restart_numbering(section: etree._Element) -> None:
    for old in section.findall(f"{_W}pgNumType"):
        section.remove(old)
    restart = etree.Element(f"{_W}pgNumType")
    restart.set(f"{_W}start", "1")
    # The schema's order: pgNumType comes before these.
    later = next((child for child in section if child.tag in _AFTER_PAGE_NUMBERS), None)
    if later is not None:
        later.addprevious(restart)
    else:
        section.append(restart)


def _own_page_count(part: bytes) -> bytes:
    """A header or footer without the file's page count: "pagina 2 van 2000" would be wrong for every letter.
    "pagina 2 van {NUMPAGES}" becomes "pagina 2" (page numbers restart per letter); a count written otherwise
    becomes the section's (SECTIONPAGES: right in Word; LibreOffice shows 1)."""
    if b"NUMPAGES" not in part:
        return part
    root = etree.fromstring(part)
    for field in list(root.iter(f"{_W}fldSimple")):
        if field.get(f"{_W}instr", "").strip() != "NUMPAGES":
            continue
        before = field.getprevious()
        if before is not None and before.tag == f"{_W}r" and "".join(before.itertext()).strip() == "van":
            field.getparent().remove(before)
            field.getparent().remove(field)
        else:
            field.set(f"{_W}instr", "SECTIONPAGES")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return _NUMPAGES.sub(rb"\1SECTIONPAGES", data)


def _page_break() -> etree._Element:
    # What python-docx's add_page_break writes: a paragraph with one run holding a page break.
    p = etree.Element(f"{_W}p")
    br = etree.SubElement(etree.SubElement(p, f"{_W}r"), f"{_W}br")
    br.set(f"{_W}type", "page")
    return p


def _with_docxcompose(letters: Sequence[bytes], progress: Callable[[int], None] | None) -> bytes:
    composer = Composer(Document(io.BytesIO(letters[0])))
    for n, data in enumerate(letters[1:], start=1):
        composer.doc.add_page_break()
        composer.append(Document(io.BytesIO(data)))
        if progress is not None and n % 20 == 0:
            progress(n)
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()
