"""The calendar feed (issue 9 point 4): an organisation's and a staff member's terms as iCalendar, read by the
``icalendar`` package (and ``vobject`` as a second parser), fetched without any cookie; a new address kills the
old one; another organisation's feed holds none of these trajectories."""

import asyncio
import re
from datetime import date, timedelta

import httpx
import vobject
from icalendar import Calendar, Event
from playwright.async_api import Page, expect

from inspraak.activities.storage import LocalDocumentStore
from inspraak.services.api.auth import Principal, Role
from inspraak.services.portal.agenda_keys import FeedKeys
from inspraak.services.portal.login import staff_login_url
from tests.portal.conftest import Portal
from tests.portal.steps import EENDRACHT, log_in, screenshots, tab_to
from tests.portal.test_accessibility import _check
from tests.services.api.renovation_steps import ready_for_proposals

NINE = timedelta(hours=9)  # INSPRAAK_TERMS_REMINDER_TIME: the reminders come at 09:00


def _keys(portal: Portal) -> FeedKeys:
    return FeedKeys(portal.api.settings, LocalDocumentStore(portal.api.settings.documents_dir))


def _events(cal: Calendar, trajectory_id: str) -> list[Event]:
    return [e for e in cal.walk("VEVENT") if str(e["url"]).endswith(f"/portaal/trajecten/{trajectory_id}")]


