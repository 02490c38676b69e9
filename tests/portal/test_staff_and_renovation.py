"""Staff in the portal (the embedded default's login link; production refuses it) and a renovation as its
organisation sees it: no household anywhere."""

import re

import httpx
from playwright.async_api import Page, expect
from pydantic import SecretStr

from inspraak.services.api.app import create_app
from inspraak.services.portal.login import staff_login_url
from tests.portal.conftest import Portal
from tests.portal.steps import EENDRACHT, log_in, screenshots, shows
from tests.services.api.renovation_steps import ready_for_proposals

DE_MOLEN = "bc-demolen@example.nl"


async def test_staff_log_in_with_the_dev_link_and_see_every_organisation(portal: Portal, page: Page):
    await portal.api.create(organisation_id="sh-de-linde", subject="Huurbeleid De Linde")
    await portal.api.create(organisation_id="hv-eendracht", subject="Huurbeleid Eendracht")
    url = staff_login_url(portal.api.settings, portal.sessions(), subject="sanne", name="Sanne Behandelaar",
                          email="sanne@voorbeeldhaven.nl")
    await page.goto(url)
    await page.get_by_role("button", name="Inloggen").click()
    # Staff land on the overview of what is due.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht: wat moet wanneer")
    await page.get_by_role("link", name="Inspraak", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Alle trajecten")
    await shows(page, "Huurbeleid De Linde")
    await shows(page, "Huurbeleid Eendracht")
    card = page.locator(".card").filter(has_text="Huurbeleid De Linde")
    await expect(card).to_contain_text("Stichting Huurdersbelangen De Linde")
    await expect(card).to_contain_text("Voor de organisatie: advies geven")  # staff read it from their side
    await expect(card).to_contain_text("Stand van zaken: verzonden, wacht op reactie van de organisatie.")
    await screenshots(page, "alle-trajecten-medewerker")


async def test_production_refuses_staff_login_links(portal: Portal):
    settings = portal.api.settings.model_copy(update={
        "environment": "production", "jwt_secret": SecretStr("x" * 48), "reply_code_key": SecretStr("y" * 48),
        "oidc_issuer": None, "api_public_url": "https://inspraak.woonstichting.nl"})
    app = create_app(settings, client=None)
    url = staff_login_url(settings, app.state.portal_sessions, subject="sanne", name="Sanne", email="s@x.nl")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
        opened = await http.get(url.replace(settings.api_public_url, ""))
    assert opened.status_code == 400 and "Deze link werkt niet meer" in opened.text


async def test_a_renovation_shows_to_its_organisation_without_any_household(portal: Portal, page: Page):
    rid = await ready_for_proposals(portal.api, 4)
    await log_in(page, portal, DE_MOLEN)
    view = (await portal.api.http.get(f"/v1/renovations/{rid}", headers=portal.api.auth("staff"))).json()
    await shows(page, view["subject"])
    await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(view["subject"])
    await expect(page.get_by_text("Renovatie · Bewonerscommissie De Molen")).to_be_visible()
    text = await page.locator("main").inner_text()
    assert not re.search(r"301-\d{3}|Huurder Nummer|Molenweg \d|huurder\d+@", text), text
    await screenshots(page, "renovatie")

    await page.get_by_role("button", name="Uitloggen").click()
    await log_in(page, portal, EENDRACHT)  # another organisation
    response = await page.goto(portal.url(f"/portaal/trajecten/{rid}"))
    assert response is not None and response.status == 404
