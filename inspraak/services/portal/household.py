"""A household answers its renovation proposal with the personal reply code from its letter (docs/portal-households.md).

The letter prints ``<reply url>/<renovation id>`` (``Settings.reply_url_for``) and the code. The code is posted,
checked by the API's own :func:`~inspraak.services.api.reply_codes.household_for_code` (one refusal for every
kind of wrong, slowed down), and gives a short household session for that renovation, proposal version and
home only. With it the household reads its proposal and its own rent, downloads its own letter and answers
through :func:`~inspraak.services.api.reply_codes.answer_with_code`: the workflow's ``answer_by_code`` update,
as through the API. Anything else, or any other id in an address, is the same 404 page.
"""

import functools
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from temporalio.client import WorkflowUpdateFailedError

from inspraak.activities.register import load_json, load_manifest
from inspraak.activities.storage import ObjectNotFoundError
from inspraak.domain.dutch import bedrag
from inspraak.domain.household_view import HouseholdKey, HouseholdProposal
from inspraak.domain.letter_contexts import RenovatievoorstelBrief
from inspraak.domain.vote import CONSENT_THRESHOLD_PERCENT, MINIMUM_HOMES, Choice
from inspraak.services.api.errors import ApiProblem, Conflict, problem_from_temporal
from inspraak.services.api.reply_codes import RENOVATION_ID, answer_with_code, household_for_code
from inspraak.services.api.routes.documents import attachment
from inspraak.services.portal import web
from inspraak.services.portal.sessions import HOUSEHOLD_COOKIE, HouseholdSession
from inspraak.workflows.renovation import RenovationWorkflow

router = APIRouter(include_in_schema=False)

START = f"{web.PREFIX}/antwoord"
WRONG = ("Deze code klopt niet. Kijk goed naar de code op uw brief en typ hem opnieuw. Een 0 (nul) en een "
         "O zijn hetzelfde. Lukt het niet? Bel ons.")
NOT_HERE = ("Deze pagina bestaat niet", "Misschien is het adres niet goed overgetypt. Typ het adres uit uw brief "
            "opnieuw over, of bel ons.")
READ_AS = str.maketrans({"o": "0", "i": "1", "l": "1"})
CHOICES = {"ja": Choice.AGREED, "nee": Choice.NOT_AGREED}
# BW 7:220 lid 3: the weeks a tenant who did not agree has to ask the court, as the letter says them.
OBJECTION_WEEKS = RenovatievoorstelBrief.model_fields["bezwaar_weken"].default
BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _renovation_id(text: str) -> str:
    """A renovation id as a household may type it from its letter: any case, spaces, a slash after, and an O for
    a 0 or an I or L for a 1 in its random part (Crockford's base32 has no o, i or l: identifiers.py)."""
    rid = text.strip().strip("/").lower().replace(" ", "")
    head, _, tail = rid.rpartition("-")
    return f"{head}-{tail.translate(READ_AS)}" if head else rid


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in BLANK_LINE.split(text.replace("\r\n", "\n")) if p.strip()]


def _message(request: Request, status: int, title: str, text: str, rid: str | None = None) -> HTMLResponse:
    return web.render(request, "household_message.html", {"title": title, "text": text, "start": _start(rid)},
                      status=status)


def _start(rid: str | None) -> str:
    return f"{START}/{rid}" if rid and RENOVATION_ID.match(rid) else START


def _closed(request: Request, rid: str) -> HTMLResponse:
    return _message(request, 200, "U kunt niet meer antwoorden",
                    "De stemming over dit renovatievoorstel is gesloten. U krijgt van ons een brief over de uitkomst. "
                    "Hebt u vragen? Bel ons.", rid)


def _replaced(request: Request, rid: str) -> HTMLResponse:
    return _message(request, 200, "Er is een nieuw voorstel",
                    "Wij hebben een nieuwe versie van het renovatievoorstel gestuurd, met een nieuwe antwoordcode. "
                    "Gebruik de code uit de nieuwste brief.", rid)


