"""The calendar feed's rules without a browser: which terms show, how overdue, met, extended and cancelled terms
read, which reminders remain, and the sentence on the agenda page that says when reminders come."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from icalendar import Calendar, Event

from inspraak.domain.trajectory import TermStatus, TermView
from inspraak.services.portal.agenda import period, reminders
from inspraak.services.portal.agenda_feed import FeedOptions, feed

TODAY = date(2027, 3, 10)


def _options(**changes: Any) -> FeedOptions:
    base = dict(name="Inspraak – Huurdersvereniging Eendracht", public_url="https://inspraak.voorbeeldhaven.nl",
                today=TODAY, alarm_days=(7, 1), reminder_time=time(9, 0), window_days=366, for_staff=False,
                timezone="Europe/Amsterdam")
    return FeedOptions(**(base | changes))


def _term(term: str, due_on: date, status: TermStatus = TermStatus.RUNNING, *, extended_days: int = 0,
          closed_at: datetime | None = None) -> TermView:
    return TermView(term=term, name="adviestermijn", article="artikel 5 lid 1 Wohv", anchor=date(2027, 1, 4),
                    due_on=due_on, unextended_due_on=due_on - timedelta(days=extended_days),
                    expires_at=datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=UTC),
                    status=status, closed_at=closed_at)


def _card(*terms: TermView, subject: str = "Parkeren") -> dict[str, Any]:
    view = SimpleNamespace(id=f"adv-2027-{subject.lower()}", subject=subject,
                           organisation_name="Huurdersvereniging Eendracht",
                           owner=SimpleNamespace(name="Sanne Behandelaar"), deadlines=list(terms),
                           timeline=[SimpleNamespace(at=datetime(2027, 1, 4, 10, 0, tzinfo=UTC))])
    return {"view": view, "kind": "Adviesaanvraag"}


def _events(*cards: dict[str, Any], **options: Any) -> list[Event]:
    return list(Calendar.from_ical(feed(cards, _options(**options))).walk("VEVENT"))


def test_an_overdue_term_is_marked_and_rings_no_more():
    [e] = _events(_card(_term("advice_term", TODAY - timedelta(days=3))))
    assert str(e["summary"]) == "Te laat: uw advies geven – Parkeren"
    assert "Te laat: de laatste dag is voorbij." in str(e["description"])
    assert not e.walk("VALARM")


def test_reminders_that_have_passed_are_left_out_and_the_last_day_itself_can_ring():
    [e] = _events(_card(_term("advice_term", TODAY + timedelta(days=3))), alarm_days=(7, 1, 0))
    assert [(a["trigger"].dt, str(a["description"])) for a in e.walk("VALARM")] == [
        (timedelta(hours=-15), "Morgen is de laatste dag: uw advies geven – Parkeren"),
        (timedelta(hours=9), "Vandaag is de laatste dag: uw advies geven – Parkeren")]


def test_met_expired_and_moved_terms_stay_cancelled_and_far_ones_go():
    closed = datetime(2027, 2, 1, 23, 30, tzinfo=UTC)  # 2 February in Amsterdam
    events = _events(_card(
        _term("advice_term", TODAY + timedelta(days=20), TermStatus.MET, closed_at=closed),
        _term("consent_term", TODAY - timedelta(days=40), TermStatus.EXPIRED, closed_at=closed),
        _term("reply_term", TODAY + timedelta(days=30), extended_days=14),
        _term("execution_wait", TODAY + timedelta(days=5), TermStatus.CANCELLED),
        _term("yearly_overleg", TODAY + timedelta(days=400)),
        _term("budget_accounting", TODAY - timedelta(days=400), TermStatus.MET)))
    by_term = {str(e["uid"]).split(".")[1]: e for e in events}
    assert sorted(by_term) == ["advice_term", "consent_term", "reply_term"]
    met, expired, extended = by_term["advice_term"], by_term["consent_term"], by_term["reply_term"]
    assert str(met["summary"]).startswith("Gedaan: ") and "Gedaan op dinsdag 2 februari 2027." in str(
        met["description"])
    assert met["sequence"] == 1 and met.decoded("last-modified") == closed and met.decoded("dtstamp") == closed
    assert str(expired["summary"]) == "Verstreken: laten weten of u instemt – Parkeren"
    assert str(extended["summary"]).startswith("Laatste dag voor ons: u ons besluit sturen")
    assert extended["sequence"] == 1  # the timeline's lines until its last change
    assert "De laatste dag schuift op van " in str(extended["description"])  # the Atw moved it
    assert not extended.walk("VALARM")  # ours: the organisation is not reminded of it


def test_staff_read_whose_term_it_is_and_are_reminded_of_ours():
    events = _events(_card(_term("advice_term", TODAY + timedelta(days=30)),
                           _term("reply_term", TODAY + timedelta(days=10))), for_staff=True)
    theirs, ours = sorted(events, key=lambda e: e.decoded("dtstart"), reverse=True)
    assert str(theirs["summary"]) == "Laatste dag voor de organisatie: advies geven – Parkeren (Huurdersvereniging " \
                                     "Eendracht)"
    assert not theirs.walk("VALARM") and "Behandelaar: Sanne Behandelaar." in str(theirs["description"])
    assert str(ours["summary"]).startswith("Laatste dag: het besluit sturen") and len(ours.walk("VALARM")) == 2


def test_the_feed_is_the_same_bytes_every_time_and_orders_by_day():
    cards = [_card(_term("advice_term", TODAY + timedelta(days=9)), subject="B"),
             _card(_term("advice_term", TODAY + timedelta(days=2)), subject="A")]
    assert feed(cards, _options()) == feed(cards, _options())
    assert [str(e["summary"]).rsplit(" ", 1)[-1] for e in _events(*cards)] == ["A", "B"]


def test_the_page_says_when_reminders_come():
    assert reminders([7, 1]) == "7 dagen en 1 dag voor de laatste dag"
    assert reminders([1, 14, 7, 0]) == "14 dagen, 7 dagen en 1 dag voor de laatste dag en op de laatste dag zelf"
    assert reminders([0]) == "op de laatste dag zelf" and reminders([]) == ""
    assert period(366) == "een jaar" and period(180) == "6 maanden" and period(45) == "45 dagen"


async def test_two_first_visits_at_once_show_one_address_that_keeps_working(tmp_path):
    """Two tabs, or a browser's prefetch: the address the first visit showed must not stop working."""
    import asyncio

    from inspraak.activities.storage import LocalDocumentStore
    from inspraak.services.api.auth import Principal, Role
    from inspraak.services.portal.agenda_keys import FeedKeys
    from inspraak.settings import Settings

    keys = FeedKeys(Settings(data_dir=tmp_path), LocalDocumentStore(tmp_path / "store"))
    contact = Principal(subject="secretaris", name="Secretaris", email="s@hv.nl", role=Role.ORGANISATION,
                        organisation_id="hv-eendracht")
    shown = await asyncio.gather(*(keys.secret_of(contact) for _ in range(6)))

    assert len(set(shown)) == 1
    assert (await keys.owner_of(shown[0])) is not None
