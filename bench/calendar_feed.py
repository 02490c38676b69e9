"""What building a calendar feed costs, without Temporal: N trajectories of three terms each (the most a staff
feed reads is 500), turned into iCalendar by ``agenda_feed.feed``. Printed: the time per build and the size.

The queries that read the trajectories are not in this number (a feed reads them 8 at a time).

Usage: ``.venv/bin/python bench/calendar_feed.py [--trajectories 500] [--runs 5]``
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspraak.domain.trajectory import TermStatus, TermView  # noqa: E402
from inspraak.services.portal.agenda_feed import FeedOptions, feed  # noqa: E402


def cards(n: int, today: date) -> list[dict[str, object]]:
    out = []
    for i in range(n):
        terms = []
        for j, (term, status) in enumerate((("advice_term", TermStatus.MET), ("reply_term", TermStatus.RUNNING),
                                            ("execution_wait", TermStatus.RUNNING))):
            due = today + timedelta(days=(i % 90) + 7 * j)
            terms.append(TermView(term=term, name="adviestermijn", article="artikel 5 lid 1 Wohv", anchor=today,
                                  due_on=due, unextended_due_on=due, status=status,
                                  expires_at=datetime.combine(due + timedelta(days=1), clock(0), tzinfo=UTC)))
        view = SimpleNamespace(id=f"adv-2026-{i:010d}", subject=f"Onderwerp nummer {i} over planmatig onderhoud",
                               organisation_name="Huurdersvereniging Eendracht", owner=SimpleNamespace(name="Sanne"),
                               deadlines=terms, timeline=[SimpleNamespace(at=datetime.now(UTC))])
        out.append({"view": view, "kind": "Adviesaanvraag"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    today = date.today()
    options = FeedOptions(name="Inspraak – bench", public_url="https://inspraak.voorbeeldhaven.nl", today=today,
                          alarm_days=(7, 1), reminder_time=clock(9, 0), window_days=366, for_staff=True,
                          timezone="Europe/Amsterdam")
    data = cards(args.trajectories, today)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        body = feed(data, options)
        times.append(time.perf_counter() - start)
    print(f"{args.trajectories} trajectories, {3 * args.trajectories} events: {len(body) / 1024:.0f} KiB, "
          f"best {min(times) * 1000:.0f} ms, median {sorted(times)[len(times) // 2] * 1000:.0f} ms per build")


if __name__ == "__main__":
    main()
