"""``inspraak templates check``'s engine: every letter template against its context model, rendered with samples.

Errors: a missing file, a tag that does not compile, a variable or attribute the context model does not
have, a failing render, a tag left unrendered. Warnings: a field of the context model that the template
never uses.
"""

import difflib
import io
import re
import types
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from jinja2 import meta, nodes
from jinja2.exceptions import UndefinedError
from lxml import etree
from pydantic import BaseModel

from inspraak.activities.rendering import (
    DocumentRenderer,
    DocumentTemplateError,
    TemplateMissingError,
    TemplateRenderError,
    _Compiled,
    _jinja_context,
)
from inspraak.domain.documents import DocumentType
from inspraak.domain.letter_contexts import LETTER_CONTEXTS, LETTER_TYPES, Brief

_LEFTOVER_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")

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



def check_templates(renderer: DocumentRenderer, samples: Callable[[DocumentType], Brief] | None = None,
                    overrides: Mapping[DocumentType, bytes] | None = None) -> list[TemplateProblem]:
    """Every template of ``renderer`` against its context model, then rendered with sample data."""
    if samples is None:
        from inspraak.activities.document_samples import sample_context

        samples = sample_context
    problems: list[TemplateProblem] = []
    for doc_type in LETTER_TYPES:
        problems.extend(_check_one(renderer, doc_type, samples, (overrides or {}).get(doc_type)))
    return problems


def _check_one(renderer: DocumentRenderer, doc_type: DocumentType, samples: Callable[[DocumentType], Brief],
               template: bytes | None) -> list[TemplateProblem]:
    name = renderer.path(doc_type).name
    model = LETTER_CONTEXTS[doc_type]
    problems: list[TemplateProblem] = []
    try:
        compiled = renderer._compiled(doc_type, template)
    except TemplateMissingError:
        return [TemplateProblem(name, "error", "missing_template",
                                f"template file is missing (expected {renderer.path(doc_type)})")]
    except DocumentTemplateError as e:
        return [TemplateProblem(name, "error", "syntax_error", _strip_name(str(e), name))]

    used: set[str] = set()
    fields = set(model.model_fields)
    for part in compiled.parts:
        ast = renderer._env.parse(part.source)
        names = meta.find_undeclared_variables(ast) - set(renderer._env.globals)
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
            data = renderer._render(doc_type, compiled, _jinja_context(context))
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
