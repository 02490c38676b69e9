"""Which actions the portal offers on a trajectory, taken from the API's own action tables, and whether the
trajectory's state allows each one now (its state × action table, as its view reports it).

- An advice or consent request: the API's ``advice_requests.ACTIONS`` (path, update, body, staff only); an
  organisation takes only the others (``ORGANISATION_ACTIONS``), staff take all. Each runs as the API runs it:
  ``trajectory_access.execute`` with the update and the session's principal as the actor.
- A renovation (staff only): the API's ``ACTIONS`` of ``renovations``, ``renovation_objections`` and
  ``renovation_works``, each run through the API's own ``action_route``; the start of the works and the advice
  request on the plans through the API's route functions (they add what the API adds: the moving allowance,
  the planned request).

An action whose body has a field no simple form field fits (``form_fields.fields_of``) has no form here; the
page says where it is done (``action_words.ELSEWHERE``). The URL of an action is its API path with ``-`` for
``/``: ``/portaal/trajecten/{id}/acties/term-extension``.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from temporalio.client import WorkflowHandle

from inspraak.domain.advice import STATE_LABELS as ADVICE_LABELS
from inspraak.domain.advice import AdviceRequestView, table_for
from inspraak.domain.advice import State as AdviceState
from inspraak.domain.dutch import datum_lang
from inspraak.domain.renovation import RENOVATION_TABLE
from inspraak.domain.renovation import STATE_LABELS as RENOVATION_LABELS
from inspraak.domain.renovation_view import RenovationView
from inspraak.domain.trajectory import ActionTable
from inspraak.services.api.auth import Principal
from inspraak.services.api.routes import advice_requests, renovation_advice, renovation_objections, renovation_works
from inspraak.services.api.routes import renovations as renovation_routes
from inspraak.services.api.trajectory_access import as_action, execute
from inspraak.services.portal import action_words, web
from inspraak.services.portal.form_fields import FormField, fields_of

View = AdviceRequestView | RenovationView
Runner = Callable[[Request, WorkflowHandle[Any, Any], View, BaseModel, Principal], Awaitable[Any]]


@dataclass(frozen=True)
class Entry:
    name: str  # the workflow update's name: the action in the state × action table
    slug: str  # in the portal's URL
    model: type[BaseModel]
    staff_only: bool
    fields: tuple[FormField, ...] | None  # None: no form in the portal (action_words.ELSEWHERE says where)
    run: Runner
    # A ``rows`` field's items, from the trajectory (the decision: one per advice point, its text as caption).
    rows: Callable[[View], dict[str, list[str]]] | None = None

    def counts(self, view: View) -> dict[str, int]:
        return {k: len(v) for k, v in self.rows(view).items()} if self.rows else {}


def _slug(path: str) -> str:
    return path.replace("/", "-")


def _advice_runner(update: Any) -> Runner:
    async def run(request: Request, handle: WorkflowHandle[Any, Any], view: View, body: BaseModel,
                  principal: Principal) -> Any:
        return await execute(handle, update, as_action(body, principal), view.state.value, view.state_label)
    return run


def _renovation_runner(update: Any, model: type[BaseModel]) -> Runner:
    route = renovation_routes.action_route(update, model)  # the API's own route, as its router runs it

    async def run(request: Request, handle: WorkflowHandle[Any, Any], view: View, body: BaseModel,
                  principal: Principal) -> Any:
        return await route(trajectory_id=view.id, body=body, principal=principal,
                           client=await request.app.state.temporal.get(), request=request)
    return run


async def _start_works(request: Request, handle: WorkflowHandle[Any, Any], view: View, body: BaseModel,
                       principal: Principal) -> Any:
    return await renovation_works.start_works(view.id, body, principal, request.app.state.settings,  # type: ignore[arg-type]
                                              await request.app.state.temporal.get())


async def _start_advice_request(request: Request, handle: WorkflowHandle[Any, Any], view: View, body: BaseModel,
                                principal: Principal) -> Any:
    return await renovation_advice.start_advice_request(
        view.id, body, principal, request.app.state.settings, request.app.state.directory,  # type: ignore[arg-type]
        await request.app.state.temporal.get())


async def _elsewhere(request: Request, handle: WorkflowHandle[Any, Any], view: View, body: BaseModel,
                     principal: Principal) -> Any:  # pragma: no cover - an entry without a form is never run
    raise AssertionError("no form")


def _advice_points(view: View) -> dict[str, list[str]]:
    advice = view.advice if isinstance(view, AdviceRequestView) else None
    return {"points": [p.summary for p in advice.points] if advice else []}


# Where a ``rows`` field's items come from, per action.
ROWS: dict[str, Callable[[View], dict[str, list[str]]]] = {"decide": _advice_points}


def _entry(name: str, path: str, model: type[BaseModel], staff_only: bool, run: Runner) -> Entry:
    fields = fields_of(model)
    if fields is not None:
        order = action_words.ORDER.get(name, ())
        fields = tuple(sorted(fields, key=lambda f: order.index(f.name) if f.name in order else len(order)))
        if name not in ROWS:  # items the form cannot count: an optional list is left out, a required one ...
            if any(f.kind == "rows" and f.required for f in fields):
                fields = None  # ... leaves the action to the API
            else:
                fields = tuple(f for f in fields if f.kind != "rows")
    return Entry(name=name, slug=_slug(path), model=model, staff_only=staff_only, fields=fields, run=run,
                 rows=ROWS.get(name))


ADVICE: dict[str, Entry] = {
    e.slug: e for e in (_entry(update.__name__, path, model, staff_only, _advice_runner(update))
                        for path, update, model, staff_only, _ in advice_requests.ACTIONS)}

RENOVATION: dict[str, Entry] = {
    e.slug: e for e in [
        *(_entry(update.__name__, path, model, True, _renovation_runner(update, model))
          for path, update, model, _ in [*renovation_routes.ACTIONS, *renovation_objections.ACTIONS,
                                         *renovation_works.ACTIONS]),
        _entry("start_works", "works/start", renovation_works.WorksStartBody, True, _start_works),
        _entry("start_advice_request", "advice-request", renovation_advice.RenovationAdviceBody, True,
               _start_advice_request),
        Entry("hand_in_plan", "plans", BaseModel, True, None, _elsewhere),
        Entry("send_proposals", "proposals", BaseModel, True, None, _elsewhere),
    ]}


def entries(view: View) -> dict[str, Entry]:
    return ADVICE if isinstance(view, AdviceRequestView) else RENOVATION


def table(view: View) -> ActionTable:
    return table_for(view.consent_requested) if isinstance(view, AdviceRequestView) else RENOVATION_TABLE


def state_labels(view: View) -> dict[str, str]:
    labels = ADVICE_LABELS if isinstance(view, AdviceRequestView) else RENOVATION_LABELS
    return {str(k): v for k, v in labels.items()}


def words(view: View, entry: Entry) -> action_words.Words:
    return (action_words.ADVICE if isinstance(view, AdviceRequestView) else action_words.RENOVATION)[entry.name]


def noun(view: View) -> tuple[str, str]:
    """How the page names the trajectory: ('de adviesaanvraag', 'een adviesaanvraag')."""
    if isinstance(view, RenovationView):
        return "de renovatie", "een renovatie"
    if view.consent_requested:
        return "het instemmingsverzoek", "een instemmingsverzoek"
    return "de adviesaanvraag", "een adviesaanvraag"


def may_take(entry: Entry, principal: Principal) -> bool:
    """The caller's role may take this action at all (staff every one, an organisation its own)."""
    return principal.is_staff or not entry.staff_only


