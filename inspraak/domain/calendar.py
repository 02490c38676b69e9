"""The calendar of the Algemene termijnenwet (Atw): which days a statutory term may not end on.

Atw art. 1 lid 1: a term set by law that ends on a Saturday, Sunday or algemeen erkende feestdag runs on
to the next day that is none of these. Atw art. 3 lid 1-2 lists the feestdagen; this is not the general
Dutch holiday calendar: 5 May counts every year and Goede Vrijdag always counts. Extra days made equal by
royal decree (art. 3 lid 3, usually bridge days) are data that staff keep up to date, not code.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter


@lru_cache(maxsize=64)
def atw_feestdagen(year: int) -> dict[date, str]:
    """The algemeen erkende feestdagen of Atw art. 3 lid 1-2 in one year, with their Dutch names."""
    paschen = easter(year)
    # The holiday library knows Koningsdag's rule (27 April, 26 April when the 27th is a Sunday).
    koningsdag = next(
        (d for d, name in holidays.NL(years=year).items() if "King" in name or "Koning" in name),
        date(year, 4, 27),
    )
    days = {
        date(year, 1, 1): "Nieuwjaarsdag",
        paschen - timedelta(days=2): "Goede Vrijdag",
        paschen: "Eerste Paasdag",
        paschen + timedelta(days=1): "Tweede Paasdag",
        koningsdag: "Koningsdag",
        date(year, 5, 5): "Bevrijdingsdag",
        paschen + timedelta(days=39): "Hemelvaartsdag",
        paschen + timedelta(days=49): "Eerste Pinksterdag",
        paschen + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    return days


class AtwCalendar:
    """Working days in the sense of the Atw, with extra days from configuration.

    Args:
        extra_days: days made equal to a feestdag by royal decree (Atw art. 3 lid 3).
    """

    def __init__(self, extra_days: Iterable[date] = ()) -> None:
        self._extra = frozenset(extra_days)

    def reason_closed(self, day: date) -> str | None:
        """Why ``day`` is not a working day (in Dutch), or None when it is one."""
        if day.weekday() == 5:
            return "zaterdag"
        if day.weekday() == 6:
            return "zondag"
        name = atw_feestdagen(day.year).get(day)
        if name:
            return name
        if day in self._extra:
            return "bij koninklijk besluit gelijkgestelde dag"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.reason_closed(day) is None

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it (Atw art. 1)."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def extend_term(self, start: date, end: date) -> date:
        """The last day of a statutory term from ``start`` (exclusive) to ``end``, extended by the Atw.

        Art. 1 lid 1 moves an end on a closed day to the next working day. Art. 2: a term of at least
        three days is extended so that it holds at least two working days.
        """
        end = self.next_working_day(end)
        if (end - start).days >= 3:
            while self._working_days_between(start, end) < 2:
                end = self.next_working_day(end + timedelta(days=1))
        return end

    def _working_days_between(self, start: date, end: date) -> int:
        count, day = 0, start + timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count
