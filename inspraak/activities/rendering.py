"""Letters as Word documents: rendering the docxtpl templates, checking them, and the render activity.

A template is ``<templates_dir>/<document type>.docx`` with docxtpl's Jinja tags in it. The renderer
follows docxtpl's own rules for tags (``{%p %}``, ``{%tr %}``, ``{{r }}``, line breaks from ``\\n`` ...)
by using its tag clean-up, but does the work once per template rather than once per letter: the
template is read, cleaned up and compiled the first time it is used (and again when the file
changes), and each letter only runs the compiled templates and appends its own parts to a ready-made
zip of the parts that never change. A mail-merge of a thousand letters pays for the template once.

An installation may replace a built-in template with its own: ``<type>.docx`` in an override folder,
or ``<prefix><type>.docx`` in the document store (which wins over the folder). Every document records
the version (sha256) and the source of the template it was rendered from.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError
from jinja2.exceptions import TemplateSyntaxError
from lxml import etree

from inspraak.domain.documents import DocumentType, TemplateSource
from inspraak.domain.dutch import aantal, bedrag, datum, datum_lang
from inspraak.domain.letter_contexts import LETTER_CONTEXTS, Brief

if TYPE_CHECKING:
    from inspraak.activities.template_check import TemplateProblem

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The parts of a package that may hold tags, by content type, as docxtpl renders them.
_TEMPLATED_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
    "application/vnd.openxmlformats-package.core-properties+xml",
)
_MAIN_CONTENT_TYPE = _TEMPLATED_CONTENT_TYPES[0]
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_JINJA_MARK = re.compile(r"\{\{|\{%|\{#")
_LEFTOVER_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
# Characters XML 1.0 forbids. docxtpl uses \a (new paragraph) and \f (page break) as markers, so
# those two pass; everything else a user may have pasted in is dropped rather than break the letter.
_FORBIDDEN_XML_CHARS = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f]")
_LISTING_CHARS = "\n\t\a\f"  # docxtpl: line break, tab, new paragraph, page break
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as in docxtpl's resolve_listing
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_CORE_PROPERTIES = "docProps/core.xml"
_DC_IDENTIFIER = "{http://purl.org/dc/elements/1.1/}identifier"


# ---- errors -------------------------------------------------------------------------------------


class DocumentTemplateError(Exception):
    """A template cannot produce a letter; retrying will not help."""


class TemplateMissingError(DocumentTemplateError):
    """No template file for the document type."""


class TemplateRenderError(DocumentTemplateError):
    """The template does not compile, or fails when rendered with this context."""


# ---- Jinja filters ------------------------------------------------------------------------------


def alineas(value: str | None) -> str:
    """Free text with blank lines between paragraphs: each becomes a Word paragraph (docxtpl's ``\\a``)."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").strip()
    return re.sub(r"\n[ \t]*\n\s*", "\a", text)


def zin(value: str | None) -> str:
    """Text that ends a sentence, ending in exactly one full stop (or its own ? or !).

    For user text that a template follows with a full stop: "{{ overleg_aanbod|zin }}" never gives
    "..", whether or not the user ended the text with one.
    """
    if not value:
        return ""
    text = value.rstrip()
    while text.endswith((".", " ")) and not text.endswith("..."):
        text = text[:-1]
    if text.endswith(("?", "!", "...")):
        return text
    return text + "."


def _finalize(value: Any) -> Any:
    # None prints as nothing, not "None"; stray control characters would make the XML invalid.
    if value is None:
        return ""
    if isinstance(value, str):
        return _FORBIDDEN_XML_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value


def make_environment() -> Environment:
    """The Jinja environment every letter is rendered with."""
    env = Environment(autoescape=True, undefined=StrictUndefined, finalize=_finalize)
    env.filters.update(datum=datum, datum_lang=datum_lang, bedrag=bedrag, alineas=alineas, zin=zin, aantal=aantal)
    return env


# ---- compiled templates -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    name: str
    info: zipfile.ZipInfo
    source: str  # after docxtpl's tag clean-up; what Jinja compiles
    template: Any  # jinja2.Template
    main: bool


@dataclass(frozen=True)
class _Compiled:
    stamp: tuple[object, ...]
    version: str
    source: TemplateSource
    prefix: bytes  # a zip of every part that holds no tag, ready to be appended to
    parts: tuple[_Part, ...]


@dataclass(frozen=True)
class RenderedDocument:
    data: bytes
    sha256: str
    template_version: str
    template_source: TemplateSource = TemplateSource.BUILTIN


class DocumentRenderer:
    """Renders letters from ``templates_dir/<type>.docx``; thread-safe, one per process is enough.

    ``override_dir/<type>.docx``, when it exists, replaces the built-in template; template bytes
    handed to a render call (read from the store by :class:`StoreTemplates`) replace both.

    What is cached per template: the file's version, its compiled Jinja templates and a zip of its
    constant parts. The cache is keyed on the file's modification time, size and inode (for bytes:
    their sha256), so a template edited while the process runs is picked up on the next letter.
    """

    def __init__(self, templates_dir: Path, *, override_dir: Path | None = None,
                 environment: Environment | None = None) -> None:
        self.templates_dir = templates_dir
        self.override_dir = override_dir
        self._env = environment or make_environment()
        self._cache: dict[tuple[DocumentType, TemplateSource], _Compiled] = {}
        self._lock = threading.Lock()
        # Only docxtpl's pure string helpers are used (patch_xml, resolve_listing); they keep no state.
        self._docxtpl = DocxTemplate(io.BytesIO())

    # -- public API ------------------------------------------------------------------------------

    def path(self, doc_type: DocumentType) -> Path:
        """The template file in use: the override folder's when it has one, else the built-in one."""
        name = f"{DocumentType(doc_type).value}.docx"
        if self.override_dir is not None and (self.override_dir / name).is_file():
            return self.override_dir / name
        return self.templates_dir / name

    def template_version(self, doc_type: DocumentType, template: bytes | None = None) -> str:
        """The first 12 hex characters of the sha256 of the template file."""
        return self._compiled(doc_type, template).version

    def template_source(self, doc_type: DocumentType, template: bytes | None = None) -> TemplateSource:
        return self._compiled(doc_type, template).source

    def render(self, doc_type: DocumentType, context: Brief) -> bytes:
        """The letter as .docx bytes.

        Raises:
            TemplateMissingError: there is no template file for the type.
            TemplateRenderError: the template does not compile or fails with this context.
        """
        return self.render_with_version(doc_type, context).data

    def render_with_version(self, doc_type: DocumentType, context: Brief,
                            template: bytes | None = None) -> RenderedDocument:
        """The letter with its hash and the version and source of the template it was rendered from.

        Args:
            template: the bytes of a template from the store, replacing the files; None for the files.
        """
        expected = LETTER_CONTEXTS[DocumentType(doc_type)]
        if not isinstance(context, expected):
            raise TypeError(f"a {doc_type.value} letter needs a {expected.__name__}, "
                            f"not {type(context).__name__}")
        compiled = self._compiled(doc_type, template)
        data = self._render(doc_type, compiled, _jinja_context(context))
        return RenderedDocument(data=data, sha256=hashlib.sha256(data).hexdigest(),
                                template_version=compiled.version, template_source=compiled.source)

    def check(self, samples: Callable[[DocumentType], Brief] | None = None,
              overrides: Mapping[DocumentType, bytes] | None = None) -> list[TemplateProblem]:
        """Every template against its context model, then rendered with sample data (template_check)."""
        from inspraak.activities.template_check import check_templates

        return check_templates(self, samples, overrides)

    # -- loading ---------------------------------------------------------------------------------

    def _compiled(self, doc_type: DocumentType, template: bytes | None = None) -> _Compiled:
        doc_type = DocumentType(doc_type)
        path = self.path(doc_type)
        stamp: tuple[object, ...]
        if template is not None:
            source = TemplateSource.STORE
            stamp = (hashlib.sha256(template).digest(),)
        else:
            source = TemplateSource.BUILTIN if path.parent == self.templates_dir else TemplateSource.OVERRIDE_DIR
            try:
                st = path.stat()
            except FileNotFoundError as e:
                raise TemplateMissingError(
                    f"{path.name}: template file is missing in {self.templates_dir}") from e
            stamp = (path, st.st_mtime_ns, st.st_size, st.st_ino)
        key = (doc_type, source)
        cached = self._cache.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached
        with self._lock:
            cached = self._cache.get(key)
            if cached is None or cached.stamp != stamp:
                raw = template if template is not None else path.read_bytes()
                cached = self._compile(path.name, raw, stamp, source)
                self._cache[key] = cached
        return cached

    def _compile(self, name: str, raw: bytes, stamp: tuple[object, ...], source: TemplateSource) -> _Compiled:
        version = hashlib.sha256(raw).hexdigest()[:12]
        try:
            return self._compile_package(name, raw, stamp, version, source)
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as e:
            raise TemplateRenderError(f"{name}: not a readable Word (.docx) file ({e})") from e

    def _compile_package(self, name: str, raw: bytes, stamp: tuple[object, ...], version: str,
                         origin: TemplateSource) -> _Compiled:
        with zipfile.ZipFile(io.BytesIO(raw)) as zin:
            content_types = _content_types(zin.read("[Content_Types].xml"))
            prefix = io.BytesIO()
            parts: list[_Part] = []
            with zipfile.ZipFile(prefix, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in zin.infolist():
                    data = zin.read(info.filename)
                    content_type = content_types.get("/" + info.filename)
                    if content_type in _TEMPLATED_CONTENT_TYPES:
                        # Serialise as python-docx does before docxtpl sees it, so Word's own
                        # spelling of the XML (entities, quotes) reaches Jinja the same way.
                        xml = etree.tostring(etree.fromstring(data), encoding="unicode")
                        source = self._docxtpl.patch_xml(xml)
                        if _JINJA_MARK.search(source):
                            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
                            template = self._compile_source(name, info.filename, source)
                            parts.append(_Part(info.filename, _clean_info(info), source, template,
                                               content_type == _MAIN_CONTENT_TYPE))
                            continue
                    zout.writestr(_clean_info(info), data)
        return _Compiled(stamp=stamp, version=version, source=origin, prefix=prefix.getvalue(),
                         parts=tuple(parts))

    def _compile_source(self, template_name: str, part_name: str, source: str) -> Any:
        try:
            return self._env.from_string(source)
        except TemplateSyntaxError as e:
            raise TemplateRenderError(
                f"{template_name}: {e.message} ({_where(part_name, source, e.lineno)})") from e

    # -- rendering -------------------------------------------------------------------------------

    def _render(self, doc_type: DocumentType, compiled: _Compiled, context: dict[str, Any]) -> bytes:
        name = self.path(doc_type).name
        out = io.BytesIO(compiled.prefix)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zout:
            for part in compiled.parts:
                # A fresh ZipInfo per letter: writestr fills in its offset and CRC, so a shared one would mix up
                # letters rendered at the same time in two threads.
                zout.writestr(_clean_info(part.info), self._render_part(name, part, context))
        return out.getvalue()

    def _render_part(self, template_name: str, part: _Part, context: dict[str, Any]) -> bytes:
        try:
            xml = part.template.render(context)
        except Exception as e:  # a filter can raise anything; to the caller it is a template error
            lineno = getattr(e, "lineno", None) or _template_lineno(e)
            message = str(e) if isinstance(e, TemplateError) else f"{type(e).__name__}: {e}"
            raise TemplateRenderError(
                f"{template_name}: {message} ({_where(part.name, part.source, lineno)})") from e
        # The same post-processing as docxtpl's render_xml_part.
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in _LISTING_CHARS):
            # docxtpl's resolve_listing, but only on the paragraphs that need it: same result, faster.
            xml = _PARAGRAPH.sub(self._resolve_listing, xml)
        # Outside a paragraph (the title in docProps/core.xml) a paragraph or page-break marker has no meaning
        # and XML forbids it: drop what is left of them.
        xml = xml.replace("\a", " ").replace("\f", " ")
        try:
            tree = etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as e:
            raise TemplateRenderError(
                f"{template_name}: the letter is not valid Word XML in {part.name} ({e}); a "
                "paragraph or table-row tag ({%p ...%}, {%tr ...%}) probably opens in one place and "
                "closes in another") from e
        if part.name == _CORE_PROPERTIES and tree.find(_DC_IDENTIFIER) is None:
            # docxtpl renders every core property through python-docx, which adds an empty identifier.
            etree.SubElement(tree, _DC_IDENTIFIER)
        if part.main:
            tree = self._fix_tables(tree, xml)
            # Loops can copy pictures; Word wants every drawing's id to be unique (docxtpl does this too).
            for n, el in enumerate(tree.iter(f"{{{_WP_NS}}}docPr"), start=1001):
                el.set("id", str(n))
        return _XML_DECLARATION.encode() + etree.tostring(tree, encoding="UTF-8")

    def _resolve_listing(self, m: re.Match[str]) -> str:
        paragraph = m.group(0)
        if any(c in paragraph for c in _LISTING_CHARS):
            return str(self._docxtpl.resolve_listing(paragraph))
        return paragraph

    def _fix_tables(self, tree: Any, xml: str) -> Any:
        """docxtpl's column fix, for tables whose rows a ``{%tc %}`` loop made wider or narrower."""
        w = f"{{{_W_NS}}}"
        for tbl in tree.iter(f"{w}tbl"):
            grid = tbl.find(f"{w}tblGrid")
            if grid is None:
                continue
            columns = len(grid.findall(f"{w}gridCol"))
            widest = max((len(tr.findall(f"{w}tc")) for tr in tbl.iter(f"{w}tr")), default=columns)
            if widest != columns:
                return self._docxtpl.fix_tables(xml)
        return tree

def _jinja_context(context: Brief) -> dict[str, Any]:
    # The model's own attributes, not a dump: nested models keep attribute access, dates stay dates.
    return {name: getattr(context, name) for name in type(context).model_fields}


def _content_types(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    return {el.get("PartName"): el.get("ContentType") for el in root if el.get("PartName")}


def _clean_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    # Keep the template's timestamps: the same context then renders to the same bytes.
    clean = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    clean.compress_type = zipfile.ZIP_DEFLATED
    clean.external_attr = info.external_attr
    return clean


def _template_lineno(e: BaseException) -> int | None:
    tb = e.__traceback__
    lineno = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def _where(part_name: str, source: str, lineno: int | None) -> str:
    """Where in the document a Jinja line is, as the text a user sees in Word."""
    if not lineno:
        return f"in {part_name}"
    lines = source.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1] if 0 < lineno <= len(lines) else "").strip()
    if len(text) > 120:
        text = text[:117] + "..."
    kind = "paragraph" if part_name.endswith("document.xml") else part_name.rsplit("/", 1)[-1]
    return f"{kind} {lineno}: '{text}'" if text else f"in {part_name}"
