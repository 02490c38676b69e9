"""Renovations (BW 7:220, Wohv art. 1-2; domain brief 7.2): start one with its households, read it, act on it.

The household file is parsed here and kept in the document store (staff only); the workflow gets only its
key, its sha256 and the unit ids, so no tenant's name or address enters Temporal's history.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowHandle

from inspraak.activities.register import store_register
from inspraak.domain.advice import Actor, CorporationSnapshot, OrganisationSnapshot, StaffMember
from inspraak.domain.households import MAX_CSV_CHARS, HouseholdImportError, parse_households
from inspraak.domain.panel import AddresseeError, advice_addressee, complex_flags
from inspraak.domain.renovation import (
    Invite,
    MeetingRecorded,
    NewRenovation,
    PanelConstituted,
    RenovationInput,
    RenovationView,
    SignUpRecorded,
    State,
    Stopped,
    initial_state,
)
from inspraak.domain.trajectory import StepResult
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
from inspraak.workflows import names
from inspraak.workflows.renovation import RenovationWorkflow

router = APIRouter(dependencies=[Depends(get_principal)])

TRAJECTORY_ID = re.compile(r"^ren-[a-z0-9-]{1,80}$")


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
        corporation=CorporationSnapshot(name=c.name, address=c.address, postcode_city=c.postcode_city,
                                        phone=c.phone, email=c.email, website=c.website,
                                        manager_name=c.manager_name, manager_email=c.manager_email,
                                        signatories=c.signatories),
        owner=StaffMember(name=principal.name, email=principal.email or c.email), register_ref=register)
    state = initial_state(inp)
    await client.start_workflow(
        RenovationWorkflow.run, inp, id=trajectory_id, task_queue=settings.task_queue,
        search_attributes=names.search_attributes(state) if settings.search_attributes else None,
        memo=names.memo(state))
    link = f"/v1/renovations/{trajectory_id}"
    response.headers["Location"] = link
    return RenovationCreated(id=trajectory_id, state=State.VOORBEREIDING, homes=len(households.households),
                             advice_organisation_id=org.id, links={"self": link})


async def visible_renovation(client: Client, trajectory_id: str, principal: Principal
                             ) -> tuple[WorkflowHandle[Any, Any], RenovationView]:
    """The renovation if the caller may see it (404 otherwise); an organisation's view names no household."""
    if not TRAJECTORY_ID.match(trajectory_id):
        raise NotFound("no such trajectory")
    handle = client.get_workflow_handle(trajectory_id)
    view = await handle.query(RenovationWorkflow.view)
    if not principal.may_see(view.organisation_id):
        raise NotFound("no such trajectory")
    if not principal.is_staff:
        view = view.for_organisation(lambda visibility: principal.may_read(view.organisation_id, visibility))
    return handle, view


@router.get("/{trajectory_id}", response_model=RenovationView, summary="State, deadlines, documents, timeline")
async def get_renovation(trajectory_id: str, principal: CurrentPrincipal, client: TemporalClientDep) -> RenovationView:
    return (await visible_renovation(client, trajectory_id, principal))[1]


def _action(update: Any, model: type[BaseModel]) -> Callable[..., Any]:
    async def route(trajectory_id: str, body: model, principal: CurrentPrincipal,  # type: ignore[valid-type]
                    client: TemporalClientDep) -> StepResult:
        handle, _ = await visible_renovation(client, trajectory_id, principal)
        action = cast(BaseModel, body).model_copy(update={"actor": Actor(role=principal.role.value,
                                                                         name=principal.name)})
        result: StepResult = await handle.execute_update(update, action)
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
    ("stop", RenovationWorkflow.stop, Stopped, "Stop the renovation trajectory"),
]

for _path, _update, _model, _summary in ACTIONS:
    router.add_api_route(f"/{{trajectory_id}}/{_path}", _action(_update, _model), methods=["POST"],
                         response_model=StepResult, summary=_summary, dependencies=[Depends(get_staff)],
                         name=f"renovation_{_path.replace('-', '_')}")
