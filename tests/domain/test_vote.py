"""The draagvlakmeting (BW 7:220 lid 2-3): the frozen list, answers, the tally and reply codes."""

import random
import secrets
from datetime import date
from decimal import Decimal

import pytest

from inspraak.domain.households import Household, Households
from inspraak.domain.vote import (
    CONSENT_THRESHOLD_PERCENT,
    MAX_ANSWERS_PER_HOME,
    MINIMUM_HOMES,
    NO_ANSWER_COUNTS_AS,
    REPLY_CODE_ALPHABET,
    REPLY_CODE_LENGTH,
    Answer,
    Channel,
    Choice,
    Vote,
    VoteError,
    format_reply_code,
    freeze_roll,
    hash_reply_code,
    new_reply_code,
    normalise_reply_code,
    threshold_reached,
)

SENT = date(2027, 3, 1)
TODAY = date(2027, 3, 20)
KEY = b"k" * 32
TRAJECTORY = "ren-2027-0000000001"


def households(n: int) -> Households:
    return Households(households=[
        Household(unit_id=f"U{i:03d}", address=f"Straat {i}", tenant_name=f"Huurder {i}", contract_number=f"C{i}",
                  current_rent=Decimal("700")) for i in range(n)])


def vote(n: int, hashes: dict[str, str] | None = None, version: int = 1) -> Vote:
    return Vote(trajectory_id=TRAJECTORY, roll=freeze_roll(households(n), SENT, version, hashes))


def answer(unit: str, choice: Choice = Choice.AGREED, on: date = date(2027, 3, 10),
           channel: Channel = Channel.PAPER) -> Answer:
    return Answer(unit_id=unit, choice=choice, channel=channel, answered_on=on, recorded_by="staff-1")


def agree(v: Vote, n: int) -> None:
    for i in range(n):
        v.record(answer(f"U{i:03d}"), TODAY)


def test_the_thresholds_are_70_percent_and_10_homes_bw_7_220_lid_3() -> None:
    assert (CONSENT_THRESHOLD_PERCENT, MINIMUM_HOMES) == (70, 10)


def test_seven_of_ten_homes_agreeing_reaches_70_percent_exactly_bw_7_220_lid_3() -> None:
    v = vote(10)
    agree(v, 7)
    t = v.tally()
    assert (t.agreed, t.no_answer, t.percent_agreed, t.still_needed, t.reached) == (7, 3, Decimal("70.00"), 0, True)


def test_six_of_ten_homes_is_short_by_one_bw_7_220_lid_3() -> None:
    v = vote(10)
    agree(v, 6)
    t = v.tally()
    assert (t.reached, t.still_needed) == (False, 1)


def test_all_of_nine_homes_agreeing_is_not_enough_homes_bw_7_220_lid_3() -> None:
    v = vote(9)
    agree(v, 9)
    t = v.tally()
    assert (t.percent_agreed, t.enough_homes, t.reached) == (Decimal("100.00"), False, False)


def test_the_percentage_is_rounded_down_so_it_never_shows_70_for_less_bw_7_220_lid_3() -> None:
    assert not threshold_reached(699, 1000)
    v = vote(1000)
    agree(v, 699)
    t = v.tally()
    assert (t.percent_agreed, t.still_needed, t.reached) == (Decimal("69.90"), 1, False)


def test_a_home_that_does_not_answer_counts_as_not_agreeing_practice_not_in_bw_7_220() -> None:
    assert NO_ANSWER_COUNTS_AS is Choice.NOT_AGREED
    v = vote(20)
    agree(v, 13)  # 13 of 20 = 65%, although all who answered agreed
    t = v.tally()
    assert (t.total, t.agreed, t.not_agreed, t.no_answer, t.reached) == (20, 13, 0, 7, False)
    assert v.homes_not_agreeing() == [f"U{i:03d}" for i in range(13, 20)]


def test_the_denominator_is_the_list_frozen_at_the_reference_date_bw_7_220_lid_3() -> None:
    v = vote(12)
    assert v.roll.reference_date == SENT and v.tally().total == 12
    with pytest.raises(VoteError, match="not on the list"):
        v.record(answer("U999"), TODAY)