async def _feed(url: str, *trajectory_ids: str, timeout: float = 20) -> tuple[httpx.Response, Calendar]:
    """The feed, fetched as a calendar app does (no cookie), once it lists every trajectory asked for: the listing
    reads Temporal's visibility, which follows a moment later."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(timeout=30) as http:
        while True:
            r = await http.get(url)
            assert r.status_code == 200, r.text
            cal = Calendar.from_ical(r.content)
            if all(_events(cal, t) for t in trajectory_ids):
                return r, cal
            assert asyncio.get_running_loop().time() < deadline, f"{trajectory_ids} not in the feed"
            await asyncio.sleep(0.3)


def _due(view: dict, term: str) -> date:
    return date.fromisoformat(next(t["due_on"] for t in view["deadlines"] if t["term"] == term))


def _triggers(event: Event) -> list[timedelta]:
    return [a["trigger"].dt for a in event.walk("VALARM")]


async def _advice_received(portal: Portal, subject: str) -> str:
    """An Eendracht request whose advice came in today: the advice term met, our 14-day reply term running."""
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject=subject)).json()["id"]
    advice = {"received_on": date.today().isoformat(), "points": [{"summary": "Meer groen"}]}
    r = await portal.api.http.post(f"/v1/advice-requests/{rid}/advice", json=advice, headers=portal.api.auth("own"))
    assert r.status_code == 200, r.text
    return str(rid)


async def test_an_organisation_subscribes_to_its_own_terms_and_makes_a_new_address(
        portal: Portal, axe_page: Page, axe_source: str):
    page = axe_page
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Agenda: nieuwe tuinregels")).json()["id"]
    answered = await _advice_received(portal, "Agenda: advies al gegeven")
    foreign = (await portal.api.create(organisation_id="sh-de-linde", subject="Agenda: alleen De Linde")).json()["id"]
    due = _due(await portal.api.view(rid), "advice_term")
    reply_due = _due(await portal.api.view(answered), "reply_term")

    await log_in(page, portal, EENDRACHT)
    await page.get_by_role("link", name="Agenda", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Termijnen in uw agenda")
    url = await page.get_by_label("Uw agenda-adres").input_value()
    assert url.startswith(portal.url("/portaal/agenda/")) and url.endswith(".ics")
    await page.reload()
    assert await page.get_by_label("Uw agenda-adres").input_value() == url  # the same address every time

    r, cal = await _feed(url, rid, answered)
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"
    assert 'filename="inspraak-termijnen.ics"' in r.headers["content-disposition"]
    assert str(cal["version"]) == "2.0" and "Inspraak" in str(cal["prodid"])
    assert str(cal["x-wr-calname"]) == "Inspraak – Huurdersvereniging Eendracht"
    assert str(cal["x-wr-timezone"]) == "Europe/Amsterdam"

    [advice] = _events(cal, rid)
    assert advice.decoded("dtstart") == due and advice.decoded("dtend") == due + timedelta(days=1)
    assert str(advice["summary"]) == "Laatste dag: uw advies geven – Agenda: nieuwe tuinregels"
    assert "artikel 5 lid 1 Wet op het overleg huurders verhuurder" in str(advice["description"])
    assert str(advice["url"]) == portal.url(f"/portaal/trajecten/{rid}")
    assert _triggers(advice) == [-timedelta(days=7) + NINE, -timedelta(days=1) + NINE]
    assert "dtstamp" in advice and "last-modified" in advice and advice["transp"] == "TRANSPARENT"

    met, ours = sorted(_events(cal, answered), key=lambda e: str(e["summary"]))
    assert str(met["summary"]) == "Gedaan: uw advies geven – Agenda: advies al gegeven" and not _triggers(met)
    assert str(ours["summary"]).startswith("Laatste dag voor ons: u ons besluit sturen")
    assert ours.decoded("dtstart") == reply_due and not _triggers(ours)  # our term: no reminder for them

    again, cal_again = await _feed(url, rid)
    assert again.content == r.content  # the same bytes: UIDs, stamps and sequences do not move between fetches
    assert [str(e["uid"]) for e in cal_again.walk("VEVENT")] == [str(e["uid"]) for e in cal.walk("VEVENT")]
    assert len({str(e["uid"]) for e in cal.walk("VEVENT")}) == len(cal.walk("VEVENT"))
    assert not _events(cal, foreign) and "Agenda: alleen De Linde" not in r.text
    assert len(list(vobject.readComponents(r.text))[0].vevent_list) == len(cal.walk("VEVENT"))  # a second parser

    await screenshots(page, "agenda")
    await _check(page, axe_source, "agenda")
    await tab_to(page, "Maak een nieuw adres", limit=30)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("U hebt een nieuw adres.")
    await _check(page, axe_source, "agenda, new address")
    new_url = await page.get_by_label("Uw agenda-adres").input_value()
    assert new_url != url
    async with httpx.AsyncClient() as http:
        old = await http.get(url)
        assert old.status_code == 404 and "Deze pagina bestaat niet" in old.text
        never = await http.get(portal.url("/portaal/agenda/" + "A" * 43 + ".ics"))
        assert never.status_code == 404 and never.text == old.text  # revoked: the same as never made
    _, renewed = await _feed(new_url, rid)
    assert [str(e["uid"]) for e in _events(renewed, rid)] == [str(advice["uid"])]

    # Staff extend the term: the same event moves to its new last day, with a higher SEQUENCE (RFC 5545).
    r = await portal.api.http.post(f"/v1/advice-requests/{rid}/term-extension", headers=portal.api.auth("staff"),
                                   json={"new_end": (due + timedelta(days=14)).isoformat(), "reason": "Overleg"})
    assert r.status_code == 200, r.text
    extended_due = _due(await portal.api.view(rid), "advice_term")
    _, after = await _feed(new_url, rid)
    [moved] = _events(after, rid)
    assert str(moved["uid"]) == str(advice["uid"]) and moved.decoded("dtstart") == extended_due > due
    assert moved["sequence"] > advice["sequence"]


async def test_staff_subscribe_to_every_trajectory_and_are_reminded_of_their_own_terms(portal: Portal, page: Page):
    answered = await _advice_received(portal, "Agenda: besluit nog te sturen")
    foreign = (await portal.api.create(organisation_id="sh-de-linde", subject="Agenda: De Linde, staf")).json()["id"]
    reply_due = _due(await portal.api.view(answered), "reply_term")
    advice_due = _due(await portal.api.view(foreign), "advice_term")

    await page.goto(staff_login_url(portal.api.settings, portal.sessions(), subject="sanne", name="Sanne Behandelaar",
                                    email="sanne@voorbeeldhaven.nl"))
    await page.get_by_role("button", name="Inloggen").click()
    await page.goto(portal.url("/portaal/agenda"))
    await expect(page.get_by_text("Zet de termijnen van alle trajecten")).to_be_visible()
    url = await page.get_by_label("Uw agenda-adres").input_value()
    await screenshots(page, "agenda-medewerker")
    await page.context.clear_cookies()  # the feed needs no session at all

    _, cal = await _feed(url, answered, foreign)
    assert str(cal["x-wr-calname"]) == "Inspraak – Woonstichting De Voorbeeldhaven"
    reply = next(e for e in _events(cal, answered) if "besluit" in str(e["summary"]))
    assert str(reply["summary"]) == ("Laatste dag: het besluit sturen, met de redenen – Agenda: besluit nog te sturen "
                                     "(Huurdersvereniging Eendracht)")
    assert reply.decoded("dtstart") == reply_due
    assert _triggers(reply) == [-timedelta(days=7) + NINE, -timedelta(days=1) + NINE]
    [theirs] = _events(cal, foreign)
    assert str(theirs["summary"]).startswith("Laatste dag voor de organisatie: advies geven")
    assert theirs.decoded("dtstart") == advice_due and not _triggers(theirs)
    assert "Behandelaar: " in str(theirs["description"])


async def test_another_organisations_feed_a_renovation_without_households_and_a_contact_no_longer_listed(
        portal: Portal):
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Agenda: alleen Eendracht")).json()["id"]
    keys = _keys(portal)
    linde = Principal(role=Role.ORGANISATION, subject="sh-de-linde:bestuur@hb-delinde.nl", name="Fatima El Amrani",
                      email="bestuur@hb-delinde.nl", organisation_id="sh-de-linde")
    theirs = (await keys.secret_of(linde))
    eendracht = Principal(role=Role.ORGANISATION, subject="hv-eendracht:secretaris@hv-eendracht.nl",
                          name="Anna Jansen", email="secretaris@hv-eendracht.nl", organisation_id="hv-eendracht")
    await _feed(portal.url(f"/portaal/agenda/{await keys.secret_of(eendracht)}.ics"), rid)  # listed by now
    r, cal = await _feed(portal.url(f"/portaal/agenda/{theirs}.ics"))
    assert str(cal["x-wr-calname"]) == "Inspraak – Stichting Huurdersbelangen De Linde"
    assert not _events(cal, rid) and "hv-eendracht" not in r.text.lower()

    renovation = await ready_for_proposals(portal.api, 4)
    molen = Principal(role=Role.ORGANISATION, subject="bc-de-molen:bc-demolen@example.nl", name="Henk Visser",
                      email="bc-demolen@example.nl", organisation_id="bc-de-molen")
    r, cal = await _feed(portal.url(f"/portaal/agenda/{await keys.secret_of(molen)}.ics"), renovation)
    text = r.text.replace("\r\n ", "")  # unfolded: a name split over two lines is still found
    assert not re.search(r"301-\d{3}|Huurder Nummer|Molenweg \d|huurder\d+@", text), text
    assert all(str(e["uid"]).startswith(renovation) for e in _events(cal, renovation))

    gone = Principal(role=Role.ORGANISATION, subject="hv-eendracht:oud-lid@hv-eendracht.nl", name="Oud lid",
                     email="oud-lid@hv-eendracht.nl", organisation_id="hv-eendracht")
    async with httpx.AsyncClient() as http:
        refused = await http.get(portal.url(f"/portaal/agenda/{await keys.secret_of(gone)}.ics"))
        head = await http.head(portal.url(f"/portaal/agenda/{await keys.secret_of(molen)}.ics"))
    assert refused.status_code == 404
    assert head.status_code == 200 and head.headers["content-type"] == "text/calendar; charset=utf-8"
