"""The minimum moving allowance table of BW 7:220 lid 5-6."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from inspraak.domain.moving_allowance import MovingAllowanceUnknownError, parse_moving_allowance_table

DEMO = Path(__file__).resolve().parents[2] / "demo" / "moving_allowance.toml"
TABLE = parse_moving_allowance_table(DEMO.read_text(encoding="utf-8"))


def test_until_28_february_2023_the_minimum_is_6505_euros_bw_7_220_lid_6() -> None:
    assert TABLE.amount_on(date(2023, 2, 28)).amount == Decimal("6505")


def test_from_1_march_2023_the_minimum_is_7156_euros_bw_7_220_lid_6() -> None:
    allowance = TABLE.amount_on(date(2023, 3, 1))
    assert (allowance.amount, allowance.valid_from) == (Decimal("7156"), date(2023, 3, 1))
    assert "7:220 lid 5 en 6" in allowance.article
    assert TABLE.amount_on(date(2024, 2, 29)).amount == Decimal("7156")


def test_a_period_not_yet_filled_in_asks_staff_to_update_the_table_bw_7_220_lid_6() -> None:
    with pytest.raises(MovingAllowanceUnknownError, match="not filled in yet.*staff must enter"):
        TABLE.amount_on(date(2024, 3, 1))


def test_a_date_past_the_last_period_asks_staff_to_add_it_bw_7_220_lid_6() -> None:
    last = TABLE.periods[-1].valid_until
    with pytest.raises(MovingAllowanceUnknownError, match=f"ends on {last}.*staff must add the new period"):
        TABLE.amount_on(date(last.year + 1, 1, 1))


def test_a_date_before_the_table_is_refused() -> None:
    with pytest.raises(MovingAllowanceUnknownError, match="starts on 2022-03-01"):
        TABLE.amount_on(date(2020, 1, 1))


def test_every_period_after_the_verified_ones_is_marked_to_be_updated() -> None:
    unverified = [p for p in TABLE.periods if p.amount is None]
    assert unverified and all(p.source == "to be updated by staff" for p in unverified)
    assert all(p.valid_from.month == 3 and p.valid_from.day == 1 for p in TABLE.periods)


def test_a_gap_between_periods_is_refused() -> None:
    text = """
[[periods]]
from = 2023-03-01
until = 2024-02-28
amount = "7156"
source = "x"
[[periods]]
from = 2024-03-01
until = 2025-02-28
source = "x"
"""
    with pytest.raises(ValidationError, match="must start the day after"):
        parse_moving_allowance_table(text)


def test_a_file_that_is_no_toml_is_refused() -> None:
    with pytest.raises(ValueError, match="not valid TOML"):
        parse_moving_allowance_table("[[periods]\n")