def title(view: View, entry: Entry, principal: Principal) -> str:
    w = words(view, entry)
    return w.organisation if w.organisation and not principal.is_staff else w.staff


# States only advice reaches (a decision on received advice): never those of a consent request (Wohv art. 5a).
ADVICE_ONLY = frozenset({AdviceState.ADVIES_ONTVANGEN, AdviceState.REACTIE_VERZONDEN, AdviceState.WACHTTIJD_3_DAGEN})


def states_for(view: View, entry: Entry) -> list[str]:
    """The labels of the states that allow ``entry`` in this kind of trajectory, in the state machine's order."""
    allowed = table(view).rules[entry.name].states
    if isinstance(view, AdviceRequestView) and view.consent_requested:
        allowed = allowed - ADVICE_ONLY
    labels = state_labels(view)
    return [labels[s] for s in labels if s in allowed]


def refusal(view: View, entry: Entry, principal: Principal) -> tuple[str, str] | None:
    """None when the state allows ``entry`` now, else why not: (the state it is in, what it needs)."""
    if entry.name in view.allowed_actions:
        return None
    the, a = noun(view)
    return action_words.refusal(action=entry.name, noun=the, kind=a,
                                state_label=view.state_label, states=states_for(view, entry),
                                allowed_by_table=view.state.value in table(view).rules[entry.name].states)


