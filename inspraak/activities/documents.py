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

import asyncio
import difflib
import hashlib
import io
import re
import threading
import time
import types
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from docx import Document
from docxcompose.composer import Composer
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError, meta, nodes
from jinja2.exceptions import TemplateSyntaxError, UndefinedError
from lxml import etree
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from inspraak.activities import metrics
from inspraak.activities.register import load_json, load_register
from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.domain.documents import (
    LETTER_CONTEXTS,
    LETTER_TYPES,
    BatchRenderRequest,
    Brief,
    DocumentRef,
    DocumentType,
    MergeRequest,
    MergeResult,
    RenderRequest,
    TemplateSource,
    Visibility,
    document_id,
    storage_key,
)
from inspraak.domain.dutch import bedrag, datum, datum_lang
from inspraak.domain.merge import MERGE_BUILDERS, merge_context
from inspraak.domain.vote import derive_reply_code, format_reply_code
from inspraak.settings import Settings

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
    env.filters.update(datum=datum, datum_lang=datum_lang, bedrag=bedrag, alineas=alineas, zin=zin)
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


@dataclass(frozen=True)
class TemplateProblem:
    """One finding of :meth:`DocumentRenderer.check`."""

    template: str
    severity: Literal["error", "warning"]
    kind: Literal["missing_template", "syntax_error", "undeclared_variable", "unknown_attribute",
                  "unused_field", "render_error", "unrendered_tag"]
    message: str
    variable: str | None = None

    def __str__(self) -> str:
        return f"{self.severity.upper():7} {self.template}: {self.message}"


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
        """Every template against its context model, then rendered with sample data.

        Errors: a missing file, a tag that does not compile, a variable or attribute the context
        model does not have, a failing render, a tag left unrendered. Warnings: a field of the
        context model that the template never uses.
        """
        if samples is None:
            from inspraak.activities.document_samples import sample_context

            samples = sample_context
        problems: list[TemplateProblem] = []
        for doc_type in LETTER_TYPES:
            problems.extend(self._check_one(doc_type, samples, (overrides or {}).get(doc_type)))
        return problems

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
                zout.writestr(part.info, self._render_part(name, part, context))
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

    # -- checking --------------------------------------------------------------------------------

    def _check_one(self, doc_type: DocumentType, samples: Callable[[DocumentType], Brief],
                   template: bytes | None) -> list[TemplateProblem]:
        name = self.path(doc_type).name
        model = LETTER_CONTEXTS[doc_type]
        problems: list[TemplateProblem] = []
        try:
            compiled = self._compiled(doc_type, template)
        except TemplateMissingError:
            return [TemplateProblem(name, "error", "missing_template",
                                    f"template file is missing (expected {self.path(doc_type)})")]
        except DocumentTemplateError as e:
            return [TemplateProblem(name, "error", "syntax_error", _strip_name(str(e), name))]

        used: set[str] = set()
        fields = set(model.model_fields)
        for part in compiled.parts:
            ast = self._env.parse(part.source)
            names = meta.find_undeclared_variables(ast) - set(self._env.globals)
            used |= names
            for var in sorted(names - fields):
                hint = difflib.get_close_matches(var, fields, n=1)
                problems.append(TemplateProblem(
                    name, "error", "undeclared_variable",
                    f"uses '{var}', which is not a field of {model.__name__}"
                    + (f"; did you mean '{hint[0]}'?" if hint else f" (fields: {', '.join(sorted(fields))})"),
                    var))
            for dotted, owner, attr in _unknown_attributes(ast, model):
                problems.append(TemplateProblem(
                    name, "error", "unknown_attribute",
                    f"uses '{dotted}', but {owner.__name__} has no field '{attr}' "
                    f"(fields: {', '.join(owner.model_fields)})", dotted))
        for field in sorted(fields - used - model.template_may_omit):
            problems.append(TemplateProblem(
                name, "warning", "unused_field",
                f"field '{field}' of {model.__name__} is not used by the template", field))

        static_errors = any(p.severity == "error" for p in problems)
        reported: set[str] = set()
        for label, context in _variants(samples(doc_type)):
            try:
                data = self._render(doc_type, compiled, _jinja_context(context))
            except TemplateRenderError as e:
                if static_errors and isinstance(e.__cause__, UndefinedError):
                    continue  # already reported, more precisely, above
                if str(e) not in reported:  # the same failure in another sample says nothing new
                    reported.add(str(e))
                    problems.append(TemplateProblem(
                        name, "error", "render_error",
                        f"does not render with the {label} sample: {_strip_name(str(e), name)}"))
                continue
            for text in _leftover_tags(data, compiled):
                problems.append(TemplateProblem(
                    name, "error", "unrendered_tag",
                    f"the letter still shows template text '{text}': a tag is broken, "
                    "perhaps split by Word or missing a brace"))
        return _dedupe(problems)


