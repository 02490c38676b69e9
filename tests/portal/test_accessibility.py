"""axe-core on every portal page (no serious or critical violation), and every page reflows at 320 CSS pixels
(WCAG 2.2 1.4.10: 1280 pixels zoomed to 400%, so 200% too) without scrolling sideways."""

from playwright.async_api import Page, expect

from tests.portal.conftest import Portal
from tests.portal.steps import EENDRACHT, ask_link, axe_violations, shows


async def _check(page: Page, axe: str, name: str) -> None:
    violations = await axe_violations(page, axe)
    assert not violations, f"{name}: {violations}"
    await page.set_viewport_size({"width": 320, "height": 640})
    sideways = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 0, f"{name} scrolls sideways by {sideways}px at 320px"
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_every_page_passes_axe_and_reflows(portal: Portal, axe_page: Page, axe_source: str):
    page = axe_page
    r = await portal.api.create(organisation_id="hv-eendracht", subject="Toegankelijkheid van de portaalpagina's")
    rid = r.json()["id"]

    await page.goto(portal.url("/portaal/inloggen"))
    await _check(page, axe_source, "login")
    await page.get_by_label("Uw e-mailadres").fill("geen adres")
    await page.get_by_role("button", name="Stuur mij een link").click()
    await _check(page, axe_source, "login with an error")

    link = await ask_link(page, portal, EENDRACHT)
    await _check(page, axe_source, "link sent")
    await page.goto(link)
    await _check(page, axe_source, "link opened")
    await page.get_by_role("button", name="Inloggen").click()
    await shows(page, "Toegankelijkheid van de portaalpagina's")
    await _check(page, axe_source, "home")

    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    await expect(page.get_by_role("heading", name="Documenten")).to_be_visible()
    await _check(page, axe_source, "trajectory")
    await page.goto(portal.url("/portaal/trajecten/adv-2026-bestaatniet"))
    await _check(page, axe_source, "not found")

    await page.goto(link)  # used: refused
    await _check(page, axe_source, "link refused")
    await page.get_by_role("button", name="Uitloggen").click()
    await _check(page, axe_source, "logged out")


async def test_the_advice_form_its_errors_and_its_receipt_pass_axe_and_reflow(portal: Portal, axe_page: Page,
                                                                               axe_source: str):
    page = axe_page
    rid = (await portal.api.create(organisation_id="hv-eendracht", subject="Advies via het portaal")).json()["id"]
    link = await ask_link(page, portal, EENDRACHT)
    await page.goto(link)
    await page.get_by_role("button", name="Inloggen").click()
    await page.goto(portal.url(f"/portaal/trajecten/{rid}/advies"))
    await _check(page, axe_source, "advice form")
    await page.get_by_role("button", name="Advies versturen").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await _check(page, axe_source, "advice form with an error")
    await page.get_by_label("Uw adviespunten").fill("Eerste punt.\n\nTweede punt.")
    await page.get_by_role("button", name="Advies versturen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Wij hebben uw advies ontvangen")
    await _check(page, axe_source, "advice receipt")