def why_not(view: View, entry: Entry, principal: Principal) -> str | None:
    """The plain refusal, in one text; None when the state allows ``entry`` now."""
    found = refusal(view, entry, principal)
    if found is None:
        return None
    now, needs = found
    if needs.startswith("kan alleen"):
        return f"{now} {title(view, entry, principal)} {needs}"
    return f"{now} {needs}".strip()


def href(view: View, entry: Entry, principal: Principal, prefix: str) -> str:
    if entry.name == "record_advice" and not principal.is_staff:
        return f"{prefix}/trajecten/{view.id}/advies"  # the organisation's own advice form, with its attachment
    return f"{prefix}/trajecten/{view.id}/acties/{entry.slug}"


# What the organisation's own term asks of it (Wohv art. 5 lid 1, 5a): shown first to the organisation.
ANSWERS = frozenset({"record_advice", "record_consent"})


@dataclass(frozen=True)
class Option:
    title: str
    href: str
    reason: str | None = None  # why not now
    primary: bool = False  # the answer the organisation's term asks for: first, and a filled button
    elsewhere: str | None = None  # where it is done, when not in a form here


def options(view: View, principal: Principal, prefix: str) -> dict[str, list[Option]]:
    """What the caller may do now (``now``), what not now and why (``later``), what is done elsewhere."""
    out: dict[str, list[Option]] = {"now": [], "later": [], "elsewhere": []}
    for entry in entries(view).values():
        if not may_take(entry, principal) or not states_for(view, entry):
            continue  # not the caller's, or never in this kind of trajectory (advice on a consent request)
        option = Option(title(view, entry, principal), href(view, entry, principal, prefix))
        refused = refusal(view, entry, principal)
        if refused is not None:  # the list says what it needs; the state is on the page already
            now, needs = refused
            out["later"].append(Option(option.title, option.href,
                                       reason=f" {needs}" if needs.startswith("kan alleen") else f" – {needs or now}"))
        elif entry.fields is None:
            where = action_words.ELSEWHERE[entry.name].format(id=view.id)
            out["elsewhere"].append(Option(option.title, option.href, elsewhere=where))
        else:
            primary = not principal.is_staff and entry.name in ANSWERS
            out["now"].append(Option(option.title, option.href, primary=primary))
    out["now"].sort(key=lambda o: not o.primary)
    return out


def hint_values(view: View, today: date) -> dict[str, str]:
    """What a field's hint may name: the last day of the term the organisation answers in, and today."""
    due = next((t.due_on for t in reversed(view.deadlines) if t.term in ("advice_term", "consent_term")), None)
    return {"due": datum_lang(due) if due else "nog niet bekend", "today": datum_lang(today)}


def section(request: Request, view: View, principal: Principal) -> dict[str, Any]:
    """What the trajectory's page shows of the actions: the ones possible now, the others with the reason, and a
    confirmation of the one just done (``?gedaan=<action>``, set by the redirect after it)."""
    done = entries(view).get(request.query_params.get("gedaan") or "")
    confirmation = words(view, done).done if done is not None and may_take(done, principal) else None
    return {"actions": options(view, principal, web.PREFIX), "done": confirmation, "staff": principal.is_staff}
