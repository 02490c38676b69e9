"""The Algemene termijnenwet calendar (Atw art. 1-3)."""

from datetime import date

from inspraak.domain.calendar import AtwCalendar, atw_feestdagen


def test_five_may_is_a_feestdag_every_year_not_only_in_lustrum_years_atw_art_3_lid_1():
    assert date(2027, 5, 5) in atw_feestdagen(2027)
    assert date(2030, 5, 5) in atw_feestdagen(2030)


def test_good_friday_counts_as_a_feestdag_atw_art_3_lid_2():
    assert atw_feestdagen(2027)[date(2027, 3, 26)] == "Goede Vrijdag"


def test_koningsdag_moves_to_26_april_when_27_april_is_a_sunday_atw_art_3_lid_1():
    assert atw_feestdagen(2031)[date(2031, 4, 26)] == "Koningsdag"
    assert date(2031, 4, 27) not in atw_feestdagen(2031)


def test_an_end_on_a_saturday_moves_to_monday_atw_art_1_lid_1():
    assert AtwCalendar().next_working_day(date(2027, 1, 9)) == date(2027, 1, 11)


def test_the_extension_chains_over_christmas_and_the_weekend_atw_art_1_lid_1():
    # Friday 25 December 2026, Saturday 26, Sunday 27: the term runs to Monday 28 December.
    assert AtwCalendar().next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)


def test_a_bridge_day_made_equal_by_decree_is_configurable_atw_art_3_lid_3():
    bridge = date(2027, 5, 7)  # the Friday after Hemelvaartsdag
    assert AtwCalendar().is_working_day(bridge)
    assert AtwCalendar([bridge]).next_working_day(bridge) == date(2027, 5, 10)


def test_a_term_of_three_days_holds_at_least_two_working_days_atw_art_2():
    # From Thursday 24 December 2026, 3 days end on Sunday 27: Monday 28 is one working day, so the
    # term runs on to Tuesday 29.
    assert AtwCalendar().extend_term(date(2026, 12, 24), date(2026, 12, 27)) == date(2026, 12, 29)


def test_a_closed_day_says_why():
    assert AtwCalendar().reason_closed(date(2027, 4, 27)) == "Koningsdag"
    assert AtwCalendar().reason_closed(date(2027, 4, 28)) is None