def test_a_later_answer_replaces_an_earlier_one_and_both_stay_in_the_record() -> None:
    v = vote(10)
    v.record(answer("U001", Choice.NOT_AGREED, date(2027, 3, 5)), TODAY)
    v.record(answer("U001", Choice.AGREED, date(2027, 3, 12), Channel.HOME_VISIT), TODAY)
    assert (v.tally().agreed, v.tally().not_agreed) == (1, 0)
    assert [a.choice for a in v.history("U001")] == [Choice.NOT_AGREED, Choice.AGREED]


def test_an_older_form_recorded_late_does_not_undo_a_newer_answer() -> None:
    v = vote(10)
    v.record(answer("U001", Choice.AGREED, date(2027, 3, 12), Channel.REPLY_CODE), TODAY)
    v.record(answer("U001", Choice.NOT_AGREED, date(2027, 3, 5)), TODAY)
    assert v.current()["U001"].choice is Choice.AGREED
    assert len(v.history("U001")) == 2


def test_on_the_same_day_the_answer_recorded_last_counts() -> None:
    v = vote(10)
    v.record(answer("U001", Choice.AGREED), TODAY)
    v.record(answer("U001", Choice.NOT_AGREED), TODAY)
    assert v.current()["U001"].choice is Choice.NOT_AGREED


def test_an_answer_dated_before_the_proposals_or_after_today_is_refused() -> None:
    v = vote(10)
    with pytest.raises(VoteError, match="before the proposals"):
        v.record(answer("U001", on=date(2027, 2, 28)), TODAY)
    with pytest.raises(VoteError, match="after today"):
        v.record(answer("U001", on=date(2027, 3, 21)), TODAY)


def test_a_home_gives_at_most_ten_answers() -> None:
    v = vote(10)
    for _ in range(MAX_ANSWERS_PER_HOME):
        v.record(answer("U001"), TODAY)
    with pytest.raises(VoteError, match="already given"):
        v.record(answer("U001"), TODAY)


def test_no_answer_is_taken_after_the_vote_closed_and_the_tally_is_final() -> None:
    v = vote(10)
    agree(v, 8)
    t = v.close(TODAY)
    assert (t.reached, t.closed_on) == (True, TODAY)
    with pytest.raises(VoteError, match="closed"):
        v.record(answer("U009"), TODAY)
    with pytest.raises(VoteError, match="already closed"):
        v.close(TODAY)


def test_the_tally_names_no_household_and_the_staff_view_does() -> None:
    v = vote(10)
    v.record(answer("U003", Choice.NOT_AGREED), TODAY)
    dumped = v.tally().model_dump_json()
    assert "U003" not in dumped and "staff-1" not in dumped and "Huurder" not in dumped
    row = v.staff_view()[3]
    assert (row.unit_id, row.choice, row.channel, row.recorded_by, row.answers) == (
        "U003", Choice.NOT_AGREED, Channel.PAPER, "staff-1", 1)
    assert v.staff_view()[4].choice is None


def test_reminders_go_to_the_homes_without_an_answer() -> None:
    v = vote(10)
    agree(v, 8)
    assert v.homes_without_answer() == ["U008", "U009"]


def test_a_unit_id_is_matched_without_regard_to_case() -> None:
    v = vote(10)
    assert v.record(answer("u001"), TODAY).unit_id == "U001"


# Reply codes.

def test_a_reply_code_has_at_least_48_bits_from_an_unambiguous_alphabet() -> None:
    assert len(REPLY_CODE_ALPHABET) == 32 and not set("ILOU") & set(REPLY_CODE_ALPHABET)
    assert REPLY_CODE_LENGTH * 5 >= 48
    code = new_reply_code(secrets)
    assert len(code) == REPLY_CODE_LENGTH and set(code) <= set(REPLY_CODE_ALPHABET)


def test_the_generator_uses_only_the_source_it_is_given() -> None:
    assert new_reply_code(random.Random(7)) == new_reply_code(random.Random(7))


def test_a_typed_code_is_normalised() -> None:
    code = "0123456789"
    assert normalise_reply_code(" o1234-56789 ") == code
    assert normalise_reply_code(format_reply_code("ABCDEFGHJK").lower()) == "ABCDEFGHJK"
    assert normalise_reply_code("ABCDEFGHJ") is None and normalise_reply_code("ABCDEFGHJU") is None


