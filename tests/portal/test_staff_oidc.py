"""Staff log in with the identity provider (OpenID Connect, against a real provider on loopback)."""

from playwright.async_api import Page, expect

from tests.portal.conftest import Portal


async def _through_the_provider(page: Page, portal: Portal, who: str) -> None:
    await page.goto(portal.url("/portaal/inloggen"))
    await page.get_by_role("link", name="Inloggen met uw werkaccount").click()
    await page.get_by_role("button", name=who, exact=True).click()  # the provider's own login page


async def test_a_staff_member_logs_in_with_the_identity_provider_and_out(portal: Portal, page: Page):
    await _through_the_provider(page, portal, "sanne")
    # Staff land on the overview of what is due.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht: wat moet wanneer")
    await expect(page.get_by_text("Ingelogd als")).to_contain_text("Sanne Behandelaar")
    assert not [c for c in await page.context.cookies() if c["name"] == "__Host-inspraak-oidc"]
    kept = next(c for c in await page.context.cookies() if c["name"] == "__Host-inspraak-sessie")
    await page.get_by_role("button", name="Uitloggen").click()
    # Ended at Inspraak first, then at the provider (RP-Initiated Logout), which sends the browser back.
    assert await portal.sessions().current(kept["value"]) is None
    await expect(page.get_by_role("heading", name="End Session")).to_be_visible()  # the provider's own page
    assert "client_id=inspraak" in page.url and "post_logout_redirect_uri=" in page.url
    await page.get_by_role("button", name="End session").click()
    await expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    assert page.url.startswith(portal.url("/portaal/inloggen?uitgelogd=1"))


async def test_a_manager_is_known_by_the_group_in_the_id_token(portal: Portal, page: Page):
    await _through_the_provider(page, portal, "marieke")
    await expect(page.get_by_text("Ingelogd als")).to_contain_text("Marieke de Vries")
    session = next(c for c in await page.context.cookies() if c["name"] == "__Host-inspraak-sessie")
    s = await portal.sessions().current(session["value"])
    assert s is not None and s.role.value == "manager" and s.organisation_id is None


async def test_a_return_without_this_browsers_login_or_with_another_state_is_refused(portal: Portal, page: Page):
    response = await page.goto(portal.url("/portaal/medewerkers/terug?code=abc&state=xyz"))
    assert response is not None and response.status == 400
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen is niet gelukt")

    await page.goto(portal.url("/portaal/inloggen"))
    await page.get_by_role("link", name="Inloggen met uw werkaccount").click()
    await expect(page.get_by_role("button", name="sanne", exact=True)).to_be_visible()
    response = await page.goto(portal.url("/portaal/medewerkers/terug?code=abc&state=not-the-one-sent"))
    assert response is not None and response.status == 400
    await page.goto(portal.url("/portaal"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")


async def test_a_denied_login_is_a_page_not_a_session(portal: Portal, page: Page):
    await page.goto(portal.url("/portaal/inloggen"))
    await page.get_by_role("link", name="Inloggen met uw werkaccount").click()
    await page.get_by_role("button", name="Deny").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen is niet gelukt")


async def test_the_logout_form_may_send_the_browser_to_the_identity_provider_and_nowhere_else(
        portal: Portal, oidc_issuer: str):
    csp = (await portal.api.http.get("/portaal/inloggen")).headers["content-security-policy"]
    assert f"form-action 'self' {oidc_issuer};" in csp


async def test_the_logout_address_keeps_a_query_the_provider_s_endpoint_has_of_its_own():
    from types import SimpleNamespace
    from urllib.parse import parse_qs, urlsplit

    from inspraak.services.portal import oidc
    from inspraak.settings import Settings

    settings = Settings(oidc_issuer="https://login.example.nl/realms/x", api_public_url="https://inspraak.example.nl")

    async def metadata() -> dict[str, str]:
        return {"end_session_endpoint": "https://login.example.nl/logout?p=b2c_1_signin"}

    provider = SimpleNamespace(configured=True, settings=settings, metadata=metadata)
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(portal_oidc=provider)))
    url = urlsplit(await oidc.logout_url(request))  # type: ignore[arg-type]
    assert url.netloc == "login.example.nl" and url.path == "/logout"
    assert parse_qs(url.query) == {"p": ["b2c_1_signin"], "client_id": ["inspraak"],
                                   "post_logout_redirect_uri": ["https://inspraak.example.nl/portaal/inloggen?uitgelogd=1"]}
