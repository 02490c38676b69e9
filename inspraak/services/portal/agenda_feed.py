"""A reader's terms as an iCalendar feed (RFC 5545), built with the ``icalendar`` package (docs/portal-calendar.md).

One all-day event per term, on its last day (``DTSTART;VALUE=DATE``, ``DTEND`` the day after), worded like the
portal's tasks ("Laatste dag: uw advies geven – <onderwerp>"). What goes in:

- every term that is still running, the reader's own and ours, overdue ones marked "Te laat";
- terms that were met or expired, so a calendar shows "Gedaan" or "Verstreken" instead of dropping the event;
- not cancelled terms (the trajectory no longer waits for them: the event goes);
- only terms whose last day is at most ``INSPRAAK_PORTAL_CALENDAR_WINDOW_DAYS`` back or ahead.

Reminders (``VALARM``) only on the reader's own running terms, ``INSPRAAK_PORTAL_CALENDAR_ALARM_DAYS`` days before
the last day at ``INSPRAAK_TERMS_REMINDER_TIME``, and only those still to come. Everything but the reminders that
have passed and the "Te laat" mark is derived from the trajectory alone, so two fetches on one day give the same
bytes: ``UID`` (trajectory, term and its anchor: one event per term key, the same across fetches), ``DTSTAMP`` and
``LAST-MODIFIED`` (when the term closed, else the trajectory's newest timeline line the reader may read), and
``SEQUENCE`` (grows with every extension and when the term closes). No tenant is named anywhere: a term knows
no household, and the views are the reader's own.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event
from icalendar.prop import vDuration

from inspraak.domain.dutch import datum_lang
from inspraak.domain.terms import local_date
from inspraak.domain.trajectory import TermStatus, TermView
from inspraak.services.portal import wording

PRODID = "-//Inspraak//Termijnen in uw agenda//NL"
REFRESH = timedelta(hours=4)  # how often a calendar app should fetch again (apps choose for themselves too)
MEDIA_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class FeedOptions:
    name: str  # X-WR-CALNAME: "Inspraak – Huurdersvereniging Eendracht"
    public_url: str  # INSPRAAK_API_PUBLIC_URL: the portal's links in each event
    today: date
    alarm_days: tuple[int, ...]
    reminder_time: time
    window_days: int
    for_staff: bool
    timezone: str  # INSPRAAK_TERMS_TIMEZONE: where the days are days (Europe/Amsterdam)


def feed(cards: Iterable[dict[str, Any]], options: FeedOptions) -> bytes:
    """The whole calendar: ``cards`` as the portal's pages make them (``pages.card_of``: the view and its kind)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", options.name)
    cal.add("name", options.name)
    cal.add("x-wr-caldesc", "De termijnen uit Inspraak: wat wij van u vragen en wat wij doen, en wanneer.")
    cal.add("x-wr-timezone", options.timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))  # Outlook's older name for it
    host = urlsplit(options.public_url).hostname or "inspraak"
    events = [(term.due_on, event(card, term, host, options))
              for card in cards for term in card["view"].deadlines if shown(term, options)]
    for _, e in sorted(events, key=lambda pair: (pair[0], str(pair[1]["uid"]))):
        cal.add_component(e)
    return bytes(cal.to_ical())


def shown(term: TermView, options: FeedOptions) -> bool:
    if term.status == TermStatus.CANCELLED:
        return False
    return abs((term.due_on - options.today).days) <= options.window_days


def _lead(term: TermView, task: wording.Task, options: FeedOptions) -> str:
    """The start of the summary: whose term, or how it ended."""
    if term.status == TermStatus.MET:
        return "Gedaan"
    if term.status == TermStatus.EXPIRED:
        return "Verstreken"
    if task.countdown.overdue:
        return "Te laat"
    return "Laatste dag" if _mine(task, options) else f"Laatste dag voor {task.who}"


def _mine(task: wording.Task, options: FeedOptions) -> bool:
    """The reader's own term: the organisation's for its contacts, ours for staff."""
    return task.who == ("ons" if options.for_staff else "u")