def _dedupe(problems: list[TemplateProblem]) -> list[TemplateProblem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.kind, p.message) not in seen:
            seen.add((p.kind, p.message))
            out.append(p)
    return out


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


def _strip_name(message: str, name: str) -> str:
    return message.removeprefix(f"{name}: ")


def _leftover_tags(data: bytes, compiled: _Compiled) -> list[str]:
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for part in compiled.parts:
            root = etree.fromstring(z.read(part.name))
            text = "".join(root.itertext())
            for m in _LEFTOVER_TAG.finditer(text):
                found.append(text[max(0, m.start() - 20): m.end() + 20].strip())
    return found


def _model_type(annotation: Any) -> tuple[type[BaseModel] | None, type[BaseModel] | None]:
    """(model, element model) of a field annotation.

    ``Afzender`` gives (Afzender, None), ``list[Adviespunt]`` gives (None, Adviespunt).
    """
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, None
    if get_origin(annotation) is list:
        (elem,) = get_args(annotation) or (None,)
        if isinstance(elem, type) and issubclass(elem, BaseModel):
            return None, elem
    return None, None


def _unknown_attributes(ast: nodes.Template,
                        model: type[BaseModel]) -> Iterable[tuple[str, type[BaseModel], str]]:
    """``afzender.nam`` or ``p.samenvating``: attributes of nested models that do not exist."""
    bindings: dict[str, type[BaseModel]] = {}
    lists: dict[str, type[BaseModel]] = {}
    for name, field in model.model_fields.items():
        single, elem = _model_type(field.annotation)
        if single is not None:
            bindings[name] = single
        if elem is not None:
            lists[name] = elem
    for loop in ast.find_all(nodes.For):
        if (isinstance(loop.iter, nodes.Name) and loop.iter.name in lists
                and isinstance(loop.target, nodes.Name)):
            bindings[loop.target.name] = lists[loop.iter.name]

    def resolve(node: nodes.Node) -> tuple[type[BaseModel] | None, str]:
        if isinstance(node, nodes.Name):
            return bindings.get(node.name), node.name
        if isinstance(node, nodes.Getattr):
            owner, dotted = resolve(node.node)
            if owner is not None and node.attr in owner.model_fields:
                return _model_type(owner.model_fields[node.attr].annotation)[0], f"{dotted}.{node.attr}"
            return None, f"{dotted}.{node.attr}"
        return None, "?"

    seen: set[str] = set()
    for node in ast.find_all(nodes.Getattr):
        owner, dotted = resolve(node.node)
        if owner is not None and node.attr not in owner.model_fields:
            full = f"{dotted}.{node.attr}"
            if full not in seen:
                seen.add(full)
                yield full, owner, node.attr


def _minimal(value: BaseModel) -> BaseModel:
    """The same model with every optional field at its default: the paths where nothing is filled in."""
    data: dict[str, Any] = {}
    for name, field in type(value).model_fields.items():
        current = getattr(value, name)
        if not field.is_required():
            data[name] = field.get_default(call_default_factory=True)
        elif isinstance(current, BaseModel):
            data[name] = _minimal(current)
        elif isinstance(current, list):
            data[name] = [_minimal(v) if isinstance(v, BaseModel) else v for v in current]
        else:
            data[name] = current
    return type(value).model_validate(data)


