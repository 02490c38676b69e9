"""Listing trajectories from Temporal visibility (search attributes), not by querying every workflow.

One page per request: ``next`` is an opaque cursor for the following page. It wraps Temporal's page
token, signed together with the filter it belongs to (HMAC, with a key derived from the JWT secret), so a
cursor never continues another listing and nothing but our own tokens reaches Temporal. The visibility
query itself stays on the server.
"""

import base64
import binascii
import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from temporalio.client import WorkflowExecution
from temporalio.service import RPCError, RPCStatusCode

from inspraak.domain.advice import State as AdviceState
from inspraak.domain.renovation import State as RenovationState
from inspraak.services.api.deps import CurrentPrincipal, SettingsDep, TemporalClientDep, get_principal
from inspraak.services.api.errors import InvalidInput
from inspraak.settings import Settings
from inspraak.workflows import names

router = APIRouter(dependencies=[Depends(get_principal)])

TYPES = {names.TYPE_ADVICE_REQUEST: "/v1/advice-requests", names.TYPE_RENOVATION: "/v1/renovations"}
# The states of every trajectory type; one filter serves them all (values are checked before they reach a query).
STATES = sorted({s.value for s in AdviceState} | {s.value for s in RenovationState})

_SIGNATURE = 16


class TrajectorySummary(BaseModel):
    id: str
    type: str
    organisation_id: str
    subject: str | None = Field(description="what the trajectory is about; null when the trajectory does not say")
    state: str
    overdue: bool
    next_deadline: datetime | None = Field(description="when the next running term expires")
    due_on: date | None = Field(description="the last day of that term (Europe/Amsterdam)")
    started_at: datetime
    link: str


class TrajectoryList(BaseModel):
    items: list[TrajectorySummary]
    next: str | None = Field(description="pass as `cursor` (with the same filters) for the next page; null on "
                                         "the last page (which may be empty)")


def _signature(settings: Settings, query: str, page_token: bytes) -> bytes:
    key = hashlib.sha256(b"inspraak listing cursor\0" + settings.jwt_secret.get_secret_value().encode()).digest()
    return hmac.new(key, query.encode() + b"\0" + page_token, hashlib.sha256).digest()[:_SIGNATURE]


def _cursor(settings: Settings, query: str, page_token: bytes) -> str:
    raw = _signature(settings, query, page_token) + page_token
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid_cursor() -> InvalidInput:
    return InvalidInput.field("cursor", "invalid_cursor", "the cursor is damaged, outdated or belongs to a listing "
                              "with other filters; start again without a cursor")


def _page_token(settings: Settings, query: str, cursor: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as e:
        raise _invalid_cursor() from e
    signature, page_token = raw[:_SIGNATURE], raw[_SIGNATURE:]
    if not page_token or not hmac.compare_digest(signature, _signature(settings, query, page_token)):
        raise _invalid_cursor()
    return page_token


def _after_day(day: date, timezone: str) -> str:
    """The moment a term whose last day is ``day`` ends at the earliest (midnight after it, local), as the query's
    literal: a term's last day is on or before ``day`` exactly when its expiry is before the day after that."""
    start = datetime.combine(day + timedelta(days=2), datetime.min.time(), ZoneInfo(timezone))
    return start.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _due_on(next_deadline: datetime | None, timezone: str) -> date | None:
    # A term expires at midnight at the start of the day after its last day (domain/terms.py, plan_deadline).
    if next_deadline is None:
        return None
    return next_deadline.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


async def _summary(wf: WorkflowExecution, timezone: str) -> TrajectorySummary:
    sa = wf.typed_search_attributes
    kind = sa.get(names.TYPE) or ""
    subject = await wf.memo_value(names.MEMO_SUBJECT, None)
    next_deadline = sa.get(names.NEXT_DEADLINE)
    return TrajectorySummary(
        id=wf.id, type=kind, organisation_id=sa.get(names.ORGANISATION) or "",
        subject=subject if isinstance(subject, str) else None,
        state=sa.get(names.STATE) or "", overdue=bool(sa.get(names.OVERDUE)),
        next_deadline=next_deadline, due_on=_due_on(next_deadline, timezone), started_at=wf.start_time,
        link=f"{TYPES.get(kind, '/v1/trajectories')}/{wf.id}",
    )


@router.get("", response_model=TrajectoryList, summary="List trajectories, filtered by type, organisation, "
            "state and overdue, one page at a time")
async def list_trajectories(
    principal: CurrentPrincipal,
    client: TemporalClientDep,
    settings: SettingsDep,
    type: Annotated[str | None, Query(description=" or ".join(TYPES))] = None,
    organisation: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")] = None,
    state: Annotated[str | None, Query(description="a state of any trajectory type", json_schema_extra={
        "enum": STATES})] = None,
    overdue: Annotated[bool | None, Query()] = None,
    due_by: Annotated[date | None, Query(description="only trajectories whose next running term's last day is on "
                                         "or before this day (Europe/Amsterdam)")] = None,
    due_after: Annotated[date | None, Query(description="only trajectories whose next running term's last day is "
                                            "after this day")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many items per page")] = 100,
    cursor: Annotated[str | None, Query(max_length=4096, description="`next` of the previous page")] = None,
) -> TrajectoryList:
    if type is not None and type not in TYPES:
        raise InvalidInput.field("type", "enum", f"type must be one of: {', '.join(TYPES)}")
    if state is not None and state not in STATES:  # checked here: the value goes into the visibility query
        raise InvalidInput.field("state", "enum", f"state must be one of: {', '.join(STATES)}")
    if not principal.is_staff:
        # An organisation lists its own trajectories, whatever filter it asks for.
        if organisation is not None and organisation != principal.organisation_id:
            return TrajectoryList(items=[], next=None)
        organisation = principal.organisation_id
    # Values are checked above (enum, pattern, bool), so quoting them into the query is safe.
    clauses = [f"{names.TYPE.name} IS NOT NULL"]
    if type:
        clauses.append(f"{names.TYPE.name} = '{type}'")
    if organisation:
        clauses.append(f"{names.ORGANISATION.name} = '{organisation}'")
    if state:
        clauses.append(f"{names.STATE.name} = '{state}'")
    if overdue is not None:
        clauses.append(f"{names.OVERDUE.name} = {'true' if overdue else 'false'}")
    if due_by is not None:
        clauses.append(f"{names.NEXT_DEADLINE.name} < '{_after_day(due_by, settings.terms_timezone)}'")
    if due_after is not None:
        clauses.append(f"{names.NEXT_DEADLINE.name} >= '{_after_day(due_after, settings.terms_timezone)}'")
    query = " AND ".join(clauses)
    token = _page_token(settings, query, cursor) if cursor else None
    pages = client.list_workflows(query, page_size=limit, next_page_token=token)
    try:
        await pages.fetch_next_page()
    except RPCError as e:
        # Our own token that Temporal no longer accepts (its visibility store was replaced, say).
        if token is not None and e.status not in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise _invalid_cursor() from e
        raise
    items = [await _summary(wf, settings.terms_timezone) for wf in pages.current_page or []]
    following = pages.next_page_token
    return TrajectoryList(items=items, next=_cursor(settings, query, following) if following else None)
