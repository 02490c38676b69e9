"""Renovations (BW 7:220, Wohv art. 1-2; domain brief 7.2): start one with its households, read it, act on it.

The household file is parsed here and kept in the document store (staff only); the workflow gets only its
key, its sha256 and the unit ids, so no tenant's name or address enters Temporal's history.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Literal, cast

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowHandle

from inspraak.activities.register import load_register, store_json, store_register
from inspraak.domain.advice_actions import OrganisationSnapshot, StaffMember
from inspraak.domain.households import (
    MAX_CSV_CHARS,
    Code,
    HouseholdImportError,
    RegisterRef,
    parse_households,
    register_key,
)
from inspraak.domain.moving_allowance import MovingAllowanceUnknownError, parse_moving_allowance_table
from inspraak.domain.panel import AddresseeError, advice_addressee, complex_flags
from inspraak.domain.renovation import (
    NewRenovation,
    RenovationInput,
    State,
    initial_state,
)
from inspraak.domain.renovation_actions import (
    MAX_SCHEDULE,
    MAX_TEXT,
    AnswerRecorded,
    Invite,
    MeetingRecorded,
    PanelConstituted,
    ProposalSent,
    SignUpRecorded,
    Stopped,
    VoteClosed,
    Works,
    check_figures,
    figures_for_letters,
    parse_figures,
)
from inspraak.domain.renovation_view import RenovationAccess, RenovationView
from inspraak.domain.text import Day, MultiLine, OneLine
from inspraak.domain.trajectory import StepResult
from inspraak.domain.vote import Choice, HomeVote, Tally
from inspraak.services.api.auth import Principal
from inspraak.services.api.deps import (
    CurrentPrincipal,
    DirectoryDep,
    SettingsDep,
    StaffPrincipal,
    StoreDep,
    TemporalClientDep,
    get_principal,
    get_staff,
)
from inspraak.services.api.errors import InvalidInput, InvalidParam, NotFound
from inspraak.services.api.identifiers import new_trajectory_id
from inspraak.services.api.reply_codes import (
    RENOVATION_ID,
    answer_with_code,
    forget_vote_units,
    household_for_code,
)
from inspraak.services.api.trajectory_access import (
    actor_of,
    as_action,
    corporation_snapshot,
    execute,
    find_visible,
)
from inspraak.workflows import names
from inspraak.workflows.renovation import RenovationWorkflow

router = APIRouter(dependencies=[Depends(get_principal)])
# Households answer with their reply code without an account: the one route of this module without a token.
public_router = APIRouter()



class RenovationStart(NewRenovation):
    households_csv: str = Field(min_length=1, max_length=MAX_CSV_CHARS,
                                description="the household file as CSV text (docs/renovation.md)")


class RenovationCreated(BaseModel):
    id: str
    state: State
    homes: int
    advice_organisation_id: str
    links: dict[str, str]


def csv_problems(e: HouseholdImportError) -> InvalidInput:
    """Every bad row as ``households[row].column`` with the row's code and reason."""
    return InvalidInput(*[InvalidParam(name=f"households[{r.row}]" + (f".{r.column}" if r.column else ""),
                                       code=r.code, reason=r.message) for r in e.errors])


@router.post("", status_code=201, response_model=RenovationCreated,
             summary="Start a renovation for one complex, with its households as CSV")
