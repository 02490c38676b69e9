"""A form made from an action's pydantic model: its fields, what was typed made into the model's input, and the
model's and the workflow's errors placed back on those fields.

Kinds of field (``FormField.kind``), from the annotation:

- ``date`` (``<input type=date>``), ``datetime`` (``<input type=datetime-local>``, local time of the corporation),
- ``text`` (one line) and ``multiline`` (a textarea; ``text.MultiLine``),
- ``choice`` (an enum or a Literal: radio buttons), ``yesno`` (a required bool: two radio buttons),
  ``checkbox`` (a bool with a default), ``number`` (an int),
- ``lines`` (a list of one-line texts or codes: one per line) and ``paragraphs`` (a list of multi-line texts, or
  of a model with one text field: one per paragraph, an empty line between two),
- ``rows`` (a list of a model whose fields are all simple: a group of fields per item, ``sub``), when the caller
  knows how many items there are (the decision: one per advice point); the fields of item ``i`` are named
  ``<field>-<i>-<sub field>``.

Anything else (a nested model, a list of models with several fields, a stored document) has no form field:
an action with such a required field has no form in the portal (:func:`fields_of` answers None); such an optional
field is left out. The actor is never a field: the session's principal is the actor.
"""

import re
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Literal
from zoneinfo import ZoneInfo

from annotated_types import MaxLen
from pydantic import BaseModel, BeforeValidator, ValidationError
from starlette.datastructures import FormData

from inspraak.domain.text import clean_multi_line
from inspraak.services.api.errors import InvalidParam, invalid_param

BLANK_LINE = re.compile(r"\n[ \t]*\n")
NOT_A_FIELD = frozenset({"actor"})


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str
    required: bool
    options: tuple[str, ...] = ()
    item_key: str | None = None  # a list of models with one text field: that field's name
    max_length: int | None = None
    sub: "tuple[FormField, ...]" = ()  # a ``rows`` field: the fields of each item


