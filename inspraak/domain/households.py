"""The complex of a renovation, its homes and the households that rent them, and their CSV import.

A renovation concerns one complex (id, name, address) and the homes in it; each home is rented by one
household: the tenant, an optional co-tenant (medehuurder) who answers together with the tenant, the
contract (huurovereenkomst) number, the current rent and optional contact details.

CSV format (:func:`parse_households`)
-------------------------------------
UTF-8, with or without a byte-order mark. The separator is ``;`` (what Dutch Excel writes) or ``,``: the
header line decides (``;`` when it holds one, else ``,``). The first line is the header; column names
are matched without regard to case or surrounding spaces, in Dutch or English, in any order:

============================  ===================  ==========  =========================================
Dutch                         English alias        required    rule
============================  ===================  ==========  =========================================
``eenheid``                   ``unit_id``          yes         letters, digits, ``. _ / -``; at most 40
``adres``                     ``address``          yes         one line, at most 200 characters
``huurder``                   ``tenant_name``      yes         one line, at most 200 characters
``medehuurder``               ``co_tenant_name``   no          one line, at most 200 characters
``contractnummer``            ``contract_number``  yes         letters, digits, ``. _ / -``; at most 40
``huur``                      ``current_rent``     yes         euros: ``812,50``, ``1.234,56``, ``812.50``
``email`` / ``e-mail``        ``email``            no          an e-mail address
``telefoon``                  ``phone``            no          digits, spaces, ``+ - ( )``; at most 20
============================  ===================  ==========  =========================================

Example (what Dutch Excel saves as "CSV (gescheiden door lijstscheidingsteken)")::

    eenheid;adres;huurder;medehuurder;contractnummer;huur;email;telefoon
    101-001;Molenweg 1, 1236 EF Voorbeeldstad;J. de Boer;A. de Boer-Smit;HO-2019-0031;812,50;jdeboer@example.nl;
    101-002;Molenweg 3, 1236 EF Voorbeeldstad;F. El Amrani;;HO-2021-0107;745,10;;06 12345678

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first household row 2. Blank
rows are skipped (Excel leaves them at the end). An unknown or repeated column is refused (a misspelt
optional column would otherwise be silently ignored). Every bad row is reported with its row number,
column and rule, and nothing is imported when any row is bad. Unit ids and contract numbers must be
unique (compared without regard to case). At most :data:`MAX_HOUSEHOLDS` rows and
:data:`MAX_CSV_CHARS` characters; an empty file, or one with only a header, is refused.

Pure Python; no I/O.
"""

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from inspraak.domain.text import OneLine

MAX_HOUSEHOLDS = 2_000
# 2,000 rows of a few hundred characters each; anything far beyond this is not a household list.
MAX_CSV_CHARS = 2_000_000
MAX_RENT = Decimal("10000")

_CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"
Code = Annotated[OneLine, Field(min_length=1, max_length=40, pattern=_CODE)]
Name = Annotated[OneLine, Field(min_length=1, max_length=200)]
Phone = Annotated[OneLine, Field(min_length=1, max_length=20, pattern=r"^\+?[0-9 ()-]+$")]

_RENT_COMMA = re.compile(r"^\d+(,\d{1,2})?$")  # 812,50
_RENT_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")  # 1.234,56
_RENT_POINT = re.compile(r"^\d+\.\d{1,2}$")  # 812.50


def parse_euros(value: Any) -> Any:
    """A rent as written in a Dutch spreadsheet ("€ 812,50", "1.234,56") or with a decimal point ("812.50").

    Anything but a string is left to pydantic (a number from JSON is fine as it is).
    """
    if not isinstance(value, str):
        return value
    text = value.replace("€", "").replace("\u00a0", "").replace(" ", "")
    if _RENT_COMMA.match(text) or _RENT_THOUSANDS.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif not _RENT_POINT.match(text):
        raise PydanticCustomError(
            "rent_format", "must be an amount in euros with at most two decimals, such as 812,50 (found '{value}')",
            {"value": value[:40]})
    try:
        return Decimal(text)
    except InvalidOperation as e:  # pragma: no cover - the patterns above only let numbers through
        raise PydanticCustomError("rent_format", "must be an amount in euros") from e


