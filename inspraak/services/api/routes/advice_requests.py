"""Advice and consent requests (Wohv art. 4-5a): start one, read it, record what happens."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from inspraak.activities.storage import DocumentStore
from inspraak.domain.advice import AdviceRequestView, Registration, State, initial_state
from inspraak.domain.advice_actions import (
    AdviceReceived,
    Closed,
    ConsentRecorded,
    DecisionTaken,
    DisputeFiled,
    DisputeResolved,
    DocumentAttached,
    Executed,
    NewAdviceRequest,
    NoObjectionReceived,
    OverlegRequested,
    ReceiptConfirmed,
    ReplyReceived,
    StaffMember,
    TermExtended,
    Withdrawn,
)
from inspraak.domain.organisations import Directory, Organisation
from inspraak.domain.terms import (
    DeadlineSchedule,
    local_date,
)
from inspraak.domain.text import OneLine
from inspraak.domain.trajectory import StepResult
from inspraak.domain.uploads import EXTENSIONS
from inspraak.services.api.advice_start import advice_request_input
from inspraak.services.api.auth import Principal
from inspraak.services.api.deps import (
    CurrentPrincipal,
    DirectoryDep,
    SettingsDep,
    StaffPrincipal,
    StoreDep,
    TemporalClientDep,
    get_principal,
)
from inspraak.services.api.errors import AlreadyExists, Conflict, Forbidden, InvalidInput
from inspraak.services.api.identifiers import keyed_trajectory_id, new_trajectory_id
from inspraak.services.api.trajectory_access import as_action, execute, find_visible
from inspraak.services.api.uploads import checked_upload, store_upload, upload_id
from inspraak.settings import Settings
from inspraak.workflows import names
from inspraak.workflows.advice_request import AdviceRequestWorkflow

router = APIRouter(dependencies=[Depends(get_principal)])


IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="any unique string of yours (a UUID, say), at most 255 visible ASCII characters: sending the "
                "same start again with the same key answers with the trajectory the first one started, "
                "and starts nothing new; the same key with another body is a 409")]


class AdviceRequestCreated(BaseModel):
    id: str
    state: State
    term: DeadlineSchedule
    registered: bool = False
    links: dict[str, str]


class AdviceRequestRegistration(NewAdviceRequest):
    """An advice or consent request that was sent on paper before Inspraak: it is registered, not sent."""

    original_reference: OneLine | None = Field(default=None, max_length=100,
                                               description="the kenmerk of the letter that was sent")


@router.post("", status_code=201, response_model=AdviceRequestCreated,
             summary="Send an advice or consent request to a tenant organisation")
async def create_advice_request(body: NewAdviceRequest, principal: StaffPrincipal, settings: SettingsDep,
                                directory: DirectoryDep, client: TemporalClientDep, response: Response,
                                idempotency_key: IdempotencyKey = None) -> AdviceRequestCreated:
    today = local_date(datetime.now(UTC), settings.terms_timezone)
    if body.information_provided_on > today:
        raise InvalidInput.field("information_provided_on", "date_in_future",
                           "information_provided_on cannot be in the future: the letter is sent when you start")
    if body.information_provided_on < today - timedelta(days=settings.start_grace_days):
        raise InvalidInput.field("information_provided_on", "too_long_ago",
                           f"information_provided_on lies more than {settings.start_grace_days} days ago: register "
                           "a request that was already sent on paper with POST /v1/advice-requests/registrations")
    return await _start(body, None, principal, settings, directory, client, response,
                        _Idempotency.of(idempotency_key, "send", body))


@router.post("/registrations", status_code=201, response_model=AdviceRequestCreated,
             summary="Register a request that was already sent on paper (no new letter; past reminders not sent)")
async def register_advice_request(body: AdviceRequestRegistration, principal: StaffPrincipal,
                                  settings: SettingsDep, directory: DirectoryDep, client: TemporalClientDep,
                                  response: Response, idempotency_key: IdempotencyKey = None
                                  ) -> AdviceRequestCreated:
    today = local_date(datetime.now(UTC), settings.terms_timezone)
    if body.information_provided_on > today:
        raise InvalidInput.field("information_provided_on", "date_in_future",
                           "information_provided_on cannot be in the future")
    registration = Registration(registered_at=datetime.now(UTC), original_reference=body.original_reference)
    request = NewAdviceRequest.model_validate(body.model_dump(exclude={"original_reference"}))
    return await _start(request, registration, principal, settings, directory, client, response,
                        _Idempotency.of(idempotency_key, "register", body))


def request_organisation(body: NewAdviceRequest, directory: Directory) -> Organisation:
    """The addressee of ``body`` from the organisations file, checked: consent only for an HO, its complexes."""
    org = directory.get(body.organisation_id)
    if org is None:
        raise InvalidInput.field("organisation_id", "unknown_organisation",
                                 f"no tenant organisation with id '{body.organisation_id}' in the organisations file")
    if body.consent_requested and not org.kind.is_huurdersorganisatie:
        raise InvalidInput.field("consent_requested", "consent_only_huurdersorganisatie",
                                 f"{org.name} is a {org.kind.value}; only a huurdersorganisatie has the right "
                                 "of consent (artikel 5a Wet op het overleg huurders verhuurder)")
    for n, complex_ in enumerate(body.complexes):
        if complex_ not in org.complexes:
            raise InvalidInput.field(f"complexes[{n}]", "complex_of_other_organisation",
                                     f"'{complex_}' is not a complex of {org.name}; its complexes are: "
                                     + ("; ".join(org.complexes) or "none in the organisations file"))
    return org


class _Idempotency:
    """An ``Idempotency-Key`` and the hash of the body it came with (which route, which validated fields)."""

    def __init__(self, key: str, body_hash: str) -> None:
        self.key = key
        self.body_hash = body_hash

    @classmethod
    def of(cls, key: str | None, route: str, body: BaseModel) -> "_Idempotency | None":
        if key is None:
            return None
        return cls(key, hashlib.sha256(f"{route}\0{body.model_dump_json()}".encode()).hexdigest())


async def _start(body: NewAdviceRequest, registration: Registration | None, principal: Principal,
                 settings: Settings, directory: Directory, client: Client, response: Response,
                 idempotency: _Idempotency | None = None) -> AdviceRequestCreated:
    org = request_organisation(body, directory)
    # The year the information was provided: the same for a repeated start, so the same keyed id.
    year = body.information_provided_on.year
    trajectory_id = (keyed_trajectory_id(names.ADVICE_REQUEST_PREFIX, year, principal.subject, idempotency.key)
                     if idempotency else new_trajectory_id(names.ADVICE_REQUEST_PREFIX, year))
    owner = StaffMember(name=principal.name, email=principal.email or directory.corporation.email)
    inp = advice_request_input(trajectory_id, body, org, directory, owner, settings, datetime.now(UTC), registration)
    term = inp.term
    state = initial_state(inp)
    created = AdviceRequestCreated(id=trajectory_id, state=State.VERZONDEN, term=term,
                                   registered=registration is not None,
                                   links={"self": f"/v1/advice-requests/{trajectory_id}"})
    memo: dict[str, Any] = names.memo(state)
    if idempotency:
        # What a repeated start compares and answers with; Temporal keeps it, no database of ours does.
        memo |= {names.MEMO_REQUEST_HASH: idempotency.body_hash, names.MEMO_CREATED: created.model_dump(mode="json")}
    try:
        await client.start_workflow(
            AdviceRequestWorkflow.run, inp, id=trajectory_id, task_queue=settings.task_queue,
            search_attributes=names.search_attributes(state) if settings.search_attributes else None, memo=memo,
            static_summary=names.static_summary(state), static_details=names.static_details(state),
            # A repeated keyed start gets the running workflow instead of an error; an unkeyed start whose
            # (random) id exists fails, and so does any start of an id whose workflow has closed.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING if idempotency
            else WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    except WorkflowAlreadyStartedError:
        if idempotency is None:
            raise  # a 409 (errors.py)
    if idempotency:
        created = await _first_answer(client, trajectory_id, idempotency)
    response.headers["Location"] = created.links["self"]
    return created


async def _first_answer(client: Client, trajectory_id: str, idempotency: _Idempotency) -> AdviceRequestCreated:
    """What the start that made ``trajectory_id`` answered, if it came with the same body; else a 409."""
    description = await client.get_workflow_handle(trajectory_id).describe()
    body_hash = await description.memo_value(names.MEMO_REQUEST_HASH, None)
    created = await description.memo_value(names.MEMO_CREATED, None)
    if body_hash != idempotency.body_hash or created is None:
        raise AlreadyExists(f"the Idempotency-Key '{idempotency.key}' was used before with another request body "
                            f"(trajectory {trajectory_id}); use a new key for a new request")
    return AdviceRequestCreated.model_validate(created)


def for_reader(view: AdviceRequestView, principal: Principal) -> AdviceRequestView:
    """The view without what the caller may not read (staff-only documents and timeline lines) and with only
    the actions the caller may take."""
    if principal.is_staff:
        return view
    org = view.organisation_id
    return view.model_copy(update={
        "documents": [d for d in view.documents if principal.may_read(org, d.visibility.value)],
        "timeline": [e for e in view.timeline if principal.may_read(org, e.visibility.value)],
        "allowed_actions": [a for a in view.allowed_actions if a in ORGANISATION_ACTIONS],
    })


async def visible_trajectory(client: Client, trajectory_id: str, principal: Principal
                             ) -> tuple[WorkflowHandle[Any, Any], AdviceRequestView]:
    """The advice request if the caller may see it (404 otherwise), as the caller may read it."""
    found: tuple[WorkflowHandle[Any, Any], AdviceRequestView] = await find_visible(
        client, trajectory_id, principal, AdviceRequestWorkflow.view, lambda v: v.organisation_id)
    return found[0], for_reader(found[1], principal)


@router.post("/{trajectory_id}/uploads", status_code=201, response_model=StepResult,
             summary="Hand in a file (.docx or .pdf, known by its content): e.g. the original of a registered request",
             openapi_extra={"requestBody": {"required": True, "content": {
                 t: {"schema": {"type": "string", "format": "binary"}} for t in EXTENSIONS}}})
async def upload_document(trajectory_id: str, request: Request, principal: CurrentPrincipal, client: TemporalClientDep,
                          store: StoreDep, settings: SettingsDep,
                          title: Annotated[OneLine, Query(min_length=1, max_length=200,
                                                      description="what the document is, e.g. 'Originele brief'")]
                          ) -> StepResult:
    handle, view = await visible_trajectory(client, trajectory_id, principal)
    data = await request.body()  # its size is bounded before it is read (INSPRAAK_MAX_UPLOAD_BYTES, a 413)
    return await attach_upload(store, handle, view, data, title, principal)


async def attach_upload(store: DocumentStore, handle: WorkflowHandle[Any, Any], view: AdviceRequestView, data: bytes,
                        title: str, principal: Principal) -> StepResult:
    """Keep a handed-in file (.docx or .pdf, by content) as the organisation's document of the trajectory."""
    content_type = checked_upload(data)
    trajectory_id = view.id
    if "attach_document" not in view.allowed_actions:  # checked before storing: no orphan file is left
        raise Conflict(f"the trajectory is closed (state is {view.state.value}: {view.state_label})",
                       state=view.state.value)
    known = next((d for d in view.documents if d.id == upload_id(trajectory_id, data)), None)
    if known is not None:
        return StepResult(id=trajectory_id, state=view.state.value, document=known)
    ref = await store_upload(store, trajectory_id, view.organisation_id, data, content_type, title)
    action = as_action(DocumentAttached(document=ref), principal)
    return await execute(handle, AdviceRequestWorkflow.attach_document, action, view.state.value, view.state_label)