def _code_form(request: Request, rid: str | None, *, kenmerk: str = "", error: bool = False,
               status: int = 200) -> HTMLResponse:
    return web.render(request, "household_code.html", {"rid": rid, "kenmerk": kenmerk, "error": WRONG if error else "",
                                                        "action": START}, status=status)


@router.get("/antwoord", response_class=HTMLResponse)
async def start_page(request: Request) -> Response:
    return _code_form(request, None)


@router.get("/antwoord/{renovation_id}", response_class=HTMLResponse)
async def renovation_page(request: Request, renovation_id: str) -> Response:
    """The address on the letter: only the code to type. An address we cannot read asks for the kenmerk too."""
    rid = _renovation_id(renovation_id)
    if not RENOVATION_ID.match(rid):
        return _code_form(request, None)
    session = await _session(request)
    if session is not None and session.renovation_id == rid:
        return web.redirect(f"{START}/{rid}/voorstel")
    return _code_form(request, rid)


@router.post("/antwoord", response_class=HTMLResponse)
async def enter_code(request: Request) -> Response:
    form = await web.checked_form(request)
    kenmerk = str(form.get("kenmerk", ""))[:100]
    rid = _renovation_id(kenmerk)
    client = await request.app.state.temporal.get()
    try:
        holder = await household_for_code(request, client, rid, str(form.get("code", ""))[:100])
    except ApiProblem as e:
        if e.status != 400:
            raise
        shown = rid if RENOVATION_ID.match(rid) and str(form.get("vast", "")) == "1" else None
        return _code_form(request, shown, kenmerk=kenmerk, error=True, status=400)
    if not holder.units.open:
        return _closed(request, rid)
    value = web.sessions(request).open_household(renovation_id=rid, proposal_version=holder.units.proposal_version,
                                                 unit_id=holder.unit_id)
    response = web.redirect(f"{START}/{rid}/voorstel")  # after a POST: the code stays out of the history
    response.set_cookie(HOUSEHOLD_COOKIE, value, max_age=web.sessions(request).household_seconds, path="/",
                        secure=web.settings_of(request).portal_cookie_secure, httponly=True, samesite="strict")
    return response


async def _session(request: Request) -> HouseholdSession | None:
    return await web.sessions(request).current_household(request.cookies.get(HOUSEHOLD_COOKIE))


class _Instead(Exception):
    """A household page shows this answer instead (the code page again, a 404, a replaced proposal)."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


def _household_page(route: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    @functools.wraps(route)
    async def page(*args: Any, **kwargs: Any) -> Response:
        try:
            return await route(*args, **kwargs)
        except _Instead as e:
            return e.response

    return page


async def _own(request: Request, renovation_id: str) -> tuple[HouseholdSession, HouseholdProposal]:
    """The household's session and its proposal, if the address is its own renovation (else :class:`_Instead`)."""
    session = await _session(request)
    if session is None:
        raise _Instead(web.redirect(_start(_renovation_id(renovation_id))))  # ended or expired: the code again
    if renovation_id != session.renovation_id:
        raise _Instead(_message(request, 404, *NOT_HERE, session.renovation_id))
    client = await request.app.state.temporal.get()
    handle = client.get_workflow_handle(session.renovation_id)
    proposal: HouseholdProposal | None = await handle.query(RenovationWorkflow.household, HouseholdKey(
        unit_id=session.unit_id, proposal_version=session.proposal_version))
    if proposal is None:
        raise _Instead(_replaced(request, renovation_id))
    return session, proposal


def _rent(figures: dict[str, Any], unit_id: str) -> dict[str, str] | None:
    own = figures.get(unit_id)
    if not isinstance(own, dict):
        return None
    try:
        return {k: bedrag(Decimal(str(own[k]))) for k in ("huur_nu", "huur_nieuw", "huurverhoging")}
    except (KeyError, InvalidOperation):
        return None


