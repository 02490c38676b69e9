"""An organisation's pages in the browser: its trajectories with what is asked and by when, the detail page,
its letter downloaded; another organisation's pages and documents refused."""

import asyncio
import hashlib
from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.portal.conftest import Portal
from tests.portal.steps import DE_LINDE, EENDRACHT, log_in, screenshots, shows


async def _advice_request(portal: Portal, **fields: object) -> str:
    r = await portal.api.create(organisation_id="hv-eendracht", **fields)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _letter(portal: Portal, rid: str) -> dict:
    """The request's letter, once the worker has rendered and filed it."""
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        view = await portal.api.view(rid)
        letters = [d for d in view["documents"] if d["type"] == "adviesaanvraag"]
        if letters:
            return dict(letters[0])
        assert asyncio.get_running_loop().time() < deadline, "the letter was not filed"
        await asyncio.sleep(0.2)


async def test_an_organisation_sees_what_is_asked_and_downloads_its_letter(portal: Portal, page: Page):
    rid = await _advice_request(portal, subject="Nieuw beleid voor planmatig onderhoud")
    view = await portal.api.view(rid)
    due = date.fromisoformat(view["deadlines"][0]["due_on"])
    await log_in(page, portal, EENDRACHT)
    await shows(page, "Nieuw beleid voor planmatig onderhoud")
    card = page.get_by_role("listitem").filter(has_text="Nieuw beleid voor planmatig onderhoud")
    await expect(card).to_contain_text("Voor u: uw advies geven")
    await expect(card).to_contain_text(f"nog {(due - date.today()).days} dagen")
    await screenshots(page, "uw-trajecten")

    await card.get_by_role("link", name="Nieuw beleid voor planmatig onderhoud").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw beleid voor planmatig onderhoud")
    await expect(page.get_by_text("Wij vragen uw advies over dit plan.")).to_be_visible()
    await expect(page.get_by_text("Stand van zaken")).to_contain_text(view["state_label"])
    letter = await _letter(portal, rid)
    await screenshots(page, "traject")

    async with page.expect_download() as info:
        await page.get_by_role("link", name=f"Download {letter['title']}").click()
    download = await info.value
    path = await download.path()
    data = path.read_bytes()
    assert data[:2] == b"PK" and hashlib.sha256(data).hexdigest() == letter["sha256"]
    assert download.suggested_filename.endswith(".docx")


async def test_an_overdue_request_is_marked_at_the_top_wohv_art_5a(portal: Portal, page: Page):
    # Registered after its consent term passed: nothing is deemed (art. 5a); it is overdue.
    r = await portal.api.create(path="/v1/advice-requests/registrations", organisation_id="hv-eendracht",
                                subject="Servicekosten 2026", category="j", consent_requested=True,
                                information_provided_on=(date.today() - timedelta(days=90)).isoformat())
    assert r.status_code == 201, r.text
    await log_in(page, portal, EENDRACHT)
    await shows(page, "Servicekosten 2026")
    first = page.locator(".card").first
    await expect(first).to_contain_text("Servicekosten 2026")
    await expect(first).to_contain_text("Let op: een termijn is verstreken.")
    await screenshots(page, "uw-trajecten-te-laat")


async def test_another_organisation_gets_neither_the_pages_nor_the_documents(portal: Portal, page: Page):
    rid = await _advice_request(portal, subject="Alleen voor Eendracht")
    letter = await _letter(portal, rid)
    await log_in(page, portal, DE_LINDE)
    await expect(page.get_by_text("Alleen voor Eendracht")).to_have_count(0)

    response = await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Deze pagina bestaat niet")
    await expect(page.get_by_text("Alleen voor Eendracht")).to_have_count(0)
    await screenshots(page, "niet-gevonden")

    response = await page.goto(portal.url(f"/portaal/documenten/{letter['id']}"))
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dit document bestaat niet")


async def test_pages_need_a_login(portal: Portal, page: Page):
    rid = await _advice_request(portal)
    for path in ("/portaal", f"/portaal/trajecten/{rid}", f"/portaal/documenten/{rid}.01-adviesaanvraag"):
        await page.goto(portal.url(path))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