@router.get("/{trajectory_id}", response_model=AdviceRequestView, summary="State, deadlines, documents, timeline")
async def get_advice_request(trajectory_id: str, principal: CurrentPrincipal,
                             client: TemporalClientDep) -> AdviceRequestView:
    return (await visible_trajectory(client, trajectory_id, principal))[1]


def _action(update: Any, model: type[BaseModel], staff_only: bool) -> Callable[..., Any]:
    async def route(trajectory_id: str, body: model, principal: CurrentPrincipal,  # type: ignore[valid-type]
                    client: TemporalClientDep) -> StepResult:
        if staff_only and not principal.is_staff:
            raise Forbidden("only corporation staff may do this")
        handle, view = await visible_trajectory(client, trajectory_id, principal)
        return await execute(handle, update, as_action(cast(BaseModel, body), principal), view.state.value,
                             view.state_label)

    return route


# path, update, body, staff only, summary
ACTIONS: list[tuple[str, Callable[..., Any], type[BaseModel], bool, str]] = [
    ("receipt", AdviceRequestWorkflow.confirm_receipt, ReceiptConfirmed, False,
     "The organisation confirms it received the request"),
    ("overleg", AdviceRequestWorkflow.request_overleg, OverlegRequested, False,
     "The organisation asks for an overleg (Wohv art. 5 lid 1, 5b lid 2)"),
    ("term-extension", AdviceRequestWorkflow.extend_term, TermExtended, True,
     "Extend the advice or consent term (never shorten it); the organisation gets a letter"),
    ("advice", AdviceRequestWorkflow.record_advice, AdviceReceived, False,
     "Written advice received, with its points (starts the 14 days of Wohv art. 5 lid 2)"),
    ("no-objection", AdviceRequestWorkflow.record_no_objection, NoObjectionReceived, False,
     "Written 'geen bezwaar' received (Wohv art. 5 lid 3 a)"),
    ("consent", AdviceRequestWorkflow.record_consent, ConsentRecorded, False,
     "Consent given or refused (Wohv art. 5a)"),
    ("decision", AdviceRequestWorkflow.decide, DecisionTaken, True,
     "Decide on the advice, per point; sends the motivated reply (Wohv art. 5 lid 2)"),
    ("reply-receipt", AdviceRequestWorkflow.confirm_reply_receipt, ReplyReceived, False,
     "The organisation received the motivated reply (starts the 3 days of Wohv art. 5 lid 3 c)"),
    ("dispute", AdviceRequestWorkflow.file_dispute, DisputeFiled, True,
     "A dispute was filed (Wohv art. 8); blocks execution; possible after execution too"),
    ("dispute-resolution", AdviceRequestWorkflow.resolve_dispute, DisputeResolved, True,
     "The dispute was resolved"),
    ("execution", AdviceRequestWorkflow.record_execution, Executed, True,
     "The decision was carried out"),
    ("withdrawal", AdviceRequestWorkflow.withdraw, Withdrawn, True,
     "Withdraw the request; the organisation gets a letter"),
    ("closing", AdviceRequestWorkflow.close, Closed, True,
     "Close the file of a carried-out request; no dispute can be recorded after this"),
]

# The updates an organisation may send itself (the rest are staff's), by workflow update name.
ORGANISATION_ACTIONS = frozenset(u.__name__ for _, u, _, staff_only, _ in ACTIONS if not staff_only) | {
    "attach_document"}

for _path, _update, _model, _staff_only, _summary in ACTIONS:
    router.add_api_route(f"/{{trajectory_id}}/{_path}", _action(_update, _model, _staff_only), methods=["POST"],
                         response_model=StepResult, summary=_summary,
                         name=f"advice_request_{_path.replace('-', '_')}")
