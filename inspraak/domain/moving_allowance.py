"""The minimum moving allowance of BW 7:220 lid 5–6, as a table of periods that staff keep up to date.

BW 7:220 lid 5: when a renovation makes moving necessary, the landlord pays at least a minimum
contribution to the moving and furnishing costs. Lid 6: that minimum is set by ministerial regulation and
indexed every year before 1 March. The figures are therefore data (``demo/moving_allowance.toml``, read by
the composition root and handed to :func:`parse_moving_allowance_table`), never constants in code. The
verified figures: €6,505 until 28-02-2023, €7,156 from 1-3-2023; later periods are in the table without an
amount until staff fill them in. :data:`~inspraak.domain.terms.MOVING_ALLOWANCE_INDEXATION` reminds them.

:meth:`MovingAllowanceTable.amount_on` refuses a date after the last period, or in a period without an
amount, with a message telling staff what to update: a letter must never carry a guessed amount.

Pure Python; no I/O (the caller reads the file).
"""

import tomllib
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from inspraak.domain.text import Day, OneLine

TO_BE_UPDATED = "to be updated by staff"


class AllowancePeriod(BaseModel):
    """One period of the table: from and until (inclusive) and the amount, or None until staff fill it in."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    valid_from: Day = Field(alias="from")
    valid_until: Day = Field(alias="until")
    amount: Decimal | None = Field(default=None, gt=0, le=100_000, decimal_places=2)
    source: OneLine = Field(min_length=1, max_length=300)


class MovingAllowanceUnknownError(LookupError):
    """The table holds no amount for the date; the message tells staff what to update."""


class MovingAllowance(BaseModel):
    """The minimum amount on a date, and the period it belongs to (for the letter: "bedrag 2023")."""

    amount: Decimal
    valid_from: date
    valid_until: date
    article: str = "artikel 7:220 lid 5 en 6 Burgerlijk Wetboek"


class MovingAllowanceTable(BaseModel):
    """The periods, in order, without gaps or overlaps."""

    model_config = ConfigDict(extra="forbid")

    periods: list[AllowancePeriod] = Field(min_length=1, max_length=200)

    @field_validator("periods")
    @classmethod
    def _contiguous(cls, periods: list[AllowancePeriod]) -> list[AllowancePeriod]:
        for n, p in enumerate(periods):
            if p.valid_until < p.valid_from:
                raise ValueError(f"period {n + 1} ends ({p.valid_until}) before it starts ({p.valid_from})")
            if n and p.valid_from != periods[n - 1].valid_until + timedelta(days=1):
                raise ValueError(f"period {n + 1} starts on {p.valid_from}; it must start the day after period {n} "
                                 f"ends ({periods[n - 1].valid_until + timedelta(days=1)})")
        return periods

    def amount_on(self, day: date) -> MovingAllowance:
        """The minimum moving allowance of BW 7:220 lid 6 on ``day``.

        Raises:
            MovingAllowanceUnknownError: ``day`` lies outside the table or in a period without an amount.
        """
        first, last = self.periods[0], self.periods[-1]
        if day < first.valid_from:
            raise MovingAllowanceUnknownError(
                f"the moving allowance table starts on {first.valid_from}; it has no amount for {day}")
        if day > last.valid_until:
            raise MovingAllowanceUnknownError(
                f"the moving allowance table ends on {last.valid_until}; it has no amount for {day}. The minimum is "
                "indexed every year before 1 March (BW 7:220 lid 6): staff must add the new period and its amount "
                "to the moving allowance file")
        period = next(p for p in self.periods if p.valid_from <= day <= p.valid_until)
        if period.amount is None:
            raise MovingAllowanceUnknownError(
                f"the moving allowance for {period.valid_from} to {period.valid_until} is not filled in yet "
                "(BW 7:220 lid 6 indexes it every year before 1 March): staff must enter the published amount in "
                "the moving allowance file")
        return MovingAllowance(amount=period.amount, valid_from=period.valid_from, valid_until=period.valid_until)


def parse_moving_allowance_table(text: str) -> MovingAllowanceTable:
    """The table from the text of a moving allowance file (TOML, as ``demo/moving_allowance.toml``).

    Raises:
        ValueError: the text is no TOML, or a period is wrong (pydantic's ValidationError names it).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"the moving allowance file is not valid TOML: {e}") from e
    return MovingAllowanceTable.model_validate(data)
