"""A household answers its renovation proposal in the browser with the reply code from its own letter (BW 7:220
lid 2-3): the address and the code read from the letter as stored, its own proposal, rent and letter, the
answer through the workflow's own update, a later answer replacing it; wrong codes refused alike and slowed;
nothing of another household within reach; axe-core, 320 px, the keyboard alone and screenshots."""

import io
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from docx import Document
from playwright.async_api import Page, expect

from inspraak.activities.register import load_manifest
from inspraak.activities.storage import LocalDocumentStore
from inspraak.domain.dutch import bedrag
from inspraak.domain.render_requests import StoredJson
from tests.portal.conftest import Portal
from tests.portal.steps import screenshots, tab_to
from tests.portal.test_accessibility import _check as accessible
from tests.services.api.renovation_steps import voting_renovation
from tests.services.api.test_renovation_vote import HOMES, proposal_body
from tests.services.api.test_renovations import start_body
from tests.workflows.renovation_setup import households_csv

DELAY = 0.25


class Letter:
    """One household's renovatievoorstel as stored: what the tenant holds in its hands."""

    def __init__(self, unit: str, ref: Any, data: bytes) -> None:
        self.unit, self.ref, self.data = unit, ref, data
        doc = Document(io.BytesIO(data))
        self.text = "\n".join([p.text for p in doc.paragraphs]
                              + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        url = re.search(r"online antwoorden op (\S+?) met uw persoonlijke antwoordcode", self.text)
        code = re.search(r"Uw persoonlijke antwoordcode: (\S+)", self.text)
        assert url and code, self.text
        self.url, self.code = url.group(1), code.group(1)


@pytest.fixture(scope="module")
async def voting(portal: Portal) -> AsyncIterator[tuple[str, dict[str, Letter]]]:
    """A renovation of 12 homes whose proposals went out through the API, and the letters as stored."""
    before = portal.api.settings.reply_code_delay_seconds
    portal.api.settings.reply_code_delay_seconds = DELAY
    rid = await voting_renovation(portal.api, HOMES, proposal_body())
    view = (await portal.api.http.get(f"/v1/renovations/{rid}", headers=portal.api.auth("staff"))).json()
    (merge,) = [m for m in view["merges"] if m["type"] == "renovatievoorstel"]
    store = LocalDocumentStore(portal.api.settings.documents_dir)
    letters = {}
    for ref in await load_manifest(store, StoredJson.model_validate(merge["manifest"])):
        assert ref.household_id is not None
        letters[ref.household_id] = Letter(ref.household_id, ref, await store.get(ref.key))
    yield rid, letters
    portal.api.settings.reply_code_delay_seconds = before


def rent_after(unit: str) -> str:
    """Home ``301-<i>``'s rent after the works, as proposal_body gives it and as the letter prints it."""
    return bedrag(f"{750 + int(unit[-3:])}.25")


async def votes(portal: Portal, rid: str, unit: str) -> dict:
    r = await portal.api.http.get(f"/v1/renovations/{rid}/votes", headers=portal.api.auth("staff"))
    return dict(next(v for v in r.json() if v["unit_id"] == unit))


async def enter(page: Page, letter: Letter, code: str | None = None) -> None:
    """Open the address on the letter and type the code as a tenant might: small letters, a space for the dash."""
    await page.goto(letter.url)
    await page.get_by_label("Uw antwoordcode").fill(code if code is not None else
                                                    letter.code.lower().replace("-", " "))
    await page.get_by_role("button", name="Verder").click()


async def test_a_household_answers_yes_with_the_code_from_its_letter_and_a_later_answer_replaces_it_bw_7_220_lid_3(
        portal: Portal, axe_page: Page, axe_source: str, voting: tuple[str, dict[str, Letter]]):
    rid, letters = voting
    page, mine, other = axe_page, letters["301-003"], letters["301-004"]
    addresses: list[str] = []
    page.on("request", lambda r: addresses.append(r.url))
    # The address printed in the letter is this app's own page for this renovation.
    assert mine.url == portal.url(f"/portaal/antwoord/{rid}")

    await page.goto(mine.url)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw antwoord op het renovatievoorstel")
    await accessible(page, axe_source, "code page")
    await screenshots(page, "huishouden-code")
    await enter(page, mine)

    await expect(page.get_by_role("heading", level=1)).to_have_text("Het renovatievoorstel voor uw woning")
    main = page.locator("main")
    await expect(main).to_contain_text("Isolatie en kozijnen")
    await expect(main).to_contain_text(f"{rent_after('301-003')} per maand")
    assert rent_after(other.unit) not in await main.inner_text()
    await expect(main).to_contain_text("ook in de woningen die nee zeiden")
    await accessible(page, axe_source, "proposal")
    await screenshots(page, "huishouden-voorstel")

    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Download uw brief (Word-bestand)").click()
    path = await (await downloading.value).path()
    assert path is not None and path.read_bytes() == mine.data

    await page.get_by_role("button", name="Ja, ik ga akkoord").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Wij hebben uw antwoord ontvangen")
    await expect(main).to_contain_text("Uw antwoord: Ja, ik ga akkoord")
    await accessible(page, axe_source, "received")
    await screenshots(page, "huishouden-ontvangen")
    home = await votes(portal, rid, "301-003")
    assert home["choice"] == "agreed" and home["channel"] == "reply_code" and home["answers"] == 1

    await page.get_by_role("link", name="Mijn antwoord veranderen").click()
    await expect(page.get_by_role("status")).to_contain_text("U hebt al geantwoord: ja, u gaat akkoord")
    await page.get_by_role("button", name="Nee, ik ga niet akkoord").click()
    await expect(main).to_contain_text("Uw antwoord: Nee, ik ga niet akkoord")
    home = await votes(portal, rid, "301-003")
    assert home["choice"] == "not_agreed" and home["answers"] == 2

    await page.get_by_role("button", name="Klaar").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("U bent klaar")
    await accessible(page, axe_source, "done")
    # The code was posted, never in an address; no address names the home.
    assert addresses and not any(mine.code in a or mine.code.lower().replace("-", " ") in a or "301-" in a
                                 for a in addresses), addresses


async def test_a_wrong_code_is_refused_without_saying_which_part_and_each_try_waits_longer(
        portal: Portal, axe_page: Page, axe_source: str, voting: tuple[str, dict[str, Letter]]):
    rid, letters = voting
    page, mine = axe_page, letters["301-005"]
    real = mine.code.replace("-", "")
    wrong = real[:-1] + ("A" if real[-1] != "A" else "B")
    messages = []
    started = time.monotonic()
    await enter(page, mine, wrong)
    await expect(page.get_by_role("alert")).to_be_visible()
    first = time.monotonic() - started
    messages.append(await page.get_by_role("alert").inner_text())
    await accessible(page, axe_source, "wrong code")
    await screenshots(page, "huishouden-code-fout")
    started = time.monotonic()
    await enter(page, mine, "geen code")
    await expect(page.get_by_role("alert")).to_be_visible()
    second = time.monotonic() - started
    messages.append(await page.get_by_role("alert").inner_text())
    assert first >= DELAY and second >= 2 * DELAY  # the second wrong try waits at least twice the delay
    # Another home's code on a renovation that does not exist: the page with the kenmerk, the same refusal.
    await page.goto(portal.url("/portaal/antwoord"))
    await page.get_by_label("Kenmerk").fill("REN-2026-BESTAATNIET")
    await page.get_by_label("Uw antwoordcode").fill(letters["301-006"].code)
    await page.get_by_role("button", name="Verder").click()
    await expect(page.get_by_role("alert")).to_contain_text("Het kenmerk of de code klopt niet")
    await accessible(page, axe_source, "kenmerk and code")
    assert messages[0] == messages[1] and "klopt niet" in messages[0]
    assert (await votes(portal, rid, "301-005"))["answers"] == 0

    # The same home with the keyboard alone: to the field, the code, Enter; to the answer, Enter.
    await page.goto(mine.url)
    await tab_to(page, "Uw antwoordcode")
    await page.keyboard.type(mine.code)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Het renovatievoorstel voor uw woning")
    await tab_to(page, "Ja, ik ga akkoord", limit=20)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Wij hebben uw antwoord ontvangen")
    assert (await votes(portal, rid, "301-005"))["choice"] == "agreed"


async def test_household_a_reaches_nothing_of_household_b(portal: Portal, page: Page,
                                                         voting: tuple[str, dict[str, Letter]]):
    rid, letters = voting
    mine, other = letters["301-007"], letters["301-008"]
    await enter(page, mine)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Het renovatievoorstel voor uw woning")
    assert rent_after(other.unit) not in await page.locator("main").inner_text()
    get = page.request.get
    own = await get(portal.url(f"/portaal/antwoord/{rid}/brief"))
    assert own.status == 200 and await own.body() == mine.data
    # B's letter by its document id: the portal's download needs an organisation's login, the API a token.
    by_id = await get(portal.url(f"/portaal/documenten/{other.ref.id}"))
    assert by_id.url.endswith("/portaal/inloggen") and await by_id.body() != other.data
    assert (await get(portal.url(f"/v1/documents/{other.ref.id}/content"))).status == 401
    assert (await get(portal.url(f"/portaal/antwoord/{rid}/brief?document={other.ref.id}&key={other.ref.key}"))
            ).status == 200  # the address names no letter: still A's own
    # Any other renovation id, existing or not, is one and the same 404 page; the session reaches no other page.
    r = await portal.api.http.post("/v1/renovations", json=start_body(households_csv(3)),
                                   headers=portal.api.auth("staff"))
    another = r.json()["id"]
    pages = []
    for target in (another, "ren-2026-bestaatniet", rid.upper()):
        for tail in ("voorstel", "brief", "ontvangen"):
            answer = await get(portal.url(f"/portaal/antwoord/{target}/{tail}"))
            assert answer.status == 404, (target, tail)
            pages.append((await answer.text()).replace(target, "ID"))
    assert len(set(pages)) == 1 and "Deze pagina bestaat niet" in pages[0]
    refused = await page.request.post(portal.url(f"/portaal/antwoord/{another}/keuze"), form={"keuze": "ja"})
    assert refused.status in (403, 404)
    assert (await get(portal.url("/portaal"))).url.endswith("/portaal/inloggen")
    assert (await get(portal.url(f"/v1/renovations/{rid}"))).status == 401
    # Ended, a kept copy of the cookie no longer works.
    kept = await page.context.cookies()
    await page.goto(portal.url(f"/portaal/antwoord/{rid}/voorstel"))
    await page.get_by_role("button", name="Stoppen zonder te antwoorden").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("U bent klaar")
    await page.context.add_cookies(kept)  # type: ignore[arg-type]
    await page.goto(portal.url(f"/portaal/antwoord/{rid}/voorstel"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw antwoord op het renovatievoorstel")
    assert (await votes(portal, rid, "301-007"))["answers"] == 0


async def test_once_the_vote_is_closed_a_code_shows_a_plain_page_saying_so(
        portal: Portal, axe_page: Page, axe_source: str, voting: tuple[str, dict[str, Letter]]):
    rid, letters = voting
    r = await portal.api.http.post(f"/v1/renovations/{rid}/stop", json={"reason": "Geen financiering."},
                                   headers=portal.api.auth("staff"))
    assert r.status_code == 200, r.text
    await enter(axe_page, letters["301-009"])
    await expect(axe_page.get_by_role("heading", level=1)).to_have_text("U kunt niet meer antwoorden")
    await accessible(axe_page, axe_source, "closed")
    await screenshots(axe_page, "huishouden-gesloten")
    assert (await votes(portal, rid, "301-009"))["answers"] == 0
