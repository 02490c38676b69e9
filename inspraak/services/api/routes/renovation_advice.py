"""A renovation's projectplan, sociaal plan and their advice request (domain brief 7.2, B6-B8; Wohv art. 2
lid 2-3, art. 4-5). Staff only. The advice request itself is an ordinary advice request with an id of the
advice series: the addressee and staff act on it at /v1/advice-requests/{id}."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from inspraak.domain.advice_actions import MAX_TEXT, Category, NewAdviceRequest, StaffMember
from inspraak.domain.panel import names_complex
from inspraak.domain.renovation import RENOVATION_TABLE
from inspraak.domain.renovation_actions import AdviceRequestStart, PlanHandedIn, PlanKind
from inspraak.domain.renovation_advice_letters import PLAN_NAMES, advice_subject
from inspraak.domain.terms import DeadlineSchedule, local_date
from inspraak.domain.text import Day, MultiLine, OneLine
from inspraak.domain.trajectory import StepResult
from inspraak.domain.uploads import EXTENSIONS
from inspraak.services.api.advice_start import advice_request_input
from inspraak.services.api.deps import (
    DirectoryDep,
    SettingsDep,
    StaffPrincipal,
    StoreDep,
    TemporalClientDep,
    get_principal,
    get_staff,
)
from inspraak.services.api.errors import Conflict, InvalidInput
from inspraak.services.api.identifiers import new_trajectory_id
from inspraak.services.api.routes.advice_requests import request_organisation
from inspraak.services.api.routes.renovations import visible_renovation
from inspraak.services.api.trajectory_access import as_action, execute
from inspraak.services.api.uploads import checked_upload, store_upload
from inspraak.workflows import names
from inspraak.workflows.renovation import RenovationWorkflow

router = APIRouter(dependencies=[Depends(get_principal), Depends(get_staff)])


@router.post("/{trajectory_id}/plans", response_model=StepResult,
             summary="Hand in the concept projectplan or the sociaal plan (.docx or .pdf, known by its content); "
                     "with both in, the renovation is ready for its advice request (B6)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 t: {"schema": {"type": "string", "format": "binary"}} for t in EXTENSIONS}}})
async def hand_in_plan(trajectory_id: str, request: Request, principal: StaffPrincipal, client: TemporalClientDep,
                       store: StoreDep,
                       kind: Annotated[PlanKind, Query(description="which plan this file is")],
                       title: Annotated[OneLine | None, Query(min_length=1, max_length=200,
                                                              description="its title; by default the plan's name")]
                       = None) -> StepResult:
    handle, view = await visible_renovation(client, trajectory_id, principal)
    data = await request.body()  # bounded before it is read (INSPRAAK_MAX_UPLOAD_BYTES, a 413)
    content_type = checked_upload(data)
    refusal = RENOVATION_TABLE.refusal("hand_in_plan", view.state.value)
    if refusal is not None:  # refused before storing: no orphan file is left
        raise Conflict(refusal, state=view.state.value)
    ref = await store_upload(store, trajectory_id, view.organisation_id, data, content_type,
                             title or PLAN_NAMES[kind])
    return await execute(handle, RenovationWorkflow.hand_in_plan,
                         as_action(PlanHandedIn(kind=kind, document=ref), principal), view.state.value)


class RenovationAdviceBody(BaseModel):
    """What the advice request on the plans says besides the plans themselves (Wohv art. 4 lid 2)."""

    intention: MultiLine = Field(min_length=1, max_length=MAX_TEXT, description="het voornemen")
    reasons: MultiLine = Field(min_length=1, max_length=MAX_TEXT, description="de beweegredenen (art. 4 lid 2)")
    consequences: MultiLine = Field(min_length=1, max_length=MAX_TEXT,
                                    description="de gevolgen voor huurders (art. 4 lid 2)")
    alternatives: MultiLine | None = Field(default=None, max_length=MAX_TEXT)
    advice_term_ends_on: Day | None = Field(
        default=None, description="a later end of the advice term than the minimum; never earlier (art. 5 lid 1)")
    meeting_offer: MultiLine | None = Field(default=None, max_length=500, description="proposed dates for an overleg")
    confidential: bool = False


class RenovationAdviceStarted(BaseModel):
    id: str
    state: str
    advice_request_id: str
    term: DeadlineSchedule
    links: dict[str, str]


@router.post("/{trajectory_id}/advice-request", response_model=RenovationAdviceStarted,
             summary="Send the advice request on the projectplan and sociaal plan to the renovation's addressee "
                     "(B7); the renovation waits until it is executable (B8)")
async def start_advice_request(trajectory_id: str, body: RenovationAdviceBody, principal: StaffPrincipal,
                               settings: SettingsDep, directory: DirectoryDep,
                               client: TemporalClientDep) -> RenovationAdviceStarted:
    handle, view = await visible_renovation(client, trajectory_id, principal)
    org = directory.get(view.addressee.organisation_id)
    if org is None:
        raise InvalidInput.field("organisation_id", "unknown_organisation",
                                 f"the addressee {view.addressee.organisation_id} is no longer in the organisations "
                                 "file; add it again")
    now = datetime.now(UTC)
    request = NewAdviceRequest(
        organisation_id=org.id, subject=advice_subject(view.complex), category=Category.b,
        complexes=[c for c in org.complexes if names_complex(c, view.complex.id)],
        information_provided_on=local_date(now, settings.terms_timezone), **body.model_dump())
    request_organisation(request, directory)
    child_id = new_trajectory_id(names.ADVICE_REQUEST_PREFIX, request.information_provided_on.year)
    owner = StaffMember(name=principal.name, email=principal.email or directory.corporation.email)
    inp = advice_request_input(child_id, request, org, directory, owner, settings, now)
    result = await execute(handle, RenovationWorkflow.start_advice_request,
                           as_action(AdviceRequestStart(request=inp), principal), view.state.value)
    return RenovationAdviceStarted(id=trajectory_id, state=result.state, advice_request_id=child_id, term=inp.term,
                                   links={"self": f"/v1/renovations/{trajectory_id}",
                                          "advice_request": f"/v1/advice-requests/{child_id}"})
