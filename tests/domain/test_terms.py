"""The statutory terms: each test names its article."""

from datetime import UTC, date, datetime, time

import pytest

from inspraak.domain.terms import (
    ADVICE_TERM,
    BOD_DEADLINE,
    BUDGET_ACCOUNTING,
    COURT_AFTER_RULING,
    EXECUTION_WAIT,
    RENOVATION_OBJECTION,
    RENT_INCREASE_AFTER_WORKS,
    REPLY_TERM,
    SIGNATURE_TARGET,
    YEARLY_OVERLEG,
    TermPolicy,
    TermTooShortError,
    next_occurrence,
    plan_deadline,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = TermPolicy()


def test_advice_term_is_at_least_six_weeks_from_the_information_wohv_art_5_lid_1():
    s = plan_deadline(ADVICE_TERM, date(2027, 1, 4), POLICY, NOW)
    assert s.due_on == date(2027, 2, 15)
    assert "artikel 5 lid 1" in s.article


def test_a_shorter_advice_term_is_refused_wohv_art_5_lid_1():
    with pytest.raises(TermTooShortError, match="artikel 5 lid 1"):
        plan_deadline(ADVICE_TERM, date(2027, 1, 4), POLICY, NOW, requested_due_on=date(2027, 2, 1))


def test_a_longer_term_agreed_in_the_sok_is_the_minimum_wohv_art_6():
    with pytest.raises(TermTooShortError) as e:
        plan_deadline(ADVICE_TERM, date(2027, 1, 4), POLICY, NOW, requested_due_on=date(2027, 2, 15),
                      minimum_days=56)
    assert e.value.minimum_due_on == date(2027, 3, 1)


def test_advice_term_ending_on_kings_day_moves_to_the_next_working_day_atw_art_1():
    s = plan_deadline(ADVICE_TERM, date(2027, 3, 16), POLICY, NOW)
    assert s.unextended_due_on == date(2027, 4, 27)
    assert s.due_on == date(2027, 4, 28)
    assert s.extended_reason == "Koningsdag"


def test_the_advice_term_extension_can_be_switched_off_domain_brief_1_6():
    s = plan_deadline(ADVICE_TERM, date(2027, 3, 16), TermPolicy(extend_landlord_terms=False), NOW)
    assert s.due_on == date(2027, 4, 27)


def test_the_term_has_passed_at_midnight_after_its_last_day_in_amsterdam():
    s = plan_deadline(ADVICE_TERM, date(2027, 1, 4), POLICY, NOW)
    assert s.expires_at == datetime(2027, 2, 16, 0, 0, tzinfo=s.expires_at.tzinfo)
    assert s.expires_at.utcoffset().total_seconds() == 3600  # CET in February


def test_reminders_fire_14_and_7_days_before_the_advice_term_ends_at_nine():
    s = plan_deadline(ADVICE_TERM, date(2027, 1, 4), POLICY, NOW)
    assert [(r.key, r.on) for r in s.rungs] == [("reminder_14", date(2027, 2, 1)), ("reminder_7", date(2027, 2, 8))]
    assert all(r.fire_at.time() == time(9, 0) for r in s.rungs)


def test_reminders_already_past_are_left_out_after_an_extension():
    as_of = datetime(2027, 2, 5, tzinfo=UTC)
    s = plan_deadline(ADVICE_TERM, date(2027, 1, 4), POLICY, as_of)
    assert [r.key for r in s.rungs] == ["reminder_7"]


def test_the_motivated_reply_is_due_within_14_days_of_receiving_the_advice_wohv_art_5_lid_2():
    s = plan_deadline(REPLY_TERM, date(2027, 1, 4), POLICY, NOW)
    assert s.due_on == date(2027, 1, 18)
    assert [r.key for r in s.rungs] == ["alert_day_7", "alert_day_10", "escalation_day_12"]
    assert s.on_expiry == "escalation"


def test_execution_waits_three_days_after_receipt_of_the_reply_wohv_art_5_lid_3_c():
    s = plan_deadline(EXECUTION_WAIT, date(2027, 1, 4), POLICY, NOW)  # a Monday
    assert s.due_on == date(2027, 1, 7)


def test_the_three_day_wait_holds_two_working_days_atw_art_2():
    s = plan_deadline(EXECUTION_WAIT, date(2026, 12, 24), POLICY, NOW)
    assert s.due_on == date(2026, 12, 29)


def test_court_after_a_huurcommissie_ruling_within_eight_weeks_wohv_art_8a():
    s = plan_deadline(COURT_AFTER_RULING, date(2027, 1, 4), POLICY, NOW)
    assert s.due_on == date(2027, 3, 1)


# ---- terms beyond "N days after an anchor": months, fixed calendar days, yearly obligations -------


def test_the_bod_is_due_before_1_july_woningwet_art_43_lid_1():
    s = plan_deadline(BOD_DEADLINE, date(2027, 1, 1), POLICY, NOW)
    assert s.due_on == date(2027, 6, 30)
    assert "artikel 43 lid 1 Woningwet" in s.article
    # Planned after 1 July, it is next year's bod.
    assert plan_deadline(BOD_DEADLINE, date(2027, 7, 2), POLICY, NOW).due_on == date(2028, 6, 30)


def test_the_huurcommissie_term_after_completion_is_three_calendar_months_bw_7_255_lid_2():
    s = plan_deadline(RENT_INCREASE_AFTER_WORKS, date(2027, 11, 30), POLICY, NOW)
    assert s.unextended_due_on == date(2028, 2, 29)  # calendar months, not 90 days
    assert "7:255 lid 2" in s.article


def test_the_renovation_objection_term_is_eight_weeks_from_the_notice_bw_7_220_lid_3():
    s = plan_deadline(RENOVATION_OBJECTION, date(2027, 3, 1), POLICY, NOW)
    assert s.unextended_due_on == date(2027, 4, 26)
    assert [r.on for r in s.rungs] == [date(2027, 4, 12)]  # legal hears at six weeks
    assert "7:220 lid 3" in s.article


def test_accounting_for_the_budget_is_due_two_months_after_the_year_wohv_art_7_lid_2():
    s = plan_deadline(BUDGET_ACCOUNTING, date(2026, 12, 31), POLICY, NOW)
    assert s.unextended_due_on == date(2027, 2, 28)
    assert s.due_on == date(2027, 3, 1)  # 28 February 2027 is a Sunday (Atw art. 1)
    assert "artikel 7 lid 2" in s.article


def test_the_yearly_overleg_recurs_every_calendar_year_and_escalates_on_1_october_wohv_art_5b_lid_3():
    first = plan_deadline(YEARLY_OVERLEG, date(2027, 1, 1), POLICY, NOW)
    assert first.unextended_due_on == date(2027, 12, 31)
    assert [r.on for r in first.rungs] == [date(2027, 10, 1)]
    second = plan_deadline(YEARLY_OVERLEG, next_occurrence(YEARLY_OVERLEG, first), POLICY, NOW)
    assert second.unextended_due_on == date(2028, 12, 31)
    assert "artikel 5b lid 3" in first.article


def test_the_signature_target_of_15_december_is_practice_and_says_so():
    s = plan_deadline(SIGNATURE_TARGET, date(2027, 1, 1), POLICY, NOW)
    assert s.due_on == date(2027, 12, 15)
    assert "praktijk" in s.article and "configureerbaar" in s.article


def test_a_term_that_does_not_recur_has_no_next_occurrence():
    with pytest.raises(ValueError, match="not a recurring"):
        next_occurrence(ADVICE_TERM, plan_deadline(ADVICE_TERM, date(2027, 1, 4), POLICY, NOW))
