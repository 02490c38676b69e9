"""The actions a trajectory's state allows, each a form of its own: ``/portaal/trajecten/{id}/acties/{action}``.

The form is made from the action's pydantic model (``form_fields``), worded by ``action_words``, and sent as the
API sends it (``action_catalog``: the same update, the same table and validators, the session's principal as the
actor). What the model or the workflow refuses is shown next to its field in plain Dutch, with what was typed; a
state that does not allow the action is said in plain words (from the table), on opening the form and after
sending it. Done: back to the trajectory's page (POST-redirect-GET) with a confirmation.

An organisation reaches only its own actions on its own trajectories; a staff action, or anything of another
organisation, is the same 404 page as a page that does not exist.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from temporalio.client import WorkflowUpdateFailedError

from inspraak.services.api.auth import Principal
from inspraak.services.api.errors import ApiProblem, problem_from_temporal
from inspraak.services.portal import action_catalog as catalog
from inspraak.services.portal import web
from inspraak.services.portal.action_words import (
    TODAY_FOR_ORGANISATION,
    YES_NO,
    conflict_text,
    error_text,
    for_organisation,
    label_of,
    options_of,
)
from inspraak.services.portal.form_fields import (
    FieldError,
    FormField,
    data_of,
    errors_of_model,
    errors_of_params,
    typed,
)
from inspraak.services.portal.pages import visible_view
from inspraak.services.portal.sessions import Session

router = APIRouter(include_in_schema=False)


async def _found(request: Request, trajectory_id: str, slug: str,
                 principal: Principal) -> tuple[catalog.View, catalog.Entry]:
    """The trajectory as the caller may read it and the action, if the caller's role may take it; else 404."""
    view = await visible_view(request, trajectory_id, principal)
    entry = catalog.entries(view).get(slug)
    if entry is None or entry.fields is None or not catalog.may_take(entry, principal):
        raise web.PageProblem(404, *web.PROBLEMS[404])
    return view, entry


def _hidden(entry: catalog.Entry, principal: Principal) -> set[str]:
    """The fields the caller does not fill in: an organisation's own answer is dated today."""
    if principal.is_staff:
        return set()
    return {f for a, f in TODAY_FOR_ORGANISATION if a == entry.name}


def _defaults(view: catalog.View, entry: catalog.Entry, today: date) -> dict[str, str]:
    """An empty form: today in the day fields that record what just happened, the model's own defaults."""
    out: dict[str, str] = {}
    for f in entry.fields or ():
        default = entry.model.model_fields[f.name].default
        if f.kind == "rows":
            continue
        if label_of(entry.name, f.name).today:
            out[f.name] = today.isoformat()
        elif f.kind == "checkbox":
            out[f.name] = "ja" if default is True else ""
        elif isinstance(default, str):
            out[f.name] = default
    return out


def _field(action: str, f: FormField, name: str, values: dict[str, str], errors: dict[str, str],
           hints: dict[str, str], reader: Callable[[str], str]) -> dict[str, Any]:
    """What the template shows of one field: label, hint, choices, the value typed, the error."""
    label = label_of(action, f.name)
    choices = options_of(f.name, f.options if f.kind == "choice" else tuple(YES_NO)) \
        if f.kind in ("choice", "yesno") else []
    return {"name": name, "id": f"veld-{name}", "kind": f.kind, "required": f.required,
            "optional": not f.required and label.optional_said and f.kind != "checkbox",
            "label": reader(label.label), "hint": reader(label.hint.format(**hints)),
            "choices": [(v, reader(t)) for v, t in choices], "value": values.get(name, ""), "error": errors.get(name)}


def _fields(view: catalog.View, entry: catalog.Entry, values: dict[str, str], errors: dict[str, str],
            today: date, staff: bool, hidden: set[str]) -> list[dict[str, Any]]:
    """The form's fields; a ``rows`` field as a group of fields per item, with the item's caption."""
    hints = catalog.hint_values(view, today)
    reader: Callable[[str], str] = (lambda text: text) if staff else for_organisation
    captions = entry.rows(view) if entry.rows else {}
    out = []
    for f in entry.fields or ():
        if f.name in hidden:
            continue
        shown = _field(entry.name, f, f.name, values, errors, hints, reader)
        if f.kind == "rows":
            shown["rows"] = [{"caption": caption, "fields": [
                _field(entry.name, s, f"{f.name}-{i}-{s.name}", values, errors, hints, reader) for s in f.sub]}
                for i, caption in enumerate(captions.get(f.name, []))]
        out.append(shown)
    return out


