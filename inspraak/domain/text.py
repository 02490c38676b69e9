"""What text and dates every input accepts, stated once as reusable ``Annotated`` types.

- :data:`OneLine`: a subject, name, reference or title. It ends up in a mail header, a file name, a
  table cell: a control character or a line separator (CR, LF, TAB, VT, FF, BEL, NUL, NEL, U+2028,
  U+2029, ...) is refused with the stable code ``control_character``, naming the field.
- :data:`MultiLine`: free text that users write in paragraphs (intention, reasons, notes, motivations).
  Line breaks stay (CR LF, CR, NEL, U+2028 and U+2029 become LF; a tab stays); every other control
  character is dropped, since nobody means to type one and it would break the Word file's XML.
- :data:`Day`: a date between 1970-01-01 and 2100-12-31 (code ``date_out_of_range``). Outside that range
  no term, search attribute or letter makes sense, and time zones have no fixed offset before 1937.

Lengths are set per field with ``Field(min_length=..., max_length=...)``; they count characters after
the clean-up. Pure Python; no I/O.
"""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2100, 12, 31)

# C0 controls, DEL, C1 controls (NEL is U+0085 among them), and Unicode's line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile("\r\n|[\r\x85\u2028\u2029]")
# What multi-line text keeps of the controls: line feed and tab.
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _one_line(value: str) -> str:
    m = _CONTROL.search(value)
    if m is not None:
        raise PydanticCustomError(
            "control_character",
            "must be a single line without control characters (found U+{codepoint} at position {position})",
            {"codepoint": f"{ord(m.group()):04X}", "position": m.start()})
    return value


def clean_multi_line(value: Any) -> Any:
    """Line breaks as LF, other control characters dropped; anything but a string is left to pydantic."""
    if not isinstance(value, str):
        return value
    return _DROPPED.sub("", _LINE_BREAK.sub("\n", value))


def one_line_safe(value: str, replacement: str = " ") -> str:
    """``value`` with every control character and line separator replaced: for output that must be one line."""
    return _CONTROL.sub(replacement, value)


def _in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("date_out_of_range", "must lie between {first} and {last}",
                                  {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})
    return value


OneLine = Annotated[str, AfterValidator(_one_line),
                    Field(json_schema_extra={"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$"})]
MultiLine = Annotated[str, BeforeValidator(clean_multi_line)]
Day = Annotated[date, AfterValidator(_in_range),
                Field(json_schema_extra={"formatMinimum": FIRST_DAY.isoformat(),
                                         "formatMaximum": LAST_DAY.isoformat()})]