@router.get("/antwoord/{renovation_id}/voorstel", response_class=HTMLResponse)
@_household_page
async def proposal_page(request: Request, renovation_id: str) -> Response:
    session, proposal = await _own(request, renovation_id)
    if not proposal.open:
        return _closed(request, renovation_id)
    store = request.app.state.store
    rent = _rent(await load_json(store, proposal.figures), session.unit_id) if proposal.figures else None
    return web.render(request, "household_proposal.html", {
        "p": proposal, "rid": renovation_id, "rent": rent, "works": paragraphs(proposal.works.renovation),
        "maintenance": paragraphs(proposal.works.maintenance), "schedule": paragraphs(proposal.schedule),
        "temporary_home": paragraphs(proposal.temporary_home or ""), "threshold": CONSENT_THRESHOLD_PERCENT,
        "minimum": MINIMUM_HOMES, "weeks": OBJECTION_WEEKS, "allowance": bedrag(proposal.moving_allowance.amount)
        if proposal.moving_allowance else None, "letter": proposal.letters is not None})


@router.get("/antwoord/{renovation_id}/brief")
@_household_page
async def own_letter(request: Request, renovation_id: str) -> Response:
    """This household's own proposal letter, as stored; there is no address for any other."""
    session, proposal = await _own(request, renovation_id)
    store = request.app.state.store
    letters = await load_manifest(store, proposal.letters.manifest) if proposal.letters else []
    ref = next((d for d in letters if d.household_id == session.unit_id), None)
    try:
        obj = await store.stat(ref.key) if ref is not None else None
    except ObjectNotFoundError:
        obj = None
    if ref is None or obj is None or obj.sha256 != ref.sha256 or obj.metadata.get("household") != session.unit_id:
        return _message(request, 404, "Uw brief is hier niet te vinden",
                        "Bel ons, dan sturen wij u de brief opnieuw.", renovation_id)
    return await attachment(store, obj)


@router.post("/antwoord/{renovation_id}/keuze", response_class=HTMLResponse)
@_household_page
async def choose(request: Request, renovation_id: str) -> Response:
    form = await web.checked_form(request)
    session, proposal = await _own(request, renovation_id)
    choice = CHOICES.get(str(form.get("keuze", "")))
    if choice is None:
        return web.redirect(f"{START}/{renovation_id}/voorstel")
    client = await request.app.state.temporal.get()
    try:
        await answer_with_code(request, client.get_workflow_handle(renovation_id), session.unit_id,
                               session.proposal_version, choice)
    except Conflict:  # closed, or a newer proposal replaced this one
        return _closed(request, renovation_id)
    except WorkflowUpdateFailedError as e:
        if not isinstance(problem_from_temporal(e), Conflict):
            raise  # not the vote's rule: the error page, not "you can no longer answer"
        return _closed(request, renovation_id)
    return web.redirect(f"{START}/{renovation_id}/ontvangen")


@router.get("/antwoord/{renovation_id}/ontvangen", response_class=HTMLResponse)
@_household_page
async def received(request: Request, renovation_id: str) -> Response:
    _, proposal = await _own(request, renovation_id)
    if proposal.answer is None:
        return web.redirect(f"{START}/{renovation_id}/voorstel")
    return web.render(request, "household_received.html", {"p": proposal, "rid": renovation_id,
                                                           "agreed": proposal.answer.choice == Choice.AGREED})


@router.post("/antwoord/klaar", response_class=HTMLResponse)
async def done(request: Request) -> Response:
    """Ends the household session here and on the server (a copy of the cookie ends with it)."""
    await web.checked_form(request)
    session = await _session(request)
    if session is not None:
        await web.sessions(request).end_household(session)
    response = _message(request, 200, "U bent klaar", "U kunt deze pagina nu sluiten. Wilt u later (nog eens) "
                        "antwoorden? Ga dan weer naar het adres in uw brief en typ uw antwoordcode.",
                        session.renovation_id if session else None)
    response.delete_cookie(HOUSEHOLD_COOKIE, path="/", secure=web.settings_of(request).portal_cookie_secure,
                           httponly=True, samesite="strict")
    return response
