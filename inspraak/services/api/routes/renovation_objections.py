"""A renovation after the vote (domain brief 7.2, B12-B17; BW 7:220 lid 2-3) and its evidence export.

Every route is staff only: they name households by unit, and the export holds their names. The renovation's
organisation and any other organisation get 403, like the per-home votes; a renovation that does not exist
is a 404. The workflow's table answers 409 naming the state, its validators 400 naming the field.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from inspraak.activities.evidence import evidence_zip
from inspraak.domain.evidence import EvidenceRecord, evidence_filename
from inspraak.domain.objections import (
    CourtClaimRecorded,
    LandlordClaimsRecorded,
    NoticesSent,
    ObjectionsView,
    ProposalAdjusted,
    ReceiptsRecorded,
    RulingRecorded,
    RulingsFollowed,
)
from inspraak.services.api.deps import StaffPrincipal, StoreDep, TemporalClientDep, get_principal, get_staff
from inspraak.services.api.routes.renovations import add_action_routes, visible_renovation
from inspraak.workflows.renovation import RenovationWorkflow

router = APIRouter(dependencies=[Depends(get_principal), Depends(get_staff)])

ZIP = "application/zip"

# path, update, body, summary
ACTIONS: list[tuple[str, Callable[..., Any], type[BaseModel], str]] = [
    ("notices", RenovationWorkflow.send_notices, NoticesSent,
     "B12: send the kennisgeving (registered mail) to every home that did not agree, after a vote that reached 70%"),
    ("notices/receipts", RenovationWorkflow.record_receipts, ReceiptsRecorded,
     "Record the day a batch of homes received the kennisgeving; each home's 8 weeks (BW 7:220 lid 3) count from it"),
    ("court-claims", RenovationWorkflow.record_court_claim, CourtClaimRecorded,
     "B13: a tenant went to the kantonrechter within its 8 weeks; the works are blocked in its home"),
    ("landlord-claims", RenovationWorkflow.record_landlord_claims, LandlordClaimsRecorded,
     "B16: after a vote that was not reached, the landlord took these households to court"),
    ("rulings", RenovationWorkflow.record_ruling, RulingRecorded,
     "The court's ruling for one home: the proposal reasonable (the works may go ahead there) or not"),
    ("rulings/follow", RenovationWorkflow.follow_rulings, RulingsFollowed,
     "B16: every home that did not agree has a ruling; ready for the works where the rulings allow"),
    ("proposal/adjustment", RenovationWorkflow.adjust_proposal, ProposalAdjusted,
     "B15: adjust the proposal after a vote that was not reached; then send a new version (POST .../proposals)"),
]
add_action_routes(router, ACTIONS)


@router.get("/{trajectory_id}/objections", response_model=ObjectionsView,
            summary="Per home: the kennisgeving, its receipt and its own term; the homes in court and those blocked")
async def get_objections(trajectory_id: str, principal: StaffPrincipal, client: TemporalClientDep) -> ObjectionsView:
    handle, _ = await visible_renovation(client, trajectory_id, principal)
    view: ObjectionsView = await handle.query(RenovationWorkflow.objections)
    return view


@router.get("/{trajectory_id}/evidence", response_class=Response,
            responses={200: {"content": {ZIP: {}}, "description": "the evidence export as a ZIP with index.html"}},
            summary="The evidence export for the kantonrechter: a ZIP with a readable index (staff only)")
async def get_evidence(trajectory_id: str, principal: StaffPrincipal, client: TemporalClientDep,
                       store: StoreDep) -> Response:
    handle, _ = await visible_renovation(client, trajectory_id, principal)
    record: EvidenceRecord = await handle.query(RenovationWorkflow.evidence)
    made_at = datetime.now(UTC)
    data = await evidence_zip(store, record, made_at, principal.name)
    return Response(content=data, media_type=ZIP, headers={
        "Content-Disposition": f'attachment; filename="{evidence_filename(record, made_at)}"',
        "Cache-Control": "no-store"})
