"""Logging in with a one-time link by mail, in the browser: the link works once, expires, and logging out ends
the session on the server too."""

import time

from playwright.async_api import Page, expect

from inspraak.services.api.auth import Role
from inspraak.services.portal.sessions import LoginLink, Signer
from tests.portal.conftest import Portal
from tests.portal.steps import EENDRACHT, ask_link, log_in, screenshots

REFUSED = "Deze link werkt niet meer"


async def test_a_contact_logs_in_with_the_link_from_the_mail_and_it_works_only_once(portal: Portal, page: Page):
    link = await ask_link(page, portal, EENDRACHT)
    mail = portal.mail.messages[-1].message
    assert mail["Subject"] == "Uw link om in te loggen bij Inspraak"
    assert "Anna Jansen" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    await page.goto(link)
    await expect(page.get_by_text("U logt in als Anna Jansen")).to_be_visible()
    await screenshots(page, "inloggen-link")
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw trajecten")
    await expect(page.get_by_text("Ingelogd als")).to_contain_text("Anna Jansen")

    await page.get_by_role("button", name="Uitloggen").click()
    await expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    await page.goto(portal.url("/portaal"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")

    await page.goto(link)  # used once already
    await expect(page.get_by_role("heading", level=1)).to_have_text(REFUSED)
    await screenshots(page, "link-werkt-niet-meer")


async def test_a_link_pressed_twice_in_two_browsers_logs_in_only_the_first(portal: Portal, browser, page: Page):  # type: ignore[no-untyped-def]
    link = await ask_link(page, portal, EENDRACHT)
    await page.goto(link)
    other = await (await browser.new_context()).new_page()
    await other.goto(link)  # opened in both before either pressed the button
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw trajecten")
    await other.get_by_role("button", name="Inloggen").click()
    await expect(other.get_by_role("heading", level=1)).to_have_text(REFUSED)
    await other.context.close()


async def test_an_expired_link_is_refused(portal: Portal, page: Page):
    # A link we signed ourselves, whose time has passed: only the clock refuses it.
    expired = LoginLink(nonce="0" * 32, role=Role.ORGANISATION, subject="hv-eendracht:" + EENDRACHT,
                        name="Anna Jansen", email=EENDRACHT, organisation_id="hv-eendracht",
                        expires=int(time.time()) - 1)
    token = Signer(portal.api.settings, "login link").sign(expired.model_dump(mode="json"))
    await page.goto(portal.url(f"/portaal/inloggen/link?t={token}"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(REFUSED)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    await page.goto(portal.url(f"/portaal/inloggen/link?t={tampered}"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(REFUSED)


async def test_the_answer_is_the_same_whether_or_not_the_address_is_known(portal: Portal, page: Page):
    before = len(portal.mail.messages)
    await page.goto(portal.url("/portaal/inloggen"))
    await page.get_by_label("Uw e-mailadres").fill("onbekend@example.org")
    await page.get_by_role("button", name="Stuur mij een link").click()
    unknown = (await page.locator("main").inner_text()).replace("onbekend@example.org", "ADRES")
    await ask_link(page, portal, EENDRACHT)
    known = (await page.locator("main").inner_text()).replace(EENDRACHT, "ADRES")
    assert unknown == known
    assert all("onbekend@example.org" not in m.rcpt_tos for m in portal.mail.messages[before:])
    await screenshots(page, "kijk-in-uw-email")


async def test_a_wrong_address_is_explained_next_to_its_field(portal: Portal, page: Page):
    await page.goto(portal.url("/portaal/inloggen"))
    await screenshots(page, "inloggen")
    await page.get_by_label("Uw e-mailadres").fill("geen adres")
    await page.get_by_role("button", name="Stuur mij een link").click()
    field = page.get_by_label("Uw e-mailadres")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(field).to_be_focused()
    await expect(page.get_by_text("Vul een e-mailadres in")).to_be_visible()
    await screenshots(page, "inloggen-fout")


async def test_the_login_works_with_the_keyboard_alone(portal: Portal, page: Page):
    await page.goto(portal.url("/portaal/inloggen"))
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    await page.keyboard.press("Enter")  # the skip link: the next Tab lands in the form, past the header
    await page.keyboard.press("Tab")
    field = page.get_by_label("Uw e-mailadres")
    await expect(field).to_be_focused()
    outline = await field.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "the focused field shows no focus"
    before = len(portal.mail.messages)
    await page.keyboard.type(EENDRACHT)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Stuur mij een link")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Kijk in uw e-mail")).to_be_visible()
    await page.goto(await portal.link_for(EENDRACHT, after=before))
    for _ in range(6):  # skip link, brand, then the button
        await page.keyboard.press("Tab")
        if await page.get_by_role("button", name="Inloggen").evaluate("e => e === document.activeElement"):
            break
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw trajecten")


async def test_logging_out_ends_the_session_on_the_server_not_only_in_the_browser(portal: Portal, page: Page):
    await log_in(page, portal, EENDRACHT)
    copied = [c for c in await page.context.cookies() if c["name"] == "__Host-inspraak-sessie"]
    assert copied and copied[0]["httpOnly"] and copied[0]["secure"] and copied[0]["sameSite"] == "Lax"
    await page.get_by_role("button", name="Uitloggen").click()
    await page.context.add_cookies(copied)  # someone kept a copy of the cookie
    await page.goto(portal.url("/portaal"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