def _optional(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``X | None``, and whether None was allowed."""
    if typing.get_origin(annotation) in (typing.Union, UnionType):
        args = [a for a in typing.get_args(annotation) if a is not NoneType]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _plain(annotation: Any) -> tuple[Any, list[Any]]:
    """The type under ``Annotated[...]`` and every piece of metadata on the way (nested FieldInfos included)."""
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        annotation = args[0]
        for m in args[1:]:
            metadata.append(m)
            metadata.extend(getattr(m, "metadata", []))
    return annotation, metadata


def _multi_line(metadata: list[Any]) -> bool:
    return any(isinstance(m, BeforeValidator) and m.func is clean_multi_line for m in metadata)


def _max_length(metadata: list[Any]) -> int | None:
    return next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)


def _text_item(annotation: Any) -> tuple[str, str | None] | None:
    """A list item that is one text: (``lines`` or ``paragraphs``, the model field holding it or None)."""
    item, metadata = _plain(annotation)
    if item is str:
        return ("paragraphs" if _multi_line(metadata) else "lines"), None
    if isinstance(item, type) and issubclass(item, BaseModel):
        fields = item.model_fields
        if len(fields) == 1:
            (key, info), = fields.items()
            kind = _text_item(info.annotation)
            multi = _multi_line(list(info.metadata))
            if kind is not None:
                return ("paragraphs" if multi or kind[0] == "paragraphs" else "lines"), key
    return None


def field_of(name: str, info: Any) -> FormField | None:
    """The form field of one model field, or None when no simple form field fits it."""
    annotation, optional = _optional(info.annotation)
    annotation, metadata = _plain(annotation)
    metadata = [*metadata, *info.metadata]
    required = info.is_required()
    kind: str | None = None
    options: tuple[str, ...] = ()
    item_key = None
    if annotation is bool:
        kind = "yesno" if required else "checkbox"
    elif annotation is datetime:
        kind = "datetime"
    elif annotation is date:
        kind = "date"
    elif annotation is int:
        kind = "number"
    elif annotation is str:
        kind = "multiline" if _multi_line(metadata) else "text"
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        kind, options = "choice", tuple(str(e.value) for e in annotation)
    elif typing.get_origin(annotation) is Literal:
        kind, options = "choice", tuple(str(a) for a in typing.get_args(annotation))
    elif typing.get_origin(annotation) is list:
        item = typing.get_args(annotation)[0]
        found = _text_item(item)
        if found is not None:
            kind, item_key = found
        elif isinstance(item, type) and issubclass(item, BaseModel):
            sub = fields_of(item)
            if sub and all(f.kind not in ("lines", "paragraphs", "rows") for f in sub):
                return FormField(name=name, kind="rows", required=required and not optional, sub=sub)
    if kind is None:
        return None
    return FormField(name=name, kind=kind, required=required and not optional, options=options, item_key=item_key,
                     max_length=_max_length(metadata) if kind in ("text", "multiline") else None)


def fields_of(model: type[BaseModel]) -> tuple[FormField, ...] | None:
    """The form of ``model``: a field per model field the person fills in; None when a required one has no form."""
    out = []
    for name, info in model.model_fields.items():
        if name in NOT_A_FIELD:
            continue
        found = field_of(name, info)
        if found is None:
            if info.is_required():
                return None
            continue  # optional and not simple: left out of the form (the API can send it)
        out.append(found)
    return tuple(out)


def items_of(text: str, kind: str) -> list[str]:
    """A ``lines`` field's lines, a ``paragraphs`` field's paragraphs; empty ones dropped."""
    text = text.replace("\r\n", "\n")
    parts = BLANK_LINE.split(text) if kind == "paragraphs" else text.split("\n")
    return [p.strip() for p in parts if p.strip()]


def typed(fields: tuple[FormField, ...], form: FormData) -> dict[str, str]:
    """What was typed, per field (and per item of a ``rows`` field), as text: to show again, nothing lost."""
    rows = tuple(f"{f.name}-" for f in fields if f.kind == "rows")
    return {**{f.name: str(form.get(f.name, "")) for f in fields if f.kind != "rows"},
            **{k: str(v) for k, v in form.items() if rows and k.startswith(rows)}}


def data_of(fields: tuple[FormField, ...], values: dict[str, str], timezone: str,
            rows: dict[str, int] | None = None) -> dict[str, Any]:
    """The model's input from the typed values; an empty optional field is left out (its default).
    ``rows``: how many items each ``rows`` field has."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.kind == "rows":
            data[f.name] = [data_of(f.sub, {s.name: values.get(f"{f.name}-{i}-{s.name}", "") for s in f.sub},
                                    timezone) for i in range((rows or {}).get(f.name, 0))]
            continue
        raw = values.get(f.name, "")
        if f.kind == "checkbox":
            data[f.name] = raw == "ja"
            continue
        if f.kind in ("lines", "paragraphs"):
            items = items_of(raw, f.kind)
            if items or f.required:
                data[f.name] = [{f.item_key: i} for i in items] if f.item_key else items
            continue
        value = raw if f.kind in ("multiline",) else raw.strip()
        if not value.strip():
            continue  # empty: a required field is reported missing, an optional one keeps its default
        if f.kind == "yesno":
            data[f.name] = {"ja": True, "nee": False}.get(value, value)
        elif f.kind == "datetime":
            data[f.name] = _local_moment(value, timezone)
        else:
            data[f.name] = value
    return data


def _local_moment(value: str, timezone: str) -> Any:
    """``2027-03-01T19:30`` as that moment where the corporation is; anything else is left to the model."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(timezone))
    except ValueError:
        return value


@dataclass(frozen=True)
class FieldError:
    field: str  # the form field's name; "" when it names no field of the form
    item: int | None  # the item of a list field, counted from 1
    sub: str | None  # the field of that item (a ``rows`` field)
    code: str
    reason: str
    context: dict[str, Any]


def errors_of_model(e: ValidationError) -> list[FieldError]:
    """The model's errors, each on its form field (with pydantic's context: a maximum length, say)."""
    out = []
    for err in e.errors():
        param = invalid_param(err)
        out.append(_on_field(param, dict(err.get("ctx") or {})))
    return out


def errors_of_params(params: list[InvalidParam]) -> list[FieldError]:
    """The workflow's or the API's errors (a 400's ``invalidParams``), each on its form field."""
    return [_on_field(p, {}) for p in params]


_PATH = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\](?:\.([A-Za-z_][A-Za-z0-9_]*))?)?")


def _on_field(param: InvalidParam, context: dict[str, Any]) -> FieldError:
    m = _PATH.match(param.name)
    field = m.group(1) if m else ""
    item = int(m.group(2)) + 1 if m and m.group(2) is not None else None
    return FieldError(field=field, item=item, sub=m.group(3) if m else None, code=param.code, reason=param.reason,
                      context=context)