def _page(request: Request, session: Session, view: catalog.View, entry: catalog.Entry, *,
          values: dict[str, str] | None = None, errors: list[FieldError] | None = None,
          refusal: str | None = None, status: int = 200) -> HTMLResponse:
    principal = session.principal()
    today = web.today(request)
    refusal = refusal or catalog.why_not(view, entry, principal)
    kinds = {f.name: f.kind for f in entry.fields or ()}
    by_field: dict[str, str] = {}
    summary: list[tuple[str | None, str]] = []
    for e in errors or []:
        text = error_text(e.field, e.item, e.code, e.reason, e.context, kinds.get(e.field, ""))
        field = e.field if e.field in kinds else None
        if field is not None and kinds[field] == "rows" and e.item is not None and e.sub:
            field = f"{field}-{e.item - 1}-{e.sub}"  # next to the item's own field
        if field is not None and field not in by_field:
            by_field[field] = text
        summary.append((f"veld-{field}" if field else None, text))
    words = catalog.words(view, entry)
    the, _ = catalog.noun(view)
    return web.render(request, "action_form.html", {
        "view": view, "slug": entry.slug, "title": catalog.title(view, entry, principal), "intro": words.intro,
        "noun": the, "refusal": refusal, "summary": summary,
        "fields": _fields(view, entry, values if values is not None else _defaults(view, entry, today), by_field,
                          today, principal.is_staff, _hidden(entry, principal))},
        session=session, status=409 if refusal else status)


@router.get("/trajecten/{trajectory_id}/acties/{slug}", response_class=HTMLResponse)
async def action_form(request: Request, trajectory_id: str, slug: str) -> Response:
    session = await web.require_session(request)
    view, entry = await _found(request, trajectory_id, slug, session.principal())
    return _page(request, session, view, entry)


@router.post("/trajecten/{trajectory_id}/acties/{slug}", response_class=HTMLResponse)
async def take_action(request: Request, trajectory_id: str, slug: str) -> Response:
    session = await web.require_session(request)
    form = await web.checked_form(request)
    principal = session.principal()
    view, entry = await _found(request, trajectory_id, slug, principal)
    assert entry.fields is not None
    values = typed(entry.fields, form) | {name: web.today(request).isoformat() for name in _hidden(entry, principal)}
    if catalog.why_not(view, entry, principal) is not None:
        return _page(request, session, view, entry, values=values)
    try:
        body = entry.model.model_validate(data_of(entry.fields, values, web.settings_of(request).terms_timezone,
                                                  entry.counts(view)))
    except ValidationError as e:
        return _page(request, session, view, entry, values=values, errors=errors_of_model(e), status=400)
    client = await request.app.state.temporal.get()
    try:
        try:
            await entry.run(request, client.get_workflow_handle(view.id), view, body, principal)
        except WorkflowUpdateFailedError as e:
            problem = problem_from_temporal(e, safe_method=False)
            if problem is None:
                raise
            raise problem from e
    except ApiProblem as problem:
        if problem.status == 400:
            return _page(request, session, view, entry, values=values, errors=errors_of_params(
                problem.invalid_params), status=400)
        if problem.status != 409:
            raise
        # The state changed since the page was read (someone else acted, a term ran out): say what it is now; or
        # a validator refused for the state and a date together (advice recorded after the clock made it
        # executable).
        view, entry = await _found(request, trajectory_id, slug, principal)
        field, text = conflict_text(problem.detail)
        return _page(request, session, view, entry, values=values, status=409, errors=[
            FieldError(field=field, item=None, sub=None, code="conflict", reason=text, context={})])
    return web.redirect(f"{web.PREFIX}/trajecten/{trajectory_id}?gedaan={entry.slug}")

