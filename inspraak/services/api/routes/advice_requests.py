"""Advice and consent requests (Wohv art. 4-5a): start one, read it, record what happens."""

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from inspraak.domain.advice import (
    Actor,
    AdviceReceived,
    AdviceRequestInput,
    AdviceRequestView,
    ConsentRecorded,
    CorporationSnapshot,
    DecisionTaken,
    DisputeFiled,
    DisputeResolved,
    Executed,
    NewAdviceRequest,
    NoObjectionReceived,
    OrganisationSnapshot,
    OverlegRequested,
    ReceiptConfirmed,
    ReplyReceived,
    StaffMember,
    State,
    TermExtended,
    Withdrawn,
)
from inspraak.domain.terms import ADVICE_TERM, CONSENT_TERM, DeadlineSchedule, TermTooShortError, plan_deadline
from inspraak.services.api.auth import Principal
from inspraak.services.api.deps import (
    CurrentPrincipal,
    DirectoryDep,
    SettingsDep,
    StaffPrincipal,
    TemporalClientDep,
    get_principal,
)
from inspraak.services.api.errors import Forbidden, InvalidInput, NotFound
from inspraak.services.api.routes.trajectories import MEMO_SUBJECT
from inspraak.workflows import names
from inspraak.workflows.advice_request import AdviceRequestWorkflow

router = APIRouter(dependencies=[Depends(get_principal)])

TRAJECTORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


class AdviceRequestCreated(BaseModel):
    id: str
    state: State
    term: DeadlineSchedule
    links: dict[str, str]


@router.post("", status_code=201, response_model=AdviceRequestCreated,
             summary="Send an advice or consent request to a tenant organisation")
async def create_advice_request(body: NewAdviceRequest, principal: StaffPrincipal, settings: SettingsDep,
                                directory: DirectoryDep, client: TemporalClientDep,
                                response: Response) -> AdviceRequestCreated:
    org = directory.get(body.organisation_id)
    if org is None:
        raise InvalidInput.field("organisation_id", "unknown_organisation",
                                 f"no tenant organisation with id '{body.organisation_id}' in the organisations file")
    if body.consent_requested and not org.kind.is_huurdersorganisatie:
        raise InvalidInput.field("consent_requested", "consent_only_huurdersorganisatie",
                                 f"{org.name} is a {org.kind.value}; only a huurdersorganisatie has the right "
                                 "of consent (artikel 5a Wet op het overleg huurders verhuurder)")
    rule = CONSENT_TERM if body.consent_requested else ADVICE_TERM
    agreed_weeks = org.consent_term_weeks if body.consent_requested else org.advice_term_weeks
    minimum_days = agreed_weeks * 7 if agreed_weeks else None
    now = datetime.now(UTC)
    try:
        term = plan_deadline(rule, body.information_provided_on, settings.term_policy(), now,
                             requested_due_on=body.advice_term_ends_on, minimum_days=minimum_days)
    except TermTooShortError as e:
        source = f" and the agreement with {org.name}" if minimum_days and minimum_days > rule.days else ""
        raise InvalidInput.field("advice_term_ends_on", "term_too_short",
                                 f"the {rule.name} must end on or after {e.minimum_due_on.isoformat()}: at least "
                                 f"{e.minimum_days // 7} weeks from information_provided_on ({rule.article}{source})"
                                 ) from e
    trajectory_id = f"{names.ADVICE_REQUEST_PREFIX}-{now:%Y%m%d}-{secrets.token_hex(3)}"
    c = directory.corporation
    inp = AdviceRequestInput(
        id=trajectory_id,
        request=body,
        organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, address=org.address,
                                          postcode_city=org.postcode_city, contacts=org.contacts,
                                          agreement_reference=org.agreement_reference),
        corporation=CorporationSnapshot(name=c.name, address=c.address, postcode_city=c.postcode_city,
                                        phone=c.phone, email=c.email, website=c.website,
                                        manager_name=c.manager_name, manager_email=c.manager_email),
        owner=StaffMember(name=principal.name, email=principal.email or c.email),
        term=term,
        timezone=settings.terms_timezone,
        minimum_term_days=minimum_days,
        search_attributes=settings.search_attributes,
    )
    attrs = None
    if settings.search_attributes:
        attrs = TypedSearchAttributes([
            SearchAttributePair(names.TYPE, names.TYPE_ADVICE_REQUEST),
            SearchAttributePair(names.ORGANISATION, org.id),
            SearchAttributePair(names.STATE, State.VERZONDEN.value),
            SearchAttributePair(names.OVERDUE, False),
            SearchAttributePair(names.NEXT_DEADLINE, term.expires_at),
        ])
    # The subject in the memo lets a listing show it without querying every workflow.
    await client.start_workflow(AdviceRequestWorkflow.run, inp, id=trajectory_id, task_queue=settings.task_queue,
                                search_attributes=attrs, memo={MEMO_SUBJECT: body.subject})
    response.headers["Location"] = f"/v1/advice-requests/{trajectory_id}"
    return AdviceRequestCreated(id=trajectory_id, state=State.VERZONDEN, term=term,
                                links={"self": f"/v1/advice-requests/{trajectory_id}"})


