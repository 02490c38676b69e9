"""What the portal's browser tests do again and again: log in by mail, wait for a listing, check with axe."""

import asyncio
from typing import Any

from playwright.async_api import Page, expect

from tests.portal.conftest import SCREENSHOTS, Portal

EENDRACHT = "secretaris@hv-eendracht.nl"
DE_LINDE = "bestuur@hb-delinde.nl"


async def ask_link(page: Page, portal: Portal, address: str) -> str:
    """Ask for a login link as a person would; the link from the mail that came."""
    before = len(portal.mail.messages)
    await page.goto(portal.url("/portaal/inloggen"))
    await page.get_by_label("Uw e-mailadres").fill(address)
    await page.get_by_role("button", name="Stuur mij een link").click()
    await expect(page.get_by_role("heading", name="Kijk in uw e-mail")).to_be_visible()
    return await portal.link_for(address, after=before)


async def log_in(page: Page, portal: Portal, address: str) -> None:
    link = await ask_link(page, portal, address)
    await page.goto(link)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Uw trajecten")


async def shows(page: Page, text: str, timeout: float = 15) -> None:
    """Reload until ``text`` is on the page: the listing reads Temporal's visibility, which follows a moment later."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await page.get_by_text(text).count() == 0:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{text!r} did not appear on {page.url}")
        await asyncio.sleep(0.3)
        await page.reload()


async def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now (WCAG 2.x A and AA rules)."""
    await page.add_script_tag(content=source)
    result = await page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                                          'wcag22aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


async def screenshots(page: Page, name: str) -> None:
    """The page at desktop and at phone width, whole, under out/portal-screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        await page.set_viewport_size(viewport)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    if size:
        await page.set_viewport_size(size)


async def tab_to(page: Page, name: str, limit: int = 12) -> list[str]:
    """Press Tab until the element named ``name`` has the focus; the names passed on the way (focus order)."""
    passed: list[str] = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("""() => {
            const e = document.activeElement;
            return (e.getAttribute('aria-label') || e.labels?.[0]?.innerText || e.innerText || e.name || '').trim();
        }""")
        passed.append(focused)
        if focused == name:
            return passed
    raise AssertionError(f"Tab never reached {name!r}; focus went through {passed}")
