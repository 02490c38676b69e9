"""Logging in without a password, and out.

A contact of a tenant organisation asks for a link with the e-mail address the organisations file lists for
it; the link comes by mail, works once and expires (``INSPRAAK_PORTAL_LOGIN_LINK_MINUTES``). The page after
asking is the same whether or not the address is known, and the mail is sent after the answer, so neither
the words nor the time it takes tell. Opening a link shows a button; only pressing it uses the link, so a
mail scanner that opens links does not use it up. In the embedded default, staff log in with a link that
``inspraak dev`` prints; production refuses such links (identity provider login is still to come).
"""

import logging
import re
import time
from collections import deque
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response

from inspraak.activities.mail import MailNotSent, MailRequest, build_mailer, build_message
from inspraak.domain.organisations import Directory
from inspraak.services.api.auth import STAFF_ROLES, Role
from inspraak.services.portal import oidc, web
from inspraak.services.portal.sessions import LoginLink, Sessions
from inspraak.services.worker.main import sender
from inspraak.settings import Settings

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
LINK_PATH = f"{web.PREFIX}/inloggen/link"


class LinkLimiter:
    """At most ``per_hour`` links to one address in any hour, so nobody can fill a volunteer's mailbox."""

    def __init__(self, per_hour: int) -> None:
        self._per_hour = per_hour
        self._sent: dict[str, deque[float]] = {}

    def allow(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        sent = self._sent.setdefault(address.lower(), deque())
        while sent and sent[0] <= now - 3600:
            sent.popleft()
        if len(sent) >= self._per_hour:
            return False
        sent.append(now)
        return True


def link_url(settings: Settings, token: str) -> str:
    return f"{settings.api_public_url.rstrip('/')}{LINK_PATH}?t={quote(token)}"


def staff_login_url(settings: Settings, sessions: Sessions, *, subject: str, name: str, email: str,
                    role: Role = Role.STAFF, minutes: int = 12 * 60) -> str:
    """A staff member's login link for the embedded default (printed by ``inspraak dev``)."""
    return link_url(settings, sessions.link_token(role=role, subject=subject, name=name, email=email,
                                                  minutes=minutes))


def login_mail(settings: Settings, directory: Directory, link: LoginLink, url: str) -> MailRequest:
    org = directory.get(link.organisation_id or "")
    corporation = directory.corporation.name
    minutes = settings.portal_login_link_minutes
    body = (f"Beste {link.name},\n\n"
            f"U vroeg om een link om in te loggen bij Inspraak van {corporation}"
            f"{f', voor {org.name}' if org else ''}.\n\n"
            f"Klik op deze link om in te loggen:\n{url}\n\n"
            f"De link werkt één keer en blijft {minutes} minuten geldig.\n\n"
            "Hebt u niet om deze link gevraagd? Dan hoeft u niets te doen. Zonder deze link kan niemand inloggen.\n\n"
            f"Met vriendelijke groet,\n{corporation}\n")
    return MailRequest(message_id=f"portal-login.{link.nonce}", to=[link.email],
                       subject="Uw link om in te loggen bij Inspraak", body=body)


async def send_links(settings: Settings, directory: Directory, sessions: Sessions, limiter: LinkLimiter,
                     address: str) -> None:
    """A login link to ``address`` for every organisation that lists it; nothing for an unknown address."""
    known = any(str(c.email).lower() == address.lower() for org in directory.organisations for c in org.contacts)
    if not known:
        return
    if not limiter.allow(address):
        logger.warning("login links to one address asked for too often; no mail sent this time")
        return
    mailer = build_mailer(settings)
    for org in directory.organisations:
        for contact in org.contacts:
            if str(contact.email).lower() != address.lower():
                continue
            token = sessions.link_token(role=Role.ORGANISATION, subject=f"{org.id}:{contact.email}",
                                        name=contact.name, email=str(contact.email), organisation_id=org.id)
            link = sessions.read_link(token)
            assert link is not None
            message = build_message(login_mail(settings, directory, link, link_url(settings, token)),
                                    sender(settings), [])
            try:
                await mailer.send(message)
            except (MailNotSent, OSError):
                # The person sees the same page either way; staff see this in the log (no address in it).
                logger.exception("a login link for organisation %s could not be sent", org.id)


@router.get("/inloggen", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    session = await web.current_session(request)
    if session is not None:
        return web.redirect(web.landing(session.principal().is_staff))
    return web.render(request, "login.html", {"logged_out": request.query_params.get("uitgelogd") == "1"})


@router.post("/inloggen", response_class=HTMLResponse)
async def ask_for_link(request: Request, background: BackgroundTasks) -> Response:
    form = await web.checked_form(request)
    address = str(form.get("email", "")).strip()
    if not EMAIL.match(address):
        return web.render(request, "login.html", {"email": address, "error": (
            "Vul een e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")}, status=400)
    settings = web.settings_of(request)
    background.add_task(send_links, settings, request.app.state.directory, web.sessions(request),
                        request.app.state.portal_link_limiter, address)
    return web.render(request, "link_sent.html", {"email": address,
                                                  "minutes": settings.portal_login_link_minutes})


def _usable(request: Request, token: str) -> LoginLink | None:
    link = web.sessions(request).read_link(token)
    if link is None:
        return None
    if link.role != Role.ORGANISATION and web.settings_of(request).environment == "production":
        return None  # staff links are the embedded default's; production logs staff in elsewhere
    return link


async def _link_refused(request: Request) -> Response:
    return web.render(request, "link_refused.html", {}, session=await web.current_session(request), status=400)


@router.get("/inloggen/link", response_class=HTMLResponse)
async def open_link(request: Request, t: str = "") -> Response:
    link = _usable(request, t)
    if link is None or await web.sessions(request).link_used(link):
        return await _link_refused(request)
    return web.render(request, "link_open.html", {"token": t, "link": link})


@router.post("/inloggen/link")
async def use_link(request: Request) -> Response:
    form = await web.checked_form(request)
    link = _usable(request, str(form.get("t", "")))
    if link is None or not await web.sessions(request).use_link(link):
        return await _link_refused(request)
    response = web.redirect(web.landing(link.role in STAFF_ROLES))
    web.set_session_cookie(request, response, web.sessions(request).start(link))
    return response


@router.post("/uitloggen")
async def logout(request: Request) -> Response:
    await web.checked_form(request)
    session = await web.current_session(request)
    if session is not None:
        await web.sessions(request).end(session)
    # Ended here first; a staff member who came through the identity provider is then logged out there too.
    at_provider = await oidc.logout_url(request) if session is not None and session.idp else None
    response = web.redirect(at_provider or f"{web.PREFIX}/inloggen?uitgelogd=1")
    web.set_session_cookie(request, response, None)
    return response
