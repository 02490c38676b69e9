"""Handing in advice through the portal: points as text, an optional .docx or .pdf checked by content and size,
a receipt on screen and by mail; the advice request's own update does the work (Wohv art. 5 lid 2)."""

import asyncio

from playwright.async_api import Page, expect

from tests.portal.conftest import Portal
from tests.portal.steps import DE_LINDE, EENDRACHT, log_in, screenshots

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def _request(portal: Portal, subject: str) -> str:
    r = await portal.api.create(organisation_id="hv-eendracht", subject=subject)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _receipt_mail(portal: Portal, after: int, timeout: float = 20) -> str:
    """The subject of the confirmation mailed to the organisation once the advice is recorded."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for m in portal.mail.messages[after:]:
            names = " ".join(str(p.get_filename() or "") for p in m.message.iter_attachments())
            if EENDRACHT in m.rcpt_tos and "ontvangst" in (str(m.message["Subject"]) + names).lower():
                return str(m.message["Subject"])
        assert asyncio.get_running_loop().time() < deadline, "no confirmation mail to the organisation"
        await asyncio.sleep(0.2)


async def test_an_organisation_hands_in_its_advice_with_a_pdf_and_gets_a_receipt_wohv_art_5_lid_2(
        portal: Portal, page: Page):
    rid = await _request(portal, "Nieuwe regels voor de tuinen")
    await log_in(page, portal, EENDRACHT)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    await page.get_by_role("link", name="Geef uw advies").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw advies geven")
    await page.get_by_label("Uw adviespunten").fill(
        "Laat de bewoners zelf kiezen welke planten er komen.\n\nBegin pas na de zomer met het werk.")
    await page.get_by_label("Bijlage (mag leeg blijven)").set_input_files(
        {"name": "advies tuinen.pdf", "mimeType": "application/pdf", "buffer": PDF})
    await screenshots(page, "advies-formulier")
    mails = len(portal.mail.messages)
    await page.get_by_role("button", name="Advies versturen").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Wij hebben uw advies ontvangen")
    await expect(page.get_by_role("listitem").filter(has_text="Begin pas na de zomer")).to_be_visible()
    await expect(page.get_by_text("Bijlage bij het advies: advies tuinen.pdf")).to_be_visible()
    await screenshots(page, "advies-ontvangen")

    view = await portal.api.view(rid)
    assert view["state"] == "ADVIES_ONTVANGEN"
    assert [p["summary"] for p in view["advice"]["points"]] == [
        "Laat de bewoners zelf kiezen welke planten er komen.", "Begin pas na de zomer met het werk."]
    attachment = next(d for d in view["documents"] if d["title"].startswith("Bijlage bij het advies"))
    assert attachment["content_type"] == "application/pdf" and attachment["visibility"] == "organisation"
    assert any(e["by"] == "Anna Jansen" for e in view["timeline"])  # the actor is the session's person
    await _receipt_mail(portal, mails)

    await page.get_by_role("link", name="Naar de aanvraag").click()
    await expect(page.get_by_role("link", name="Geef uw advies")).to_have_count(0)  # handed in: no second form
    await expect(page.get_by_text("Wij hebben uw advies ontvangen. U hoeft nu niets te doen")).to_be_visible()


async def test_a_file_that_is_no_word_or_pdf_or_too_large_is_refused_at_its_field_and_nothing_is_recorded(
        portal: Portal, page: Page):
    rid = await _request(portal, "Bijlage die niet mag")
    await log_in(page, portal, EENDRACHT)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}/advies"))
    await page.get_by_label("Uw adviespunten").fill("Een punt.")
    bijlage = page.get_by_label("Bijlage (mag leeg blijven)")
    await bijlage.set_input_files({"name": "advies.pdf", "mimeType": "application/pdf", "buffer": b"just text"})
    await page.get_by_role("button", name="Advies versturen").click()
    await expect(page.get_by_role("alert")).to_contain_text("Kies een Word-bestand (.docx) of een PDF")
    await expect(bijlage).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Uw adviespunten")).to_have_value("Een punt.")  # what was typed stays
    await screenshots(page, "advies-fout")

    big = PDF + b"0" * (64 * 1024)  # over the fixture's INSPRAAK_MAX_UPLOAD_BYTES of 64 kB
    await bijlage.set_input_files({"name": "groot.pdf", "mimeType": "application/pdf", "buffer": big})
    await page.get_by_role("button", name="Advies versturen").click()
    await expect(page.get_by_role("alert")).to_contain_text("Het bestand is te groot: hoogstens 64 kB")

    await page.get_by_label("Uw adviespunten").fill("  \n\n ")
    await bijlage.set_input_files([])
    await page.get_by_role("button", name="Advies versturen").click()
    await expect(page.get_by_role("alert")).to_contain_text("Schrijf minstens één adviespunt")
    assert (await portal.api.view(rid))["state"] == "VERZONDEN"


async def test_a_body_far_over_the_limit_is_refused_before_it_is_read_with_a_page(portal: Portal, page: Page):
    rid = await _request(portal, "Veel te groot")
    await log_in(page, portal, EENDRACHT)
    await page.goto(portal.url(f"/portaal/trajecten/{rid}/advies"))
    await page.get_by_label("Uw adviespunten").fill("Een punt.")
    huge = PDF + b"0" * (64 * 1024 + portal.api.settings.max_body_bytes)
    await page.get_by_label("Bijlage (mag leeg blijven)").set_input_files(
        {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": huge})
    await page.get_by_role("button", name="Advies versturen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dit bestand is te groot")
    assert (await portal.api.view(rid))["state"] == "VERZONDEN"


async def test_another_organisation_cannot_open_or_post_the_form(portal: Portal, page: Page):
    rid = await _request(portal, "Alleen Eendracht adviseert hier")
    await log_in(page, portal, DE_LINDE)
    response = await page.goto(portal.url(f"/portaal/trajecten/{rid}/advies"))
    assert response is not None and response.status == 404
    # A post of its own (with its own valid form token) to the other organisation's form: the same 404.
    response = await page.request.post(portal.url(f"/portaal/trajecten/{rid}/advies"), multipart={
        "punten": "Ik adviseer mee.", "formulier_token": await _form_token(page, portal)})
    assert response.status == 404
    assert (await portal.api.view(rid))["state"] == "VERZONDEN"


async def _form_token(page: Page, portal: Portal) -> str:
    await page.goto(portal.url("/portaal"))
    return str(await page.locator("input[name=formulier_token]").first.get_attribute("value"))
