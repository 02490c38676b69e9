"""Listing trajectories from Temporal visibility (search attributes), not by querying every workflow."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from inspraak.domain.advice import State
from inspraak.services.api.deps import CurrentPrincipal, TemporalClientDep, get_principal
from inspraak.services.api.errors import InvalidInput
from inspraak.workflows import names

router = APIRouter(dependencies=[Depends(get_principal)])

TYPES = {names.TYPE_ADVICE_REQUEST: "/v1/advice-requests"}


class TrajectorySummary(BaseModel):
    id: str
    type: str
    organisation_id: str
    state: str
    overdue: bool
    next_deadline: datetime | None
    started_at: datetime
    link: str


class TrajectoryList(BaseModel):
    items: list[TrajectorySummary]
    query: str


@router.get("", response_model=TrajectoryList, summary="List trajectories, filtered by type, organisation, "
            "state and overdue")
async def list_trajectories(
    principal: CurrentPrincipal,
    client: TemporalClientDep,
    type: Annotated[str | None, Query(description="advice_request")] = None,
    organisation: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")] = None,
    state: Annotated[State | None, Query()] = None,
    overdue: Annotated[bool | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TrajectoryList:
    if type is not None and type not in TYPES:
        raise InvalidInput.field("type", "enum", f"type must be one of: {', '.join(TYPES)}")
    if not principal.is_staff:
        # An organisation lists its own trajectories, whatever filter it asks for.
        if organisation is not None and organisation != principal.organisation_id:
            return TrajectoryList(items=[], query="")
        organisation = principal.organisation_id
    # Values are checked above (enum, pattern, bool), so quoting them into the query is safe.
    clauses = [f"{names.TYPE.name} IS NOT NULL"]
    if type:
        clauses.append(f"{names.TYPE.name} = '{type}'")
    if organisation:
        clauses.append(f"{names.ORGANISATION.name} = '{organisation}'")
    if state:
        clauses.append(f"{names.STATE.name} = '{state.value}'")
    if overdue is not None:
        clauses.append(f"{names.OVERDUE.name} = {'true' if overdue else 'false'}")
    query = " AND ".join(clauses)
    items: list[TrajectorySummary] = []
    async for wf in client.list_workflows(query, limit=limit):
        sa = wf.typed_search_attributes
        kind = sa.get(names.TYPE) or ""
        items.append(TrajectorySummary(
            id=wf.id, type=kind, organisation_id=sa.get(names.ORGANISATION) or "",
            state=sa.get(names.STATE) or "", overdue=bool(sa.get(names.OVERDUE)),
            next_deadline=sa.get(names.NEXT_DEADLINE), started_at=wf.start_time,
            link=f"{TYPES.get(kind, '/v1/trajectories')}/{wf.id}",
        ))
    return TrajectoryList(items=items, query=query)
