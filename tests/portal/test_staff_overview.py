"""The staff overview in the browser: overdue, this week and this month across all trajectories, the filters, the
count of a renovation's vote (as the API's tally), and an organisation refused."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.async_api import Locator, Page, expect

from inspraak.domain.dutch import datum_lang
from inspraak.domain.terms import CONSENT_TERM, local_date
from inspraak.services.directory import load_directory
from inspraak.services.portal import overview
from inspraak.services.portal.login import staff_login_url
from tests.portal.conftest import PHONE, Portal
from tests.portal.steps import EENDRACHT, axe_violations, log_in, screenshots, shows, tab_to
from tests.portal.test_staff_and_renovation import DE_MOLEN
from tests.services.api.renovation_steps import voting_renovation
from tests.services.api.test_renovation_vote import by_code, code, proposal_body

OVERVIEW = "/portaal/overzicht"


def _today(portal: Portal) -> date:
    return local_date(datetime.now(UTC), portal.api.settings.terms_timezone)


async def _consent_request(portal: Portal, organisation: str, subject: str, days_left: int) -> dict:
    """A consent request sent on paper long enough ago that its term (Wohv art. 5a; the organisation's agreement may
    make it longer) has about ``days_left`` days left, registered now; its view, whose dates the tests use (the Atw
    may move a last day)."""
    weeks = next(o for o in load_directory(portal.api.settings.organisations_file).organisations
                 if o.id == organisation).consent_term_weeks
    provided = _today(portal) - timedelta(days=(weeks * 7 if weeks else CONSENT_TERM.days) - days_left)
    r = await portal.api.create(path="/v1/advice-requests/registrations", organisation_id=organisation,
                                subject=subject, category="j", consent_requested=True,
                                information_provided_on=provided.isoformat())
    assert r.status_code == 201, r.text
    return await portal.api.view(r.json()["id"])


def _due(view: dict) -> date:
    return date.fromisoformat(next(t for t in view["deadlines"] if t["term"] == "consent_term")["due_on"])


def _section(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(has=page.get_by_role("heading", level=2, name=re.compile(f"^{heading} \\(")))


def _row(page: Page, subject: str) -> Locator:
    return page.locator("li.due").filter(has=page.get_by_role("link", name=subject, exact=True))


async def _staff(page: Page, portal: Portal) -> None:
    await page.goto(staff_login_url(portal.api.settings, portal.sessions(), subject="sanne", name="Sanne Behandelaar",
                                    email="sanne@voorbeeldhaven.nl"))
    await page.get_by_role("button", name="Inloggen").click()
    await page.get_by_role("link", name="Overzicht termijnen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht: wat moet wanneer")


async def _no_sideways_scrolling(page: Page) -> None:
    await page.set_viewport_size({"width": 320, "height": 800})
    assert await page.evaluate("document.documentElement.scrollWidth <= 320")
    await page.set_viewport_size(PHONE)


async def test_the_listing_filters_on_the_last_day_of_the_next_term(portal: Portal):
    tag = uuid.uuid4().hex[:6]
    soon = await _consent_request(portal, "hv-eendracht", f"Binnenkort {tag}", 4)
    later = await _consent_request(portal, "hv-eendracht", f"Later {tag}", 40)
    staff = portal.api.auth("staff")
    day = _due(soon).isoformat()
    by = (await portal.api.http.get("/v1/trajectories", params={"due_by": day, "limit": 500}, headers=staff)).json()
    after = (await portal.api.http.get("/v1/trajectories", params={"due_after": day, "limit": 500},
                                       headers=staff)).json()
    assert all(i["due_on"] <= day for i in by["items"]) and all(i["due_on"] > day for i in after["items"])
    for _ in range(50):  # visibility follows a moment later
        if {soon["id"], later["id"]} <= {i["id"] for i in by["items"] + after["items"]}:
            break
        by, after = [(await portal.api.http.get("/v1/trajectories", params={k: day, "limit": 500},
                                                headers=staff)).json() for k in ("due_by", "due_after")]
    assert soon["id"] in {i["id"] for i in by["items"]} and later["id"] in {i["id"] for i in after["items"]}


async def test_staff_see_what_is_late_due_this_week_and_this_month_and_filter_it(
        portal: Portal, page: Page, axe_page: Page, axe_source: str, monkeypatch: pytest.MonkeyPatch):
    tag = uuid.uuid4().hex[:4].upper()
    late = await _consent_request(portal, "hv-eendracht", f"Servicekosten {tag}", -30)
    week = await _consent_request(portal, "hv-eendracht", f"Tuinonderhoud {tag}", 2)
    month = await _consent_request(portal, "hv-eendracht", f"Schoonmaak trappenhuis {tag}", 18)
    other = await _consent_request(portal, "sh-de-linde", f"Glasbewassing {tag}", 2)
    today = _today(portal)
    assert _due(late) < today and _due(week) <= today + timedelta(days=6) < _due(month) <= today + timedelta(days=30)

    await _staff(page, portal)
    await shows(page, late["subject"])
    for view, heading in ((late, "Te laat"), (week, "Deze week"), (month, "Deze maand"), (other, "Deze week")):
        await shows(page, view["subject"])
        await expect(_section(page, heading).locator("li.due").filter(has_text=view["subject"])).to_have_count(1)
    row = _row(page, late["subject"])
    await expect(row).to_contain_text("Instemmingsverzoek · Huurdersvereniging Eendracht")
    await expect(row).to_contain_text("Voor de huurdersorganisatie: laten weten of zij instemt")
    await expect(row).to_contain_text(f"Te laat: {(today - _due(late)).days} dagen te laat")
    left = (_due(month) - today).days
    await expect(_row(page, month["subject"])).to_contain_text(f"nog {left} dagen")
    late_count = await _section(page, "Te laat").locator("li.due").count()
    await expect(page.get_by_role("heading", name=f"Te laat ({late_count})")).to_be_visible()
    await screenshots(page, "overzicht-medewerker")
    await _no_sideways_scrolling(page)

    # The filters, as a plain form: by organisation, then by kind, then only what is late.
    await page.get_by_label("Organisatie").select_option(label="Stichting Huurdersbelangen De Linde")
    await page.get_by_role("button", name="Filter").click()
    assert "organisatie=sh-de-linde" in page.url
    await expect(_row(page, other["subject"])).to_have_count(1)
    await expect(_row(page, week["subject"])).to_have_count(0)
    await expect(page.get_by_text("Gefilterd op: Stichting Huurdersbelangen De Linde")).to_be_visible()
    await page.get_by_role("link", name="Wis filters").click()
    await expect(_row(page, week["subject"])).to_have_count(1)
    await page.goto(portal.url(f"{OVERVIEW}?soort=renovatie"))
    await expect(page.locator("li.due").filter(has_text="Advies of instemming")).to_have_count(0)
    await expect(page.locator("li.due").filter(has_text="Instemmingsverzoek")).to_have_count(0)
    await page.goto(portal.url(f"{OVERVIEW}?organisatie=sh-de-linde&soort=renovatie"))
    await expect(page.get_by_text("Niets gevonden met deze filters.")).to_be_visible()
    await page.goto(portal.url(f"{OVERVIEW}?alleen_te_laat=ja"))
    await expect(_row(page, late["subject"])).to_have_count(1)
    await expect(_row(page, week["subject"])).to_have_count(0)
    await expect(page.get_by_role("heading", name=re.compile("^Deze week"))).to_have_count(0)
    await screenshots(page, "overzicht-medewerker-te-laat")

    # Past a page of the listing: the cursor pages on; past the last page allowed, the page says so.
    monkeypatch.setattr(overview, "PAGE_SIZE", 1)
    await page.goto(portal.url(OVERVIEW))
    for view in (late, week, month, other):
        await expect(_row(page, view["subject"])).to_have_count(1)
    monkeypatch.setattr(overview, "MAX_PAGES", 1)
    await page.reload()
    await expect(page.get_by_text("niet alles staat erbij")).to_be_visible()
    monkeypatch.undo()

    # With the keyboard alone to the filter button; axe-core with and without filters.
    await axe_page.context.add_cookies(await page.context.cookies())
    await axe_page.goto(portal.url(OVERVIEW))
    await tab_to(axe_page, "Filter", limit=12)
    assert await axe_violations(axe_page, axe_source) == []
    await axe_page.goto(portal.url(f"{OVERVIEW}?organisatie=hv-eendracht&alleen_te_laat=ja"))
    assert await axe_violations(axe_page, axe_source) == []


async def _shows_count(scope: Locator, tally: dict, reply_by: str) -> None:
    """The figures of ``tally`` (the API's), each beside its name."""
    def figure(name: str) -> Locator:
        return scope.locator(".tally div").filter(has=scope.page.locator("dt", has_text=re.compile(f"^{name}$")))

    percent = tally["percent_agreed"].replace(".", ",")
    await expect(figure("Antwoorden binnen")).to_contain_text(
        f"{tally['agreed'] + tally['not_agreed']} van {tally['total']} woningen")
    await expect(figure(re.escape("Eens (ja)")).locator("dd")).to_have_text(str(tally["agreed"]))
    await expect(figure(re.escape("Niet eens (nee)")).locator("dd")).to_have_text(str(tally["not_agreed"]))
    await expect(figure("Nog geen antwoord").locator("dd")).to_contain_text(str(tally["no_answer"]))
    await expect(figure("Eens, van alle woningen").locator("dd")).to_contain_text(f"{percent} % (nodig: 70 %)")
    await expect(figure("Uitkomst")).to_contain_text(f"Nog {tally['still_needed']} woningen nodig")
    await expect(figure("Laatste dag om te antwoorden")).to_contain_text(reply_by)


async def test_a_renovation_in_its_vote_shows_the_count_of_the_api(portal: Portal, page: Page):
    rid = await voting_renovation(portal.api, 12, proposal_body())
    for unit, choice in (("301-001", "agreed"), ("301-002", "agreed"), ("301-003", "not_agreed")):
        r = await by_code(portal.api, rid, code(portal.api, rid, unit), choice)
        assert r.status_code == 200, r.text
    tally = (await portal.api.http.get(f"/v1/renovations/{rid}/tally", headers=portal.api.auth("staff"))).json()
    view = (await portal.api.http.get(f"/v1/renovations/{rid}", headers=portal.api.auth("staff"))).json()
    reply_by = date.fromisoformat(view["proposal"]["reply_by"])
    percent = tally["percent_agreed"].replace(".", ",")

    await _staff(page, portal)
    await shows(page, view["subject"])
    card = _section(page, "Draagvlakmetingen").locator("li.due").filter(has_text=rid.upper())
    await _shows_count(card, tally, datum_lang(reply_by))
    row = page.locator("li.due").filter(has_text=rid.upper()).filter(has_text="Voor de huishoudens")
    await expect(row).to_contain_text(f"Draagvlak: {tally['agreed']} van {tally['total']} woningen eens ({percent} %")
    await screenshots(page, "overzicht-draagvlak")

    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    block = page.locator("section").filter(has=page.get_by_role("heading", name="Draagvlakmeting"))
    await _shows_count(block, tally, datum_lang(reply_by))
    await screenshots(page, "renovatie-draagvlak-medewerker")

    # The organisation sees the same count (the API shows it the tally: totals only, never a household).
    await page.get_by_role("button", name="Uitloggen").click()
    await log_in(page, portal, DE_MOLEN)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    await _shows_count(block, tally, datum_lang(reply_by))


async def test_an_organisation_gets_the_404_page_for_the_overview(portal: Portal, page: Page):
    await page.goto(portal.url(OVERVIEW))
    assert page.url.endswith("/portaal/inloggen")  # without a login: the login page
    await log_in(page, portal, EENDRACHT)
    await expect(page.get_by_role("link", name="Overzicht termijnen")).to_have_count(0)
    response = await page.goto(portal.url(OVERVIEW))
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Deze pagina bestaat niet")
