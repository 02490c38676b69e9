"""A trajectory's audit trail: read it (JSON) or export it (CSV, JSON), and the refusals the API records in it.

The kernel writes the trail of every trajectory to the document store (``domain/audit.py``); this module reads
it for one trajectory, whatever its type. Staff read every entry with the action's input; an organisation
reads the entries of its own trajectories that are not staff-only, without the input; for anybody else the
trajectory does not exist (404, as on every other route).

A refused action never reaches the workflow's history (its validator refused it), so the API records it:
the refusal (409, or 400 from the workflow's own checks) of an action on a trajectory the caller could see,
with who, when, the reason and the request's correlation id, never the body that was sent.
"""

import inspect
import logging
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from inspraak.activities.audit import AUDIT_CONTENT_TYPE, read_audit
from inspraak.activities.storage import DocumentStore
from inspraak.domain import audit
from inspraak.domain.audit import AuditEntry, AuditRecord, AuditUser
from inspraak.domain.documents import Visibility
from inspraak.services.api.auth import Principal
from inspraak.services.api.deps import CurrentPrincipal, StoreDep, TemporalClientDep, get_principal
from inspraak.services.api.errors import Conflict, InvalidInput, NotFound, correlation_id, problem_from_temporal
from inspraak.services.api.trajectory_access import TRAJECTORY_ID
from inspraak.services.telemetry import current_trace_id
from inspraak.workflows import names

logger = logging.getLogger(__name__)

router = APIRouter(dependencies=[Depends(get_principal)])

CSV = "text/csv"
TYPES_BY_PREFIX = {names.ADVICE_REQUEST_PREFIX: names.TYPE_ADVICE_REQUEST,
                   names.RENOVATION_PREFIX: names.TYPE_RENOVATION}


class AuditTrail(BaseModel):
    trajectory_id: str
    items: list[AuditRecord]


async def _organisation(client: Client, trajectory_id: str, entries: list[AuditEntry]) -> str:
    """Whose trajectory it is: from the workflow's own entries, or (none written yet) from the workflow."""
    own = next((e for e in entries if e.sequence is not None), None)
    if own is not None:
        return own.organisation_id
    try:
        view: Any = await client.get_workflow_handle(trajectory_id).query("view")
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            raise NotFound("no such trajectory") from e
        raise
    organisation = view.get("organisation_id") if isinstance(view, dict) else None
    if not isinstance(organisation, str):
        raise NotFound("no such trajectory")
    return organisation


async def visible_trail(store: DocumentStore, client: Client, trajectory_id: str,
                        principal: Principal) -> list[AuditRecord]:
    """The entries the caller may read; 404 alike for a trajectory that does not exist and one not theirs."""
    if not TRAJECTORY_ID.match(trajectory_id):
        raise NotFound("no such trajectory")
    entries = await read_audit(store, trajectory_id)
    organisation = await _organisation(client, trajectory_id, entries)
    if not principal.may_see(organisation):
        raise NotFound("no such trajectory")

    def may_read(visibility: str) -> bool:
        return principal.may_read(organisation, visibility)

    return [e.model_copy(update={"organisation_id": organisation}).view(may_read, detail=principal.is_staff)
            for e in entries if may_read(e.visibility.value)]


@router.get("/{trajectory_id}/audit", response_model=AuditTrail,
            summary="The trajectory's audit trail: who did what, when, with what result, before and after",
            responses={200: {"content": {CSV: {"schema": {"type": "string"}}}}})
async def get_audit_trail(
    trajectory_id: str, principal: CurrentPrincipal, store: StoreDep, client: TemporalClientDep,
    format: Annotated[Literal["json", "csv"] | None, Query(
        description="export as a file to download: `csv` (one row per entry; old, new and input as JSON) or "
                    "`json`; without it, the trail as JSON")] = None,
) -> Any:
    records = await visible_trail(store, client, trajectory_id, principal)
    if format is None:
        return AuditTrail(trajectory_id=trajectory_id, items=records)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    filename = f"audit-{trajectory_id}-{stamp}.{format}"
    if format == "csv":
        body = audit.to_csv(records).encode("utf-8")
    else:
        body = AuditTrail(trajectory_id=trajectory_id, items=records).model_dump_json(indent=1).encode("utf-8")
    return Response(body, media_type=f"{CSV}; charset=utf-8" if format == "csv" else "application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---- refusals ------------------------------------------------------------------------------------


def refusal_entry(request: Request, problem: Conflict | InvalidInput, action: str) -> AuditEntry | None:
    """The entry of a refused action on the trajectory of the request's path, or None when there is none."""
    trajectory_id = str(request.path_params.get("trajectory_id", ""))
    if not TRAJECTORY_ID.match(trajectory_id):
        return None
    principal: Principal | None = getattr(request.state, "principal", None)
    user = AuditUser(id=principal.subject, name=principal.name, role=principal.role.value) if principal \
        else AuditUser(role="household")
    if isinstance(problem, Conflict):
        reason = f"{problem.detail} (state: {problem.state})" if problem.state else problem.detail
    else:
        reason = "; ".join(f"{p.name}: {p.reason}" for p in problem.invalid_params) or problem.detail
    return AuditEntry(
        id=f"{trajectory_id}.r-{uuid.uuid4().hex[:12]}", sequence=None, application=audit.APPLICATION_API,
        trajectory_id=trajectory_id, trajectory_type=TYPES_BY_PREFIX.get(trajectory_id.split("-")[0], ""),
        organisation_id=principal.organisation_id or "" if principal else "", user=user, action=action,
        result=problem.status, explanation=reason, resource="trajectory", resource_id=trajectory_id,
        at=datetime.now(UTC), correlation_id=correlation_id(request) or "", trace_id=current_trace_id(),
        visibility=Visibility.ORGANISATION if user.role == "organisation" else Visibility.STAFF)


async def record_refusal(store: DocumentStore, entry: AuditEntry) -> None:
    """Write the entry; a store that fails loses the entry (it is logged), never the caller's answer."""
    key = f"{audit.audit_prefix(entry.trajectory_id)}refused-{entry.at:%Y%m%dT%H%M%S%f}-{entry.id[-12:]}.json"
    try:
        await store.put(key, f"[{entry.model_dump_json()}]\n".encode(), content_type=AUDIT_CONTENT_TYPE,
                        metadata={"trajectory": entry.trajectory_id, "kind": "audit", "visibility": "staff"})
    except Exception:  # noqa: BLE001 - the refusal's answer goes out whatever the store does
        logger.warning("audit entry of a refused %s on %s not stored", entry.action, entry.trajectory_id,
                       exc_info=True)


def install(app: FastAPI) -> None:
    """Record refused actions in the trail, then answer as before (after ``errors.install``)."""
    answer = app.exception_handlers[WorkflowUpdateFailedError]

    async def refused(request: Request, exc: Exception) -> Response:
        problem = problem_from_temporal(exc, safe_method=False)
        if isinstance(problem, Conflict | InvalidInput):
            route = request.scope.get("route")
            action = getattr(exc, "update_name", "") or getattr(route, "name", "") or request.url.path
            entry = refusal_entry(request, problem, action)
            if entry is not None:
                await record_refusal(request.app.state.store, entry)
        response = answer(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(WorkflowUpdateFailedError, refused)
