"""Terms in your own calendar: the page with the feed's secret address, a new address, and the feed itself.

- ``/portaal/agenda`` (logged in): the address to copy into Outlook, Google Agenda or a phone, how to do that,
  and the button "Maak een nieuw adres" (the old address stops working at once). The first visit makes the
  address.
- ``/portaal/agenda/<secret>.ics``: the feed (agenda_feed.py). Calendar apps fetch it without a cookie, so the
  secret is all it reads (agenda_keys.py); the terms come through the same helpers as the portal's pages with
  the principal the address was made for: an organisation's contact gets its organisation's trajectories,
  staff all trajectories. An unknown or revoked secret, or a contact no longer in the organisations file, is
  the same 404 as an address that never existed.
"""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from inspraak.services.api.auth import Principal, Role
from inspraak.services.api.routes.trajectories import list_trajectories
from inspraak.services.portal import agenda_feed, pages, web
from inspraak.services.portal.agenda_keys import FeedKeys, FeedOwner

router = APIRouter(include_in_schema=False)

MAX_TRAJECTORIES = 500  # a feed reads at most this many trajectories (in the listing's order)
PAGE = 200
READS_AT_ONCE = 8  # queries to Temporal side by side while a feed is built


def _keys(request: Request) -> FeedKeys:
    return FeedKeys(web.settings_of(request), request.app.state.store)


def feed_url(request: Request, secret: str) -> str:
    """On INSPRAAK_API_PUBLIC_URL, never on the request's Host header."""
    return f"{web.settings_of(request).api_public_url.rstrip('/')}{web.PREFIX}/agenda/{secret}.ics"


@router.get("/agenda", response_class=HTMLResponse)
async def agenda_page(request: Request) -> Response:
    session = await web.require_session(request)
    url = feed_url(request, await _keys(request).secret_of(session.principal()))
    settings = web.settings_of(request)
    return web.render(request, "agenda.html", {
        "url": url, "webcal": "webcal://" + url.split("://", 1)[1], "renewed": request.query_params.get("nieuw") == "1",
        "reminders": reminders(settings.portal_calendar_alarm_days),
        "window": period(settings.portal_calendar_window_days)}, session=session)


def reminders(alarm_days: list[int]) -> str:
    """When the reminders come, in words: "7 dagen en 1 dag voor de laatste dag"."""
    before = [f"{d} {'dag' if d == 1 else 'dagen'}" for d in sorted(set(alarm_days), reverse=True) if d > 0]
    text = ""
    if before:
        text = (", ".join(before[:-1]) + " en " + before[-1] if len(before) > 1 else before[0]) + " voor de laatste dag"
    if 0 in alarm_days:
        text = f"{text} en op de laatste dag zelf" if text else "op de laatste dag zelf"
    return text


def period(days: int) -> str:
    if 360 <= days <= 370:
        return "een jaar"
    return f"{round(days / 30)} maanden" if days >= 60 else f"{days} dagen"


@router.post("/agenda/nieuw")
async def new_address(request: Request) -> Response:
    session = await web.require_session(request)
    await web.checked_form(request)
    await _keys(request).renew(session.principal())
    return web.redirect(f"{web.PREFIX}/agenda?nieuw=1")


def _still_allowed(request: Request, owner: FeedOwner) -> bool:
    """A contact's feed ends when the organisations file no longer lists the contact (as a login would)."""
    if owner.role != Role.ORGANISATION:
        return True
    organisation = request.app.state.directory.get(owner.organisation_id or "")
    return organisation is not None and any(f"{organisation.id}:{c.email}" == owner.subject
                                            for c in organisation.contacts)


async def _cards(request: Request, principal: Principal) -> list[dict[str, Any]]:
    """Every trajectory the principal may see (at most MAX_TRAJECTORIES), as the portal's pages read them."""
    client = await request.app.state.temporal.get()
    ids: list[str] = []
    cursor = None
    while len(ids) < MAX_TRAJECTORIES:
        listing = await list_trajectories(principal, client, web.settings_of(request), type=None, organisation=None,
                                          state=None, overdue=None, limit=PAGE, cursor=cursor)
        ids += [item.id for item in listing.items if item.id not in ids]  # a continued run is listed again
        cursor = listing.next
        if cursor is None:
            break
    gate = asyncio.Semaphore(READS_AT_ONCE)

    async def read(trajectory_id: str) -> dict[str, Any] | None:
        async with gate:
            try:
                return pages.card_of(await pages.visible_view(request, trajectory_id, principal), request, principal)
            except web.PageProblem:
                return None  # listed a moment ago, not readable now (never another organisation's)

    # Any other failure (Temporal away) fails the whole feed: a calendar app then keeps what it had, rather
    # than dropping the events of a trajectory it could not read.
    return [card for card in await asyncio.gather(*(read(i) for i in ids[:MAX_TRAJECTORIES])) if card]


@router.api_route("/agenda/{secret}.ics", methods=["GET", "HEAD"])
async def calendar_feed(request: Request, secret: str) -> Response:
    owner = await _keys(request).owner_of(secret)
    if owner is None or not _still_allowed(request, owner):
        raise web.PageProblem(404, *pages.NOT_FOUND)
    principal = owner.principal()
    directory = request.app.state.directory
    organisation = directory.get(owner.organisation_id or "")
    settings = web.settings_of(request)
    options = agenda_feed.FeedOptions(
        name=f"Inspraak – {organisation.name if organisation else directory.corporation.name}",
        public_url=settings.api_public_url, today=web.today(request),
        alarm_days=tuple(settings.portal_calendar_alarm_days), reminder_time=settings.terms_reminder_time,
        window_days=settings.portal_calendar_window_days, for_staff=principal.is_staff,
        timezone=settings.terms_timezone)
    cards = await _cards(request, principal)
    # icalendar takes about a millisecond or two per event: a large staff feed is built beside the event loop.
    body = await asyncio.to_thread(agenda_feed.feed, cards, options)
    # Cache-Control: no-store and Referrer-Policy: no-referrer come from web.SecurityHeaders, as on every page.
    return Response(body, media_type=agenda_feed.MEDIA_TYPE, headers={
        "Content-Disposition": 'attachment; filename="inspraak-termijnen.ics"', "X-Robots-Tag": "noindex"})
