"""What every trajectory's routes share: finding a trajectory the caller may see, and running a staff or
organisation action on it with the caller as its actor and one answer for a trajectory that has closed."""

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from inspraak.domain.advice_actions import Actor, CorporationSnapshot
from inspraak.domain.organisations import Directory
from inspraak.domain.trajectory import StepResult
from inspraak.services.api.auth import Principal
from inspraak.services.api.errors import Conflict, NotFound
from inspraak.services.api.middleware import CORRELATION_ID
from inspraak.services.telemetry import current_trace_id

V = TypeVar("V")

# A trajectory id as the API makes them; anything else cannot be one (and never reaches Temporal).
TRAJECTORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


async def find_visible(client: Client, trajectory_id: str, principal: Principal,
                       query: Callable[[Any], Any], organisation_of: Callable[[V], str]
                       ) -> tuple[WorkflowHandle[Any, Any], V]:
    """The trajectory's handle and view if the caller may see it; 404 alike for missing and not-yours."""
    if not TRAJECTORY_ID.match(trajectory_id):
        raise NotFound("no such trajectory")
    handle = client.get_workflow_handle(trajectory_id)
    view: V = await handle.query(query)
    if not principal.may_see(organisation_of(view)):
        raise NotFound("no such trajectory")
    return handle, view


def actor_of(principal: Principal) -> Actor:
    """Who sends an action, from the token, with the request's correlation and trace ids (the audit trail's)."""
    return Actor(role=principal.role.value, name=principal.name, subject=principal.subject,
                 correlation_id=CORRELATION_ID.get(), trace_id=current_trace_id())


def as_action(body: BaseModel, principal: Principal) -> BaseModel:
    """The action with who sent it, from the token, never from the body."""
    return body.model_copy(update={"actor": actor_of(principal)})


async def execute(handle: WorkflowHandle[Any, Any], update: Any, action: BaseModel,
                  state: str | Callable[[], Awaitable[str]], label: str = "") -> StepResult:
    """Run the update; on a trajectory that has completed, a 409 that names its state (as last read, or read
    then when ``state`` is a function)."""
    try:
        result: StepResult = await handle.execute_update(update, action)
        return result
    except WorkflowUpdateFailedError as e:
        e.update_name = getattr(update, "__name__", "")  # type: ignore[attr-defined]  # the audit trail's action
        raise
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND and (
                await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            state = state if isinstance(state, str) else await state()
            named = f"{state}: {label}" if label else state
            raise Conflict(f"the trajectory is closed (state is {named})", state=state) from e
        raise


def corporation_snapshot(directory: Directory) -> CorporationSnapshot:
    """The corporation as letters show it, taken when a trajectory starts."""
    c = directory.corporation
    return CorporationSnapshot(name=c.name, address=c.address, postcode_city=c.postcode_city, phone=c.phone,
                               email=c.email, website=c.website, manager_name=c.manager_name,
                               manager_email=c.manager_email, legal_name=c.legal_name,
                               legal_email=c.legal_email, signatories=c.signatories)