async def create_renovation(body: RenovationStart, principal: StaffPrincipal, settings: SettingsDep,
                            directory: DirectoryDep, store: StoreDep, client: TemporalClientDep,
                            response: Response) -> RenovationCreated:
    try:
        households = parse_households(body.households_csv)
    except HouseholdImportError as e:
        raise csv_problems(e) from e
    renovation = NewRenovation.model_validate(body.model_dump(exclude={"households_csv"}))
    flags = complex_flags(renovation.complex, households)
    try:
        addressee = advice_addressee(directory, renovation.complex, renovation.panel_legal_status, flags,
                                     renovation.advice_organisation_id)
    except AddresseeError as e:
        raise InvalidInput.field("advice_organisation_id", "no_addressee", str(e)) from e
    org = directory.get(addressee.organisation_id)
    if org is None:  # pragma: no cover - advice_addressee answers organisations of the directory
        raise InvalidInput.field("advice_organisation_id", "unknown_organisation", "unknown organisation")
    trajectory_id = new_trajectory_id(names.RENOVATION_PREFIX, datetime.now(UTC).year)
    register = await store_register(store, trajectory_id, households)
    c = directory.corporation
    inp = RenovationInput(
        id=trajectory_id, renovation=renovation, flags=flags, addressee=addressee,
        organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, address=org.address,
                                          postcode_city=org.postcode_city, contacts=org.contacts,
                                          agreement_reference=org.agreement_reference),
        corporation=corporation_snapshot(directory),
        owner=StaffMember(name=principal.name, email=principal.email or c.email), register_ref=register)
    state = initial_state(inp)
    await client.start_workflow(
        RenovationWorkflow.run, inp, id=trajectory_id, task_queue=settings.task_queue,
        search_attributes=names.search_attributes(state) if settings.search_attributes else None,
        memo=names.memo(state), static_summary=names.static_summary(state),
        static_details=names.static_details(state))
    link = f"/v1/renovations/{trajectory_id}"
    response.headers["Location"] = link
    return RenovationCreated(id=trajectory_id, state=State.VOORBEREIDING, homes=len(households.households),
                             advice_organisation_id=org.id, links={"self": link})


async def visible_renovation(client: Client, trajectory_id: str, principal: Principal
                             ) -> tuple[WorkflowHandle[Any, Any], RenovationView]:
    """The renovation if the caller may see it (404 otherwise); an organisation's view names no household."""
    if not RENOVATION_ID.match(trajectory_id):
        raise NotFound("no such trajectory")
    found: tuple[WorkflowHandle[Any, Any], RenovationView] = await find_visible(
        client, trajectory_id, principal, RenovationWorkflow.view, lambda v: v.organisation_id)
    handle, view = found
    if not principal.is_staff:
        view = view.for_organisation(lambda visibility: principal.may_read(view.organisation_id, visibility))
    return handle, view


@router.get("/{trajectory_id}", response_model=RenovationView, summary="State, deadlines, documents, timeline")
async def get_renovation(trajectory_id: str, principal: CurrentPrincipal, client: TemporalClientDep) -> RenovationView:
    return (await visible_renovation(client, trajectory_id, principal))[1]


async def renovation_access(client: Client, trajectory_id: str, principal: Principal
                            ) -> tuple[WorkflowHandle[Any, Any], RenovationAccess]:
    """The renovation's handle, whose it is and its state, if the caller may see it (404 alike otherwise): one
    small query, not the whole view (a few hundred kilobytes to serialise at 1,000 homes)."""
    if not RENOVATION_ID.match(trajectory_id):
        raise NotFound("no such trajectory")
    found: tuple[WorkflowHandle[Any, Any], RenovationAccess] = await find_visible(
        client, trajectory_id, principal, RenovationWorkflow.access, lambda a: a.organisation_id)
    return found


def action_route(update: Any, model: type[BaseModel]) -> Callable[..., Any]:
    """A route that runs ``update`` with the body as its action, on a renovation the caller may see."""
    async def route(trajectory_id: str, body: model, principal: CurrentPrincipal,  # type: ignore[valid-type]
                    client: TemporalClientDep, request: Request) -> StepResult:
        # Staff only (the router's dependency), and staff see every renovation: the update goes out without a
        # query first. At 1,000 answers, a query before each update filled the workflow's query buffer (one
        # query waits while the workflow works) and answers failed with 503. The state for a 409 on a closed
        # renovation is read only then.
        if not RENOVATION_ID.match(trajectory_id):
            raise NotFound("no such trajectory")
        handle = client.get_workflow_handle(trajectory_id)

        async def state() -> str:
            return (await handle.query(RenovationWorkflow.access)).state.value

        result = await execute(handle, update, as_action(cast(BaseModel, body), principal), state)
        forget_vote_units(request, trajectory_id)
        return result

    return route