def test_only_the_keyed_hash_is_kept_and_it_differs_per_version() -> None:
    code = new_reply_code(random.Random(1))
    h1 = hash_reply_code(code, KEY, TRAJECTORY, 1)
    assert code not in h1 and len(h1) == 64
    assert h1 != hash_reply_code(code, KEY, TRAJECTORY, 2)
    assert h1 != hash_reply_code(code, b"x" * 32, TRAJECTORY, 1)
    with pytest.raises(ValueError, match="32 bytes"):
        hash_reply_code(code, b"short", TRAJECTORY, 1)


def codes_for(v_version: int, n: int) -> tuple[dict[str, str], dict[str, str]]:
    rng = random.Random(42)
    codes = {f"U{i:03d}": new_reply_code(rng) for i in range(n)}
    return codes, {u: hash_reply_code(c, KEY, TRAJECTORY, v_version) for u, c in codes.items()}


def test_a_household_answers_with_its_own_code_and_may_use_it_again_while_open() -> None:
    codes, hashes = codes_for(1, 10)
    v = vote(10, hashes)
    assert codes["U004"] not in v.model_dump_json()
    h = hash_reply_code(codes["U004"], KEY, TRAJECTORY, 1)
    v.record(v.answer_by_code(h, Choice.NOT_AGREED, TODAY), TODAY)
    v.record(v.answer_by_code(h, Choice.AGREED, TODAY), TODAY)
    assert v.current()["U004"].channel is Channel.REPLY_CODE and v.current()["U004"].choice is Choice.AGREED


def test_a_wrong_code_or_a_code_of_another_proposal_version_is_refused() -> None:
    codes, _ = codes_for(1, 10)
    _, hashes_v2 = codes_for(2, 10)
    v2 = vote(10, hashes_v2, version=2)
    with pytest.raises(VoteError, match="not valid"):
        v2.answer_by_code(hash_reply_code(codes["U004"], KEY, TRAJECTORY, 1), Choice.AGREED, TODAY)
    with pytest.raises(VoteError, match="not valid"):
        v2.answer_by_code("0" * 64, Choice.AGREED, TODAY)


def test_a_code_is_refused_once_the_vote_closed() -> None:
    codes, hashes = codes_for(1, 10)
    v = vote(10, hashes)
    v.close(TODAY)
    with pytest.raises(VoteError, match="closed"):
        v.answer_by_code(hash_reply_code(codes["U001"], KEY, TRAJECTORY, 1), Choice.AGREED, TODAY)


def test_a_list_with_two_equal_code_hashes_is_refused() -> None:
    with pytest.raises(ValueError, match="same reply code"):
        vote(10, {"U001": "a" * 64, "U002": "a" * 64})


def test_a_thousand_homes_all_agreeing_reach_70_percent_bw_7_220_lid_3() -> None:
    _, hashes = codes_for(1, 1000)
    v = vote(1000, hashes)
    agree(v, 1000)
    assert v.tally().reached


def test_a_derived_reply_code_is_stable_and_bound_to_trajectory_version_and_unit() -> None:
    from inspraak.domain.vote import REPLY_CODE_ALPHABET, derive_reply_code, unit_for_derived_code

    key = b"k" * 32
    code = derive_reply_code(key, "ren-1", 1, "301-001")
    assert code == derive_reply_code(key, "ren-1", 1, "301-001")  # a retried merge prints the same code
    assert len(code) == 10 and all(c in REPLY_CODE_ALPHABET for c in code)
    others = {derive_reply_code(key, "ren-1", 2, "301-001"), derive_reply_code(key, "ren-2", 1, "301-001"),
              derive_reply_code(key, "ren-1", 1, "301-002"), derive_reply_code(b"x" * 32, "ren-1", 1, "301-001")}
    assert len(others | {code}) == 5
    units = ["301-001", "301-002"]
    assert unit_for_derived_code(code, key, "ren-1", 1, units) == "301-001"
    assert unit_for_derived_code(code, key, "ren-1", 2, units) is None
