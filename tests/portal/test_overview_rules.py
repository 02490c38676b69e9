"""The staff overview's rules without a browser: which section a last day falls in, and the listing's day filter
agreeing with the last day the listing reports, across the change to and from summer time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from inspraak.services.api.routes.trajectories import _after_day, _due_on
from inspraak.services.portal import overview, wording

TZ = "Europe/Amsterdam"


def test_a_term_is_due_by_a_day_exactly_when_the_listing_says_its_last_day_is_on_or_before_it():
    # Around both changes of the clock in 2026 (29 March, 25 October): expiry is the midnight after the last day.
    days = [date(2026, 3, 20) + timedelta(days=i) for i in range(20)] + \
           [date(2026, 10, 18) + timedelta(days=i) for i in range(20)]
    for last_day in days:
        expires = datetime.combine(last_day + timedelta(days=1), time(0, 0), ZoneInfo(TZ)).astimezone(UTC)
        assert _due_on(expires, TZ) == last_day
        for day in days:
            bound = datetime.strptime(_after_day(day, TZ), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            assert (expires < bound) == (last_day <= day), (last_day, day)


def test_this_week_is_today_and_six_days_and_this_month_the_days_up_to_today_plus_30():
    today = date(2026, 11, 30)
    week_end, month_end = today + timedelta(days=6), today + timedelta(days=30)
    sections = overview.Sections()
    for left in (-1, 0, 6, 7, 30, 31):
        due = today + timedelta(days=left)
        row = overview.Row(id=str(left), subject=str(left), kind="", organisation="",
                           task=wording.Task("ons", "iets", due, wording.countdown(due, today)))
        sections.place(row, week_end, month_end)
    sections.place(overview.Row(id="x", subject="x", kind="", organisation="", task=None), week_end, month_end)
    assert [r.id for r in sections.late] == ["-1", "x"]
    assert [r.id for r in sections.week] == ["0", "6"]
    assert [r.id for r in sections.month] == ["7", "30"]  # 31 days on: the trajectory's nearer term is its row
    assert (overview.WEEK_DAYS - 1, overview.MONTH_DAYS - 1) == (6, 30)