# path, update, body, summary (all staff only)
ACTIONS: list[tuple[str, Callable[..., Any], type[BaseModel], str]] = [
    ("invitation", RenovationWorkflow.invite, Invite,
     "Invite every household (a letter each, a print file, mail where known); starts the sign-up term"),
    ("sign-ups", RenovationWorkflow.record_sign_up, SignUpRecorded, "Record a household's sign-up for the panel"),
    ("panel", RenovationWorkflow.constitute_panel, PanelConstituted,
     "Constitute the panel from the sign-ups; confirmation to every member and the organisation"),
    ("meetings", RenovationWorkflow.record_meeting, MeetingRecorded, "Record a panel meeting; makes its minutes"),
    ("stop", RenovationWorkflow.stop, Stopped,
     "Stop the renovation trajectory; a constituted panel gets the dissolution letter with the reason (a copy to "
     "the organisation, answered as the document)"),
    ("answers", RenovationWorkflow.record_answer, AnswerRecorded,
     "Record a home's answer to the proposal (reply slip on paper, home visit); a later answer replaces it"),
    ("vote/close", RenovationWorkflow.close_vote, VoteClosed,
     "Close the count after the reply date; the result letter goes to the organisation"),
]


def add_action_routes(target: APIRouter, actions: list[tuple[str, Callable[..., Any], type[BaseModel], str]]) -> None:
    """A staff-only POST route per (path, update, body, summary): the renovation found as its caller may see it,
    the update run with the caller as its actor (also for the phases' own routers)."""
    for path, update, model, summary in actions:
        target.add_api_route(f"/{{trajectory_id}}/{path}", action_route(update, model), methods=["POST"],
                             response_model=StepResult, summary=summary, dependencies=[Depends(get_staff)],
                             name=f"renovation_{path.replace('-', '_').replace('/', '_')}")


add_action_routes(router, ACTIONS)


# ---- the renovatievoorstel and the vote (B9-B11) ---------------------------------------------------------


class FigureRow(BaseModel):
    unit_id: Code
    rent_after: str = Field(min_length=1, max_length=20, description="the rent after the works: 857,50 or 857.50")


class ProposalBody(BaseModel):
    """The proposal's common facts, and per home the rent after the works (as CSV or as a list)."""

    version: int = Field(ge=1, le=1000)
    works: Works
    schedule: MultiLine = Field(min_length=1, max_length=MAX_SCHEDULE)
    occupied: bool
    temporary_home: MultiLine | None = Field(default=None, max_length=MAX_TEXT)
    rent_increase_from: Day
    reply_by: Day
    contact: OneLine | None = Field(default=None, max_length=500)
    figures_csv: str | None = Field(default=None, min_length=1, max_length=MAX_CSV_CHARS,
                                    description="eenheid;nieuwe_huur (or unit_id,rent_after), one row per home")
    figures: list[FigureRow] | None = Field(default=None, max_length=2_000)


def figures_key(trajectory_id: str, version: int) -> str:
    return f"trajectories/{trajectory_id}/proposals/v{version}-figures.json"


@router.post("/{trajectory_id}/proposals", response_model=StepResult, dependencies=[Depends(get_staff)],
             summary="Send the renovatievoorstel to every home with its own figures and reply code; opens the vote")
