"""The pages of a logged-in user: the list of trajectories, one trajectory, a document's download.

Every read goes through the API's own helpers (``visible_trajectory``, ``visible_renovation`` on
``trajectory_access.find_visible``, ``list_trajectories``, ``documents.download``) with the session's
principal, so the portal shows exactly what the API would: an organisation its own trajectories without
staff-only documents or timeline lines, and a 404 page for anything else.
"""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from temporalio.service import RPCError, RPCStatusCode

from inspraak.domain.advice import AdviceRequestView
from inspraak.domain.renovation_view import RenovationView
from inspraak.services.api.auth import Principal
from inspraak.services.api.errors import NotFound
from inspraak.services.api.routes.advice_requests import visible_trajectory
from inspraak.services.api.routes.documents import download
from inspraak.services.api.routes.renovations import visible_renovation
from inspraak.services.api.routes.trajectories import TrajectorySummary, list_trajectories
from inspraak.services.portal import action_catalog, web, wording
from inspraak.workflows import names

router = APIRouter(include_in_schema=False)

NOT_FOUND = web.PROBLEMS[404]


async def visible_view(request: Request, trajectory_id: str,
                       principal: Principal) -> AdviceRequestView | RenovationView:
    """The trajectory as ``principal`` may read it (the API's helpers); the 404 page for anything else."""
    client = await request.app.state.temporal.get()
    try:
        if trajectory_id.startswith(f"{names.RENOVATION_PREFIX}-"):
            return (await visible_renovation(client, trajectory_id, principal))[1]
        return (await visible_trajectory(client, trajectory_id, principal))[1]
    except NotFound as e:
        raise web.PageProblem(404, *NOT_FOUND) from e
    except RPCError as e:
        if e.status != RPCStatusCode.NOT_FOUND:
            raise  # Temporal away: the error page says so (web.problem_page)
        raise web.PageProblem(404, *NOT_FOUND) from e


def card_of(view: AdviceRequestView | RenovationView, request: Request, principal: Principal) -> dict[str, Any]:
    """What a page shows of one trajectory: its kind, what is asked and by when, in plain Dutch."""
    tasks = wording.tasks(view.deadlines, web.today(request), for_staff=principal.is_staff)
    if isinstance(view, AdviceRequestView):
        kind = "Instemmingsverzoek" if view.consent_requested else "Adviesaanvraag"
        summary = wording.advice_summary(view)
    else:
        kind = "Renovatie"
        summary = wording.renovation_summary(view)
    if principal.is_staff:
        summary = wording.staff_summary(view.state_label)
    return {"view": view, "kind": kind, "summary": summary, "tasks": tasks,
            "overdue": view.overdue or any(t.countdown.overdue for t in tasks)}


@router.get("", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    session = await web.require_session(request)
    principal = session.principal()
    client = await request.app.state.temporal.get()
    listing = await list_trajectories(principal, client, web.settings_of(request), type=None, organisation=None,
                                      state=None, overdue=None, limit=200, cursor=None)
    # One query per trajectory, side by side; one that cannot be read now still shows, from the listing.
    views = await asyncio.gather(*(visible_view(request, item.id, principal) for item in listing.items),
                                 return_exceptions=True)
    cards = []
    for item, view in zip(listing.items, views, strict=True):
        if isinstance(view, web.PageProblem):
            continue  # listed a moment ago, not readable now (never another organisation's: the listing is ours)
        cards.append(_unreadable(item) if isinstance(view, BaseException) else card_of(view, request, principal))
    cards.sort(key=_order)
    return web.render(request, "home.html", {"cards": cards, "more": listing.next is not None}, session=session)


def _unreadable(item: TrajectorySummary) -> dict[str, Any]:
    kind = "Renovatie" if item.type == names.TYPE_RENOVATION else "Adviesaanvraag"
    view = {"id": item.id, "subject": item.subject or item.id.upper(), "organisation_name": item.organisation_id}
    return {"view": view, "kind": kind, "tasks": [], "overdue": item.overdue,
            "summary": "Wij kunnen dit traject nu niet laden. Probeer het over een paar minuten opnieuw."}


def _order(card: dict[str, Any]) -> tuple[int, str]:
    """Overdue first, then what the reader has to do soonest, then the rest."""
    own = [t for t in card["tasks"] if t.who in ("u", "de organisatie")]
    first = min((t.due_on.isoformat() for t in own), default="9999")
    return (0 if card["overdue"] else 1 if own else 2, first)


@router.get("/trajecten/{trajectory_id}", response_class=HTMLResponse)
async def trajectory(request: Request, trajectory_id: str) -> Response:
    session = await web.require_session(request)
    principal = session.principal()
    view = await visible_view(request, trajectory_id, principal)
    card = card_of(view, request, principal)
    documents = [{"doc": d, "kind": wording.DOCUMENT_KIND.get(d.content_type, "bestand"),
                  "size": wording.file_size(d.size)} for d in view.documents]
    return web.render(request, "trajectory.html", {
        **card, "documents": documents, "timeline": list(reversed(view.timeline)),
        **action_catalog.section(request, view, principal),
        "terms": [{"term": t, "status": wording.TERM_STATUS.get(t.status.value, t.status.value)}
                  for t in view.deadlines]}, session=session)


@router.get("/documenten/{document_id}")
async def document(request: Request, document_id: str) -> Response:
    session = await web.require_session(request)
    try:
        return await download(request.app.state.store, document_id, session.principal())
    except NotFound as e:
        raise web.PageProblem(404, "Dit document bestaat niet",
                              "Misschien is de link niet goed, of hoort dit document niet bij uw organisatie.") from e