Rent = Annotated[Decimal, BeforeValidator(parse_euros),
                 Field(gt=0, le=MAX_RENT, max_digits=7, decimal_places=2)]


class Complex(BaseModel):
    """The complex (wooncomplex or part of one) that the renovation concerns."""

    model_config = ConfigDict(extra="forbid")

    id: Code
    name: Name
    address: Name
    # How many rented units the whole wooncomplex has, when it is more than the homes in this renovation;
    # decides whether a bewonerscommissie there has rights under the Wohv (art. 1 lid 1 c: at least 25).
    units_in_complex: int | None = Field(default=None, ge=1, le=100_000)


class Household(BaseModel):
    """One home and the household that rents it; tenant and co-tenant answer the vote together."""

    model_config = ConfigDict(extra="forbid")

    unit_id: Code
    address: Name
    tenant_name: Name
    co_tenant_name: Name | None = None
    contract_number: Code
    current_rent: Rent
    email: EmailStr | None = Field(default=None, max_length=254)
    phone: Phone | None = None


class Households(BaseModel):
    """The households of one complex: unique unit ids and contract numbers, at most 2,000."""

    model_config = ConfigDict(extra="forbid")

    households: list[Household] = Field(min_length=1, max_length=MAX_HOUSEHOLDS)

    @field_validator("households")
    @classmethod
    def _unique(cls, value: list[Household]) -> list[Household]:
        for what, key in (("unit id", "unit_id"), ("contract number", "contract_number")):
            seen: set[str] = set()
            for h in value:
                k = getattr(h, key).casefold()
                if k in seen:
                    raise ValueError(f"{what} {getattr(h, key)} appears more than once")
                seen.add(k)
        return value

    def get(self, unit_id: str) -> Household | None:
        key = unit_id.casefold()
        return next((h for h in self.households if h.unit_id.casefold() == key), None)


# Column names in the file (Dutch and English) -> field of Household.
COLUMNS: dict[str, str] = {
    "eenheid": "unit_id", "unit_id": "unit_id",
    "adres": "address", "address": "address",
    "huurder": "tenant_name", "tenant_name": "tenant_name",
    "medehuurder": "co_tenant_name", "co_tenant_name": "co_tenant_name",
    "contractnummer": "contract_number", "contract_number": "contract_number",
    "huur": "current_rent", "current_rent": "current_rent",
    "email": "email", "e-mail": "email",
    "telefoon": "phone", "phone": "phone",
}
REQUIRED = ("unit_id", "address", "tenant_name", "contract_number", "current_rent")
_DUTCH = {field: name for name, field in reversed(list(COLUMNS.items()))}


class RowError(BaseModel):
    """One thing wrong in the file: the row (header = 1, 0 for the file as a whole), column and rule."""

    row: int
    column: str  # as written in the header; "" for the row or the file as a whole
    code: str  # stable: missing, rent_format, duplicate_unit_id, string_too_long, ...
    message: str