async def send_proposals(trajectory_id: str, body: ProposalBody, principal: StaffPrincipal, settings: SettingsDep,
                         store: StoreDep, client: TemporalClientDep, request: Request) -> StepResult:
    handle, view = await visible_renovation(client, trajectory_id, principal)
    if (body.figures_csv is None) == (body.figures is None):
        raise InvalidInput.field("figures", "one_of", "give the figures either as figures_csv or as figures")
    try:
        figures = parse_figures(body.figures_csv) if body.figures_csv is not None else \
            check_figures([f.model_dump() for f in body.figures or []])
    except HouseholdImportError as e:
        raise InvalidInput(*[InvalidParam(name=f"figures[{r.row}]" + (f".{r.column}" if r.column else ""),
                                          code=r.code, reason=r.message) for r in e.errors]) from e
    register = await load_register(store, RegisterRef.model_construct(
        key=register_key(trajectory_id), sha256=view.register_sha256, unit_ids=[]))
    rents = {h.unit_id: h.current_rent for h in register.households}
    by_key = {u.casefold(): u for u in rents}
    unknown = [InvalidParam(name=f"figures[{n}].unit_id", code="unknown_unit", reason=f"unit {f.unit_id} is not "
                            "on this renovation's register") for n, f in enumerate(figures) if f.unit_id.casefold()
               not in by_key]
    if unknown:
        raise InvalidInput(*unknown)
    figures = [f.model_copy(update={"unit_id": by_key[f.unit_id.casefold()]}) for f in figures]
    allowance = None
    if not body.occupied:
        try:
            table = parse_moving_allowance_table(settings.moving_allowance_file.read_text(encoding="utf-8"))
            allowance = table.amount_on(datetime.now(UTC).date())
        except MovingAllowanceUnknownError as e:
            raise InvalidInput.field("occupied", "moving_allowance_unknown", str(e)) from e
    ref = await store_json(store, figures_key(trajectory_id, body.version), trajectory_id,
                           figures_for_letters(figures, rents))
    action = ProposalSent(
        **body.model_dump(exclude={"figures_csv", "figures"}), figures=ref, figure_units=[f.unit_id for f in figures],
        moving_allowance=allowance, reply_url=settings.reply_url_for(trajectory_id),
        actor=actor_of(principal))
    result: StepResult = await handle.execute_update(RenovationWorkflow.send_proposals, action)
    forget_vote_units(request, trajectory_id)
    return result


@router.get("/{trajectory_id}/tally", response_model=Tally | None,
            summary="The count so far: totals only, never how a named household voted")
async def get_tally(trajectory_id: str, principal: CurrentPrincipal, client: TemporalClientDep) -> Tally | None:
    handle, _ = await renovation_access(client, trajectory_id, principal)
    tally: Tally | None = await handle.query(RenovationWorkflow.tally)
    return tally


@router.get("/{trajectory_id}/votes", response_model=list[HomeVote], dependencies=[Depends(get_staff)],
            summary="Staff only: per home, the answer that counts and how many it gave")
async def get_votes(trajectory_id: str, principal: StaffPrincipal, client: TemporalClientDep) -> list[HomeVote]:
    handle, _ = await renovation_access(client, trajectory_id, principal)
    votes: list[HomeVote] = await handle.query(RenovationWorkflow.home_votes)
    return votes


class CodeAnswerBody(BaseModel):
    code: str = Field(min_length=1, max_length=40, description="the personal reply code on the reply slip")
    choice: Choice


class CodeAnswerRecorded(BaseModel):
    """What a household learns: its answer was taken. Nothing of its home or of any other."""

    recorded: Literal[True] = True
    choice: Choice
    answered_on: date
    proposal_version: int


@public_router.post("/{trajectory_id}/answers/by-code", response_model=CodeAnswerRecorded,
                    summary="A household answers the proposal with its personal reply code (no account needed)")
async def answer_by_code(trajectory_id: str, body: CodeAnswerBody, request: Request,
                         client: TemporalClientDep) -> CodeAnswerRecorded:
    holder = await household_for_code(request, client, trajectory_id, body.code)
    await answer_with_code(request, holder.handle, holder.unit_id, holder.units.proposal_version, body.choice)
    return CodeAnswerRecorded(choice=body.choice, answered_on=datetime.now(UTC).date(),
                              proposal_version=holder.units.proposal_version)
