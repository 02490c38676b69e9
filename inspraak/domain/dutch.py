"""Dutch dates and amounts as letters, mails and timelines show them ("3 januari 2027", "€ 1.234,50")."""

import string
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

# One Locale object, its data loaded here at import: workflow code formats dates too, and babel's lazy
# loading (file reads behind a lock) may not run inside Temporal's workflow sandbox.
LOCALE = Locale.parse("nl_NL")


def _as_date(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def datum(value: date | datetime | str | None) -> str:
    """``3 januari 2027``."""
    d = _as_date(value)
    return "" if d is None else format_date(d, "d MMMM y", locale=LOCALE)


def datum_lang(value: date | datetime | str | None) -> str:
    """``zondag 3 januari 2027``."""
    d = _as_date(value)
    return "" if d is None else format_date(d, "EEEE d MMMM y", locale=LOCALE)


def bedrag(value: Decimal | float | int | str | None) -> str:
    """``€ 1.234,50``."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except ArithmeticError as e:
        raise ValueError(f"the bedrag filter needs an amount, not {value!r}") from e
    return format_currency(amount, "EUR", locale=LOCALE)


def opsomming(items: list[str]) -> str:
    """``a, b en c``: one "en", before the last item."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def aantal(count: int, one: str, more: str) -> str:
    """``1 woning``, ``3 woningen``: the noun as the number asks, never "woning(en)"."""
    return f"{count} {one if count == 1 else more}"


class _Regel(string.Formatter):
    """``str.format`` with Dutch dates and counted nouns: ``{homes:woning|woningen}`` is ``1 woning`` or
    ``3 woningen``; a date or moment among the facts is written as :func:`datum`."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec and isinstance(value, int):
            one, more = format_spec.split("|", 1)
            return aantal(value, one, more)
        if isinstance(value, date | datetime) and not format_spec:
            return datum(value)
        return str(super().format_field(value, format_spec))


_REGEL = _Regel()


def regel(template: str, **facts: object) -> str:
    """``template`` filled with ``facts`` (see :class:`_Regel`): how every timeline line is written."""
    return _REGEL.format(template, **facts)


datum(date(2000, 1, 1)), datum_lang(date(2000, 1, 1)), bedrag(1)  # load the locale's data now (see LOCALE)