class HouseholdImportError(ValueError):
    """The file was refused; ``errors`` lists everything wrong with it. Nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = [f"row {e.row}, {e.column or '-'}: {e.message} ({e.code})" for e in errors[:20]]
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the household file:\n" + "\n".join(lines) + more)


def _file_error(code: str, message: str, row: int = 0, column: str = "") -> HouseholdImportError:
    return HouseholdImportError([RowError(row=row, column=column, code=code, message=message)])


def parse_households(text: str) -> Households:
    """The households in a CSV file (format in this module's docstring).

    Raises:
        HouseholdImportError: listing every bad row with its row number, column and rule.
    """
    if len(text) > MAX_CSV_CHARS:
        raise _file_error("file_too_large", f"the file has more than {MAX_CSV_CHARS:,} characters")
    text = text.removeprefix("\ufeff")
    head = next((line for line in text.split("\n") if line.strip()), None)
    if head is None:
        raise _file_error("empty_file", "the file is empty")
    delimiter = ";" if ";" in head else ","
    # Records, not lines: a quoted cell may hold a line break, and a spreadsheet counts records as rows.
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False))
    first = next(n for n, r in enumerate(records) if any(cell.strip() for cell in r))
    header = records[first]
    header_row = first + 1

    columns: list[str | None] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for name in header:
        key = name.strip().casefold()
        field = COLUMNS.get(key)
        if field is None:
            errors.append(RowError(row=header_row, column=name.strip(), code="unknown_column",
                                   message="unknown column; known are: " + ", ".join(dict.fromkeys(COLUMNS))))
        elif field in seen:
            errors.append(RowError(row=header_row, column=name.strip(), code="duplicate_column",
                                   message=f"this column is already given as '{seen[field]}'"))
        else:
            seen[field] = name.strip()
        columns.append(field if field is not None and seen.get(field) == name.strip() else None)
    for field in REQUIRED:
        if field not in seen:
            errors.append(RowError(row=header_row, column=_DUTCH[field], code="missing_column",
                                   message=f"the required column '{_DUTCH[field]}' (or '{field}') is missing"))
    if errors:
        raise HouseholdImportError(errors)

    rows = [(n + 1, r) for n, r in enumerate(records) if n > first and any(cell.strip() for cell in r)]
    if not rows:
        raise _file_error("no_households", "the file has a header but no households")
    if len(rows) > MAX_HOUSEHOLDS:
        raise _file_error("too_many_rows", f"the file has {len(rows):,} households; at most {MAX_HOUSEHOLDS:,}")

    households: list[Household] = []
    firsts: dict[str, dict[str, int]] = {"unit_id": {}, "contract_number": {}}
    for row, cells in rows:
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            hint = " (with ',' as separator, write a rent as 812.50 or in quotes: \"812,50\")" \
                if delimiter == "," else ""
            errors.append(RowError(row=row, column="", code="too_many_fields",
                                   message=f"the row has {len(cells)} fields, the header {len(columns)}{hint}"))
            continue
        values = {f: cells[i].strip() for i, f in enumerate(columns) if f is not None and i < len(cells)}
        # Duplicates are checked on what is written, so a row that is also wrong otherwise still counts.
        for field, what in (("unit_id", "unit id"), ("contract_number", "contract number")):
            key = values.get(field, "")
            if not key:
                continue
            if key.casefold() in firsts[field]:
                errors.append(RowError(row=row, column=seen[field], code=f"duplicate_{field}",
                                       message=f"{what} {key} is already on row {firsts[field][key.casefold()]}"))
            else:
                firsts[field][key.casefold()] = row
        try:
            households.append(Household.model_validate({k: v for k, v in values.items() if v}))
        except ValidationError as e:
            for err in e.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                code = "missing" if err["type"] == "missing" else err["type"]
                message = "is required" if code == "missing" else err["msg"]
                errors.append(RowError(row=row, column=seen.get(field, _DUTCH.get(field, field)), code=code,
                                       message=message))
    if errors:
        raise HouseholdImportError(errors)
    return Households(households=households)


class RegisterKey(BaseModel):
    """Where a household register is kept and its sha256, without its unit ids: what one household's mail
    carries (a thousand mails each carrying a thousand unit ids made one workflow task 6 MB, past gRPC's 4 MB)."""

    key: str = Field(min_length=1, max_length=300)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class RegisterRef(RegisterKey):
    """Where a renovation's household register is kept: what workflows carry instead of the households.

    The register itself (names, addresses, contact details) is JSON of :class:`Households` in the document
    store, staff only; its sha256 proves that an activity reads the very register the trajectory started with.
    """

    unit_ids: list[str] = Field(max_length=MAX_HOUSEHOLDS)  # empty once personal data is erased

    def key_only(self) -> RegisterKey:
        return RegisterKey(key=self.key, sha256=self.sha256)


def register_key(trajectory_id: str) -> str:
    """The object key of a trajectory's household register."""
    return f"trajectories/{trajectory_id}/register/households.json"
