"""An organisation hands in its advice: points as text, an optional .docx or .pdf, a receipt on screen and by mail.

The form runs the advice request's own ``record_advice`` update (and ``attach_document`` for the file, through
the API's ``attach_upload``), with the session's principal as the actor: the same rules, the same table and the
same "ontvangstbevestiging" letter and mail as when the advice comes in through the API.
"""

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from inspraak.activities.mail import file_name
from inspraak.domain.advice import AdviceRequestView
from inspraak.domain.advice_actions import MAX_POINT_TEXT, MAX_POINTS, AdvicePoint, AdviceReceived
from inspraak.domain.terms import local_date
from inspraak.domain.uploads import sniff
from inspraak.services.api.errors import ApiProblem, NotFound
from inspraak.services.api.routes.advice_requests import attach_upload, visible_trajectory
from inspraak.services.api.trajectory_access import as_action, execute
from inspraak.services.portal import web
from inspraak.services.portal.sessions import Session
from inspraak.services.portal.wording import file_size
from inspraak.workflows.advice_request import AdviceRequestWorkflow

router = APIRouter(include_in_schema=False)

BLANK_LINE = re.compile(r"\n[ \t]*\n")


def points_of(text: str) -> list[str]:
    """Each paragraph (separated by an empty line) is one advice point."""
    return [p.strip() for p in BLANK_LINE.split(text.replace("\r\n", "\n")) if p.strip()]


async def _advice_request(request: Request, trajectory_id: str, session: Session) -> tuple[Any, AdviceRequestView]:
    client = await request.app.state.temporal.get()
    try:
        return await visible_trajectory(client, trajectory_id, session.principal())
    except NotFound as e:
        raise web.PageProblem(404, *web.PROBLEMS[404]) from e


def may_advise(view: AdviceRequestView) -> bool:
    return not view.consent_requested and "record_advice" in view.allowed_actions


def _form(request: Request, view: AdviceRequestView, session: Session, *, text: str = "",
          errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    if not may_advise(view):
        return web.render(request, "problem.html", {
            "title": "U kunt nu geen advies geven",
            "text": f"Stand van zaken: {view.state_label}. Bel ons als u toch iets wilt laten weten."},
            session=session, status=409)
    limit = file_size(web.settings_of(request).max_upload_bytes)
    return web.render(request, "advice_form.html", {"view": view, "text": text, "errors": errors or {},
                                                    "limit": limit, "max_points": MAX_POINTS,
                                                    "max_point_text": MAX_POINT_TEXT}, session=session, status=status)


@router.get("/trajecten/{trajectory_id}/advies", response_class=HTMLResponse)
async def advice_form(request: Request, trajectory_id: str) -> Response:
    session = await web.require_session(request)
    _, view = await _advice_request(request, trajectory_id, session)
    return _form(request, view, session)


def _check(text: str, file: UploadFile | None, data: bytes, max_bytes: int) -> dict[str, str]:
    """Every mistake, by field, in words a volunteer understands."""
    errors: dict[str, str] = {}
    points = points_of(text)
    if not points:
        errors["punten"] = "Schrijf minstens één adviespunt."
    elif len(points) > MAX_POINTS:
        errors["punten"] = f"Schrijf hoogstens {MAX_POINTS} punten. Voeg punten samen of stuur een bijlage."
    elif any(len(p) > MAX_POINT_TEXT for p in points):
        n = next(i for i, p in enumerate(points, 1) if len(p) > MAX_POINT_TEXT)
        errors["punten"] = (f"Punt {n} is te lang: hoogstens {MAX_POINT_TEXT} tekens per punt. Maak er twee punten "
                            "van (met een lege regel ertussen) of zet de uitleg in een bijlage.")
    if file is not None and data:
        if len(data) > max_bytes:
            errors["bijlage"] = f"Het bestand is te groot: hoogstens {file_size(max_bytes)}."
        elif sniff(data) is None:
            errors["bijlage"] = "Dit bestand kunnen wij niet aannemen. Kies een Word-bestand (.docx) of een PDF."
    return errors


@router.post("/trajecten/{trajectory_id}/advies", response_class=HTMLResponse)
async def hand_in_advice(request: Request, trajectory_id: str) -> Response:
    session = await web.require_session(request)
    form = await web.checked_form(request)
    handle, view = await _advice_request(request, trajectory_id, session)
    text = str(form.get("punten", ""))
    upload = form.get("bijlage")
    file = upload if isinstance(upload, UploadFile) and upload.filename else None
    settings = web.settings_of(request)
    data = await file.read(settings.max_upload_bytes + 1) if file is not None else b""
    errors = _check(text, file, data, settings.max_upload_bytes)
    if errors or not may_advise(view):
        return _form(request, view, session, text=text, errors=errors, status=400 if errors else 409)
    principal = session.principal()
    note = None
    try:
        if file is not None and data:
            title = f"Bijlage bij het advies: {file_name(file.filename or 'bijlage')}"[:200]
            await attach_upload(request.app.state.store, handle, view, data, title, principal)
            note = title
        today = local_date(datetime.now(UTC), settings.terms_timezone)
        action = AdviceReceived(received_on=today, points=[AdvicePoint(summary=p) for p in points_of(text)],
                                note=note)
        await execute(handle, AdviceRequestWorkflow.record_advice, as_action(action, principal), view.state.value,
                      view.state_label)
    except ApiProblem as e:
        if e.status >= 500:
            raise
        return _form(request, view, session, text=text, status=e.status,
                     errors={"punten": "Uw advies kon niet worden opgeslagen. Laad de pagina opnieuw en probeer het "
                                       "nog eens, of bel ons."})
    return web.redirect(f"{web.PREFIX}/trajecten/{trajectory_id}/advies/ontvangen")


@router.get("/trajecten/{trajectory_id}/advies/ontvangen", response_class=HTMLResponse)
async def receipt(request: Request, trajectory_id: str) -> Response:
    session = await web.require_session(request)
    _, view = await _advice_request(request, trajectory_id, session)
    if view.advice is None:
        return web.redirect(f"{web.PREFIX}/trajecten/{trajectory_id}")
    attachments = [d for d in view.documents if d.title.startswith("Bijlage bij het advies")]
    reply_by = next((t.due_on for t in view.deadlines if t.term == "reply_term" and t.status.value == "running"), None)
    return web.render(request, "advice_receipt.html", {"view": view, "advice": view.advice, "reply_by": reply_by,
                                                       "attachments": attachments}, session=session)
