"""What every portal page shares: the templates, the security headers, the session and the form check.

A page is rendered with :func:`render`, which gives the template the logged-in user and the form token, and
sets the browser's form cookie when it has none. A posted form passes :func:`checked_form` first.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.datastructures import FormData
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inspraak.domain.dutch import datum, datum_lang
from inspraak.domain.terms import local_date
from inspraak.domain.vote import CONSENT_THRESHOLD_PERCENT, MINIMUM_HOMES
from inspraak.services.portal.sessions import BROWSER_COOKIE, SESSION_COOKIE, Session, Sessions
from inspraak.settings import Settings

PREFIX = "/portaal"
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def _local(context: Any, value: Any) -> Any:
    """A moment as the day it was where the corporation is (a date stays as it is)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return local_date(value, context["request"].app.state.settings.terms_timezone)
    return value


templates.env.filters["datum"] = pass_context(lambda context, value: datum(_local(context, value)))
templates.env.filters["datum_lang"] = pass_context(lambda context, value: datum_lang(_local(context, value)))
templates.env.globals.update(threshold_percent=CONSENT_THRESHOLD_PERCENT, minimum_homes=MINIMUM_HOMES)  # BW 7:220
FORM_FIELD = "formulier_token"

# No inline script or style anywhere: the CSP allows only our own files. No frames, no other origins, and no
# Referer, so the address of a page (a login link) never leaves it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Strict-Transport-Security": "max-age=31536000",
}


def portal_path(path: str) -> bool:
    return path == "/" or path == PREFIX or path.startswith(PREFIX + "/")


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every answer under the portal's prefix (the API keeps its own)."""

    def __init__(self, app: ASGIApp, form_action: str | None = None) -> None:
        self.app = app
        headers = dict(SECURITY_HEADERS)
        if form_action:  # the logout form's redirect to the identity provider (browsers hold redirects to it)
            csp = headers["Content-Security-Policy"]
            headers["Content-Security-Policy"] = csp.replace("form-action 'self'", f"form-action 'self' {form_action}")
        self._headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not portal_path(path):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self._headers if k not in names]
                if not path.startswith(PREFIX + "/static/"):
                    extra.append((b"cache-control", b"no-store"))  # pages with a person's work: never cached
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class LoginRequired(Exception):
    """No (valid) session: the page redirects to the login form."""


class PageProblem(Exception):
    """A page that cannot be shown: rendered as an error page with its status and a Dutch explanation."""

    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.text = text


# What an error means to the person on the page, by status; a correlation id to quote goes with a 500.
PROBLEMS = {
    404: ("Deze pagina bestaat niet", "Misschien is de link niet goed, of hoort deze pagina niet bij uw organisatie."),
    503: ("Inspraak is even niet bereikbaar", "Er is niets veranderd. Probeer het over een paar minuten opnieuw."),
    409: ("Dit kan nu niet", "De stand van zaken is veranderd. Laad de pagina opnieuw en kijk wat er nu kan."),
    413: ("Dit bestand is te groot", "Maak het bestand kleiner of stuur het per e-mail."),
    429: ("Even wachten", "Er zijn te veel codes tegelijk geprobeerd. Wacht een minuut en probeer het dan opnieuw."),
}


def problem_page(problem: Any, request: Request) -> HTMLResponse | None:
    """The error page for an API problem raised while serving a portal page; None elsewhere (problem+json)."""
    if not portal_path(request.url.path):
        return None
    title, text = PROBLEMS.get(problem.status, ("Er ging iets mis", "Probeer het later opnieuw."))
    if problem.status >= 500 and problem.status != 503:
        text += f" Bel ons als het blijft gebeuren en noem deze code: {getattr(request.state, 'correlation_id', '')}."
    return render(request, "problem.html", {"title": title, "text": text}, status=problem.status)


def sessions(request: Request) -> Sessions:
    portal: Sessions = request.app.state.portal_sessions
    return portal


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def current_session(request: Request) -> Session | None:
    return await sessions(request).current(request.cookies.get(SESSION_COOKIE))


async def require_session(request: Request) -> Session:
    session = await current_session(request)
    if session is None:
        raise LoginRequired()
    return session


def today(request: Request) -> Any:
    return local_date(datetime.now(UTC), settings_of(request).terms_timezone)


def render(request: Request, template: str, context: dict[str, Any], *, session: Session | None = None,
           status: int = 200) -> HTMLResponse:
    """The page, with the user, the form token and the browser's form cookie (set here when missing)."""
    portal = sessions(request)
    browser = request.cookies.get(BROWSER_COOKIE)
    fresh = browser is None or len(browser) != 32
    if fresh:
        browser = portal.new_browser_value()
    assert browser is not None
    response = templates.TemplateResponse(request, template, {
        "user": session, "form_token": portal.form_token(browser), "form_field": FORM_FIELD, "prefix": PREFIX,
        "corporation": request.app.state.directory.corporation,
        "staff_login": request.app.state.portal_oidc.configured, **context}, status_code=status)
    if fresh:
        secure = settings_of(request).portal_cookie_secure
        response.set_cookie(BROWSER_COOKIE, browser, httponly=True, secure=secure, samesite="strict", path="/")
    return response


def set_session_cookie(request: Request, response: Response, value: str | None) -> None:
    secure = settings_of(request).portal_cookie_secure
    if value is None:
        response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
    else:
        response.set_cookie(SESSION_COOKIE, value, max_age=sessions(request).session_seconds, path="/",
                            secure=secure, httponly=True, samesite="lax")


def _same_origin(request: Request) -> bool:
    """Not posted from another site. With ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null`` even
    for our own forms, so the Fetch Metadata header decides where the browser sends one; the token always does."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def checked_form(request: Request) -> FormData:
    """The posted form, if it comes from a page of ours in this browser; else a 403 page."""
    form = await request.form()
    token = form.get(FORM_FIELD)
    ok = _same_origin(request) and sessions(request).form_token_ok(
        request.cookies.get(BROWSER_COOKIE), token if isinstance(token, str) else None)
    if not ok:
        raise PageProblem(403, "Dit formulier is verlopen",
                          "Uw gegevens zijn niet verstuurd. Ga terug, laad de pagina opnieuw en probeer het nog eens.")
    return form


def landing(staff: bool) -> str:
    """Where a login lands: staff on the overview of what is due (what they want to see first), an organisation
    on its own trajectories."""
    return f"{PREFIX}/overzicht" if staff else PREFIX


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