def event(card: dict[str, Any], term: TermView, host: str, options: FeedOptions) -> Event:
    view = card["view"]
    task = wording.task(term, options.today, for_staff=options.for_staff)
    url = f"{options.public_url.rstrip('/')}/portaal/trajecten/{view.id}"
    about = f"{view.subject} ({view.organisation_name})" if options.for_staff else view.subject
    summary = f"{_lead(term, task, options)}: {task.what} – {about}"
    changed = _changed(view, term)
    e = Event()
    e.add("uid", f"{view.id}.{term.term}.{term.anchor.isoformat()}@{host}")
    e.add("dtstamp", changed)
    e.add("last-modified", changed)
    e.add("sequence", _sequence(view, changed))
    e.add("dtstart", term.due_on)
    e.add("dtend", term.due_on + timedelta(days=1))
    e.add("summary", summary)
    e.add("description", _description(card, term, task, url, options))
    e.add("url", url)
    e.add("categories", ["Inspraak"])
    e.add("transp", "TRANSPARENT")  # a last day, not an appointment: the reader's time stays free
    e.add("status", "CONFIRMED")
    if term.status == TermStatus.RUNNING and not task.countdown.overdue and _mine(task, options):
        for days in sorted(set(options.alarm_days), reverse=True):
            alarm = _alarm(term.due_on, days, task.what, view.subject, options)
            if alarm is not None:
                e.add_component(alarm)
    return e


def _changed(view: Any, term: TermView) -> datetime:
    """When this event last changed, as far as the trajectory tells: deterministic, so fetches agree."""
    if term.closed_at is not None:
        return term.closed_at.astimezone(UTC)
    moments = [line.at for line in view.timeline]
    if moments:
        return max(moments).astimezone(UTC)
    return datetime.combine(term.anchor, time(0), tzinfo=UTC)


def _sequence(view: Any, changed: datetime) -> int:
    """How often the event may have changed: the trajectory's timeline lines until ``changed``. It only grows (a
    timeline is only ever added to), as RFC 5545 asks, and it grows with every extension, end or move of the term,
    each of which adds a line."""
    return sum(1 for line in view.timeline if line.at.astimezone(UTC) <= changed)


def _alarm(due_on: date, days: int, what: str, subject: str, options: FeedOptions) -> Alarm | None:
    """A reminder ``days`` before the last day at the reminder time; None once that moment has passed."""
    if due_on - timedelta(days=days) < options.today:
        return None
    when = {0: "Vandaag is de laatste dag", 1: "Morgen is de laatste dag"}.get(days, f"Nog {days} dagen")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{when}: {what} – {subject}")
    # Relative to the start of the all-day event (midnight, the reader's own time): 09:00 seven days before is
    # -P6DT15H.
    alarm.add("trigger", timedelta(days=-days, hours=options.reminder_time.hour, minutes=options.reminder_time.minute))
    return alarm


def _description(card: dict[str, Any], term: TermView, task: wording.Task, url: str, options: FeedOptions) -> str:
    view = card["view"]
    lines = [f"Voor {task.who}: {task.what}.", f"Laatste dag: {datum_lang(term.due_on)}."]
    if term.status == TermStatus.MET:
        done = f" op {datum_lang(local_date(term.closed_at, options.timezone))}" if term.closed_at else ""
        lines.append(f"Gedaan{done}.")
    elif term.status == TermStatus.EXPIRED:
        lines.append("De termijn is voorbij.")
    elif task.countdown.overdue:
        lines.append("Te laat: de laatste dag is voorbij.")
    if term.due_on != term.unextended_due_on:  # moved by the Algemene termijnenwet, not extended by anyone
        lines.append(f"De laatste dag schuift op van {datum_lang(term.unextended_due_on)} naar deze dag: "
                     f"{term.extended_reason or 'artikel 1 Algemene termijnenwet'}.")
    lines.append(f"Over: {view.subject} ({card['kind']}, kenmerk {view.id.upper()}).")
    if options.for_staff:
        lines.append(f"Organisatie: {view.organisation_name}. Behandelaar: {view.owner.name}.")
    lines.append(f"Termijn: {term.name} ({term.article}).")
    lines.append(f"Bekijk het traject in Inspraak: {url}")
    return "\n".join(lines)
