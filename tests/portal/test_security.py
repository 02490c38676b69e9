"""The portal's protections over plain HTTP: security headers, the form token on every post, cookies, expiry."""

import re
import time

import httpx

from inspraak.services.api.auth import Role
from inspraak.services.portal.login import LinkLimiter, staff_login_url
from inspraak.services.portal.sessions import SESSION_COOKIE, Session, Signer
from tests.portal.conftest import Portal


def _cookies(response: httpx.Response) -> dict[str, str]:
    """name -> the whole Set-Cookie line (httpx keeps Secure cookies to itself over http)."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


async def test_every_page_carries_the_security_headers(portal: Portal):
    for path in ("/portaal/inloggen", "/portaal/inloggen/link?t=x", "/portaal/documenten/x.y"):
        r = await portal.api.http.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
    # The API keeps its own headers: Swagger UI is no portal page.
    assert "content-security-policy" not in (await portal.api.http.get("/v1/openapi.json")).headers


async def test_a_form_posted_without_the_token_of_this_browser_is_refused(portal: Portal):
    page = await portal.api.http.get("/portaal/inloggen")
    token = re.search(r'name="formulier_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    browser = _cookies(page)["__Host-inspraak-formulier"]
    assert "Secure" in browser and "HttpOnly" in browser and "SameSite=strict" in browser
    value = browser.split(";")[0].split("=", 1)[1]
    for cookie, form_token, origin in [(None, token, None), (value, None, None), ("0" * 32, token, None),
                                       (value, token, "https://elders.example")]:
        headers = {"Cookie": f"__Host-inspraak-formulier={cookie}"} if cookie else {}
        if origin:
            headers["Origin"] = origin
        data = {"email": "secretaris@hv-eendracht.nl"} | ({"formulier_token": form_token} if form_token else {})
        r = await portal.api.http.post("/portaal/inloggen", data=data, headers=headers)
        assert r.status_code == 403 and "Dit formulier is verlopen" in r.text
    ok = await portal.api.http.post("/portaal/inloggen", headers={"Cookie": f"__Host-inspraak-formulier={value}"},
                                    data={"email": "secretaris@hv-eendracht.nl", "formulier_token": token})
    assert ok.status_code == 200


async def test_logging_out_needs_the_form_token_too(portal: Portal):
    r = await portal.api.http.post("/portaal/uitloggen")
    assert r.status_code == 403


async def test_an_expired_or_forged_session_is_no_session(portal: Portal):
    signer = Signer(portal.api.settings, "session")
    base = Session(sid="a" * 32, subject="hv-eendracht:x", name="Anna", email="secretaris@hv-eendracht.nl",
                   role=Role.ORGANISATION, organisation_id="hv-eendracht", expires=int(time.time()) + 600)
    valid = signer.sign(base.model_dump(mode="json"))
    expired = signer.sign(base.model_copy(update={"expires": int(time.time()) - 1}).model_dump(mode="json"))
    other_purpose = Signer(portal.api.settings, "login link").sign(base.model_dump(mode="json"))
    assert (await portal.api.http.get("/portaal", headers={"Cookie": f"{SESSION_COOKIE}={valid}"})).status_code == 200
    for cookie in (expired, other_purpose, valid[:-3] + "abc"):
        r = await portal.api.http.get("/portaal", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
        assert r.status_code == 303 and r.headers["location"] == "/portaal/inloggen"


async def test_the_session_cookie_is_secure_http_only_same_site_and_expires(portal: Portal):
    page = await portal.api.http.get("/portaal/inloggen/link?t=x")
    assert page.status_code == 400  # a link that is not one of ours
    url = staff_login_url(portal.api.settings, portal.sessions(), subject="sanne", name="Sanne Behandelaar",
                          email="sanne@voorbeeldhaven.nl")
    token = url.split("?t=")[1]
    opened = await portal.api.http.get(f"/portaal/inloggen/link?t={token}")
    form_token = re.search(r'name="formulier_token" value="([^"]+)"', opened.text).group(1)  # type: ignore[union-attr]
    browser = _cookies(opened)["__Host-inspraak-formulier"].split(";")[0]
    r = await portal.api.http.post("/portaal/inloggen/link", headers={"Cookie": browser},
                                   data={"t": token, "formulier_token": form_token})
    assert r.status_code == 303
    session = _cookies(r)[SESSION_COOKIE]
    hours = portal.api.settings.portal_session_hours
    assert "Secure" in session and "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    assert f"Max-Age={hours * 3600}" in session


def test_login_links_to_one_address_are_limited_per_hour():
    limiter = LinkLimiter(per_hour=3)
    assert [limiter.allow("A@x.nl", now=t) for t in (0, 10, 20, 30)] == [True, True, True, False]
    assert limiter.allow("b@x.nl", now=30)  # another address has its own count
    assert limiter.allow("a@x.nl", now=3601)  # an hour after the first, one more may go
    assert not limiter.allow("a@x.nl", now=3602)