async def visible_trajectory(client: Client, trajectory_id: str, principal: Principal
                             ) -> tuple[WorkflowHandle[Any, Any], AdviceRequestView]:
    """The trajectory if the caller may see it; otherwise 404, the same as for one that does not exist."""
    if not TRAJECTORY_ID.match(trajectory_id):
        raise NotFound("no such trajectory")
    handle = client.get_workflow_handle(trajectory_id)
    view = await handle.query(AdviceRequestWorkflow.view)
    if not principal.may_see(view.organisation_id):
        raise NotFound("no such trajectory")
    return handle, view


@router.get("/{trajectory_id}", response_model=AdviceRequestView, summary="State, deadlines, documents, timeline")
async def get_advice_request(trajectory_id: str, principal: CurrentPrincipal,
                             client: TemporalClientDep) -> AdviceRequestView:
    return (await visible_trajectory(client, trajectory_id, principal))[1]


def _action(update: Any, model: type[BaseModel], staff_only: bool) -> Callable[..., Any]:
    async def route(trajectory_id: str, body: model, principal: CurrentPrincipal,  # type: ignore[valid-type]
                    client: TemporalClientDep) -> AdviceRequestView:
        if staff_only and not principal.is_staff:
            raise Forbidden("only corporation staff may do this")
        handle, _ = await visible_trajectory(client, trajectory_id, principal)
        action = cast(BaseModel, body).model_copy(update={"actor": Actor(role=principal.role.value,
                                                                         name=principal.name)})
        return await handle.execute_update(update, action)

    return route


# path, update, body, staff only, summary
ACTIONS: list[tuple[str, Callable[..., Any], type[BaseModel], bool, str]] = [
    ("receipt", AdviceRequestWorkflow.confirm_receipt, ReceiptConfirmed, False,
     "The organisation confirms it received the request"),
    ("overleg", AdviceRequestWorkflow.request_overleg, OverlegRequested, False,
     "The organisation asks for an overleg (Wohv art. 5 lid 1, 5b lid 2)"),
    ("term-extension", AdviceRequestWorkflow.extend_term, TermExtended, True,
     "Extend the advice or consent term (never shorten it)"),
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
     "A dispute was filed (Wohv art. 8); blocks execution"),
    ("dispute-resolution", AdviceRequestWorkflow.resolve_dispute, DisputeResolved, True,
     "The dispute was resolved"),
    ("execution", AdviceRequestWorkflow.record_execution, Executed, True,
     "The decision was carried out"),
    ("withdrawal", AdviceRequestWorkflow.withdraw, Withdrawn, True,
     "Withdraw the request; the organisation is told"),
]

for _path, _update, _model, _staff_only, _summary in ACTIONS:
    router.add_api_route(f"/{{trajectory_id}}/{_path}", _action(_update, _model, _staff_only), methods=["POST"],
                         response_model=AdviceRequestView, summary=_summary,
                         name=f"advice_request_{_path.replace('-', '_')}")