def _variants(sample: Brief) -> list[tuple[str, Brief]]:
    """The sample, the sample with nothing optional, and the sample with every yes/no field flipped."""
    out: list[tuple[str, Brief]] = [("full", sample), ("minimal", _minimal(sample))]  # type: ignore[list-item]
    flags = {n: not getattr(sample, n) for n, f in type(sample).model_fields.items() if f.annotation is bool}
    if flags:
        out.append(("flipped " + "/".join(flags), sample.model_copy(update=flags)))
    return out


# ---- the activity -------------------------------------------------------------------------------


def _ascii(value: str) -> str:
    """Object metadata travels in HTTP headers (S3): keep it ASCII."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


class StoreTemplates:
    """Template overrides kept in the document store as ``<prefix><type>.docx``.

    Read through a short cache (found and not found alike), so a mail-merge does not fetch the same
    template for every letter, while an upload still takes effect within ``max_age_seconds``.
    """

    def __init__(self, store: DocumentStore, prefix: str, *, max_age_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self._max_age = max_age_seconds
        self._clock = clock
        self._cache: dict[DocumentType, tuple[float, bytes | None]] = {}

    def key(self, doc_type: DocumentType) -> str:
        return f"{self.prefix}{DocumentType(doc_type).value}.docx"

    async def get(self, doc_type: DocumentType) -> bytes | None:
        """The override's bytes, or None when the store has none for this type.

        Raises:
            Exception: storage errors propagate, to be retried: a letter is never silently rendered
                from another template because the store was down.
        """
        doc_type = DocumentType(doc_type)
        now = self._clock()
        cached = self._cache.get(doc_type)
        if cached is not None and now - cached[0] < self._max_age:
            return cached[1]
        try:
            data: bytes | None = await self._store.get(self.key(doc_type))
        except ObjectNotFoundError:
            data = None
        self._cache[doc_type] = (now, data)
        return data

    async def get_all(self) -> dict[DocumentType, bytes]:
        """Every override the store has, by type (for ``inspraak templates check``)."""
        found = {t: await self.get(t) for t in LETTER_TYPES}
        return {t: data for t, data in found.items() if data is not None}


def build_renderer(settings: Settings) -> DocumentRenderer:
    return DocumentRenderer(settings.templates_dir, override_dir=settings.templates_override_dir)


def build_store_templates(settings: Settings, store: DocumentStore) -> StoreTemplates | None:
    if not settings.templates_override_prefix:
        return None
    return StoreTemplates(store, settings.templates_override_prefix)


class DocumentActivities:
    """Temporal activities for letters; the renderer, the store and the store's overrides are handed in."""

    def __init__(self, renderer: DocumentRenderer, store: DocumentStore,
                 clock: Callable[[], datetime] | None = None, *,
                 store_templates: StoreTemplates | None = None, reply_code_key: bytes | None = None) -> None:
        self._renderer = renderer
        self._reply_code_key = reply_code_key
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._store_templates = store_templates

    @activity.defn(name="render_document")
    async def render_document(self, req: RenderRequest) -> DocumentRef:
        """Render one letter and store it under its deterministic key (a retry overwrites it).

        Raises:
            ApplicationError: non-retryable, when the context or the template is wrong.
            Exception: storage errors propagate and are retried by the workflow's policy.
        """
        return await self._render_and_store(req)

    @activity.defn(name="render_documents")
    async def render_documents(self, batch: BatchRenderRequest) -> list[DocumentRef]:
        """Render and store many letters in one call (a mail merge), heartbeating after each.

        A retry (after a worker restart, say) resumes after the last letter it reported: the letters
        before it are stored already, and their references are read back from the store. Keys are
        deterministic, so a letter rendered twice overwrites itself: none is lost, none is doubled.
        """
        details = activity.info().heartbeat_details
        done = int(details[0]) if details else 0
        refs = [await self._stored_ref(item) for item in batch.items[:done]]
        for n, item in enumerate(batch.items[done:], start=done):
            refs.append(await self._render_and_store(item))
            activity.heartbeat(n + 1)
        return refs

    @activity.defn(name="merge_documents")
    async def merge_documents(self, req: MergeRequest) -> MergeResult:
        """A mail merge over a household register: a letter per household, an organisation's copy, a print file.

        The register is read from the store (checked against its sha256); each household's context is its
        type's builder's (``domain.merge``). Letters are stored under ``<step_prefix>-<n>`` (n: the unit's
        place in the request), the copy under ``<step_prefix>-organisatie``, the print file under
        ``<step_prefix>-printbestand``. A retry resumes after the last letter it reported (heartbeat); keys
        are deterministic, so none is lost and none is doubled. Only references leave the activity, and the
        units whose household gave an e-mail address.

        Raises:
            ApplicationError: non-retryable, for a unit not on the register, a register that changed, or a
                context or template that is wrong.
        """
        if req.type not in MERGE_BUILDERS:
            raise ApplicationError(f"no merge builder for {req.type.value}", type="InvalidMerge", non_retryable=True)
        register = await load_register(self._store, req.register_ref)
        figures = await load_json(self._store, req.figures) if req.figures is not None else {}
        if req.reply_code_version is not None and self._reply_code_key is None:
            raise ApplicationError("no reply code key configured (INSPRAAK_REPLY_CODE_KEY)", type="InvalidMerge",
                                   non_retryable=True)
        items: list[RenderRequest] = []
        with_email: list[str] = []
        try:
            for n, unit in enumerate(req.unit_ids, start=1):
                household = register.get(unit)
                if household is None:
                    raise ApplicationError(f"unit {unit} is not on the household register", type="InvalidMerge",
                                           non_retryable=True)
                if household.email:
                    with_email.append(household.unit_id)
                common = req.context
                if req.figures is not None or req.reply_code_version is not None:
                    own = dict(figures.get(household.unit_id, {}))
                    if req.reply_code_version is not None and self._reply_code_key is not None:
                        own["antwoordcode"] = format_reply_code(derive_reply_code(
                            self._reply_code_key, req.trajectory_id, req.reply_code_version, household.unit_id))
                    common = common | {"eigen": own}
                context = merge_context(req.type, common, household, register)
                items.append(RenderRequest(
                    trajectory_id=req.trajectory_id, organisation_id=req.organisation_id,
                    step=f"{req.step_prefix}-{n:04d}", type=req.type, context=context.model_dump(mode="json"),
                    visibility=Visibility.HOUSEHOLD, household_id=household.unit_id, title=req.title))
            if req.copy_to is not None:
                common = req.context | {"geadresseerde": req.copy_to.model_dump(mode="json")}
                context = merge_context(req.type, common, None, register)
                items.append(RenderRequest(
                    trajectory_id=req.trajectory_id, organisation_id=req.organisation_id,
                    step=f"{req.step_prefix}-organisatie", type=req.type, context=context.model_dump(mode="json"),
                    visibility=Visibility.ORGANISATION, title=req.title))
        except ValueError as e:  # pydantic's ValidationError, or a builder's own refusal
            raise ApplicationError(f"invalid context for a {req.type.value} letter: {e}",
                                   type="InvalidDocumentContext", non_retryable=True) from e
        details = activity.info().heartbeat_details
        done = int(details[0]) if details else 0
        refs = [await self._stored_ref(item) for item in items[:done]]
        for n, item in enumerate(items[done:], start=done):
            refs.append(await self._render_and_store(item))
            activity.heartbeat(n + 1)
        letters = refs[:len(req.unit_ids)]
        copy = refs[len(req.unit_ids)] if req.copy_to is not None else None
        print_file = await self._print_file(req, letters) if req.print_file and letters else None
        return MergeResult(documents=letters, copy_document=copy, print_file=print_file, with_email=with_email)

    async def _print_file(self, req: MergeRequest, letters: list[DocumentRef]) -> DocumentRef:
        """The household letters one after another, each on a new page, in one file for the post room."""
        first = await self._store.get(letters[0].key)
        composer = Composer(Document(io.BytesIO(first)))
        for n, ref in enumerate(letters[1:], start=1):
            data = await self._store.get(ref.key)
            await asyncio.to_thread(_append_on_new_page, composer, data)
            if n % 20 == 0:
                activity.heartbeat(len(letters) + (1 if req.copy_to else 0))
        out = io.BytesIO()
        await asyncio.to_thread(composer.save, out)
        step = f"{req.step_prefix}-printbestand"
        doc_id, key = self._ids(RenderRequest(trajectory_id=req.trajectory_id, organisation_id=req.organisation_id,
                                              step=step, type=req.type, context={}))
        title = f"{DocumentType.PRINTBESTAND.label}: {req.title or req.type.label} ({len(letters)} brieven)"
        stored = await self._store.put(key, out.getvalue(), content_type=DOCX_CONTENT_TYPE, metadata={
            "trajectory": _ascii(req.trajectory_id), "organisation": _ascii(req.organisation_id),
            "visibility": Visibility.STAFF.value, "document-type": DocumentType.PRINTBESTAND.value,
            "template-version": letters[0].template_version, "title": _ascii(title)})
        return DocumentRef(id=doc_id, type=DocumentType.PRINTBESTAND, title=title, trajectory_id=req.trajectory_id,
                           organisation_id=req.organisation_id, visibility=Visibility.STAFF, key=key,
                           sha256=stored.sha256, size=stored.size, template_version=letters[0].template_version,
                           template_source=letters[0].template_source, created_at=self._clock())

    async def _render_and_store(self, req: RenderRequest) -> DocumentRef:
        model = LETTER_CONTEXTS[req.type]
        try:
            context = model.model_validate(req.context)
        except ValueError as e:  # pydantic's ValidationError, or a builder's own refusal
            raise ApplicationError(f"invalid context for a {req.type.value} letter: {e}",
                                   type="InvalidDocumentContext", non_retryable=True) from e
        doc_id, key = self._ids(req)
        override = await self._store_templates.get(req.type) if self._store_templates else None
        started = time.perf_counter()
        try:
            rendered = await asyncio.to_thread(self._renderer.render_with_version, req.type, context,
                                               override)
        except DocumentTemplateError as e:
            raise ApplicationError(str(e), type="DocumentTemplateError", non_retryable=True) from e
        render_seconds = time.perf_counter() - started

        title = req.title or req.type.label
        metadata = {
            "trajectory": _ascii(req.trajectory_id),
            "organisation": _ascii(req.organisation_id),
            "visibility": req.visibility.value,
            "document-type": req.type.value,
            "template-version": rendered.template_version,
            "template-source": rendered.template_source.value,
            "title": _ascii(title),
        }
        if req.household_id:
            metadata["household"] = _ascii(req.household_id)
        # The store computes and keeps the sha256 itself (StoredObject.sha256, x-amz-meta-sha256 on S3).
        stored = await self._store.put(key, rendered.data, content_type=DOCX_CONTENT_TYPE, metadata=metadata)
        metrics.document_generated(req.type, render_seconds)
        return DocumentRef(
            id=doc_id, type=req.type, title=title, trajectory_id=req.trajectory_id,
            organisation_id=req.organisation_id, visibility=req.visibility, household_id=req.household_id,
            key=key, sha256=stored.sha256, size=stored.size, template_version=rendered.template_version,
            template_source=rendered.template_source, created_at=self._clock(),
        )

    async def _stored_ref(self, req: RenderRequest) -> DocumentRef:
        """The reference of a letter an earlier attempt stored; rendered again when it is not there."""
        doc_id, key = self._ids(req)
        try:
            obj = await self._store.stat(key)
        except ObjectNotFoundError:
            return await self._render_and_store(req)
        return DocumentRef(
            id=doc_id, type=req.type, title=req.title or req.type.label, trajectory_id=req.trajectory_id,
            organisation_id=req.organisation_id, visibility=req.visibility, household_id=req.household_id,
            key=key, sha256=obj.sha256, size=obj.size, template_version=obj.metadata.get("template-version", ""),
            template_source=TemplateSource(obj.metadata.get("template-source", "builtin")),
            created_at=self._clock(),
        )

    @staticmethod
    def _ids(req: RenderRequest) -> tuple[str, str]:
        try:
            doc_id = document_id(req.trajectory_id, req.step)
            return doc_id, storage_key(doc_id)
        except ValueError as e:
            raise ApplicationError(str(e), type="InvalidDocumentId", non_retryable=True) from e


def _append_on_new_page(composer: Composer, data: bytes) -> None:
    composer.doc.add_page_break()
    composer.append(Document(io.BytesIO(data)))
