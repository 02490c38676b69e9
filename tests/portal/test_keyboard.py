"""An organisation's way from its list to its advice, with the keyboard alone, in a sensible focus order."""

from playwright.async_api import Page, expect

from tests.portal.conftest import Portal
from tests.portal.steps import EENDRACHT, log_in, shows, tab_to


async def test_from_the_list_to_handing_in_advice_with_the_keyboard_alone(portal: Portal, page: Page):
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Toetsenbord: parkeerbeleid")).json()["id"]
    await log_in(page, portal, EENDRACHT)
    await shows(page, "Toetsenbord: parkeerbeleid")
    await page.goto(portal.url("/portaal"))
    order = await tab_to(page, "Toetsenbord: parkeerbeleid", limit=40)
    assert order[:4] == ["Naar de inhoud", "Inspraak", "Agenda", "Uitloggen"]  # skip link first, then the header
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(portal.url(f"/portaal/trajecten/{rid}"))

    order = await tab_to(page, "Geef uw advies")
    assert order.index("Terug naar uw trajecten") < order.index("Geef uw advies")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw advies geven")
    await tab_to(page, "Uw adviespunten")
    await page.keyboard.type("Maak meer plaatsen voor fietsen.")
    await tab_to(page, "Advies versturen", limit=4)  # past the file field, which may stay empty
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Wij hebben uw advies ontvangen")
