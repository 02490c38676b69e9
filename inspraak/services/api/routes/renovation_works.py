"""A renovation from the works to its close (B18-B22; BW 7:220 lid 5-6, 7:255 lid 2), and the erasure of its
personal data after the retention term (AVG). Every route is staff only; the organisation follows the works in
the renovation's view (totals, the evaluatieverslag, its copy of the dissolution letter).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from inspraak.domain.households import Code
from inspraak.domain.moving_allowance import MovingAllowance, MovingAllowanceUnknownError, parse_moving_allowance_table
from inspraak.domain.text import Day
from inspraak.domain.trajectory import StepResult
from inspraak.domain.works import (
    MAX_UNITS,
    EvaluationRecorded,
    HomesCompleted,
    PanelDissolved,
    PersonalDataErased,
    ProjectClosed,
    RentSettled,
    WorksStarted,
)
from inspraak.services.api.deps import (
    SettingsDep,
    StaffPrincipal,
    TemporalClientDep,
    get_principal,
    get_staff,
)
from inspraak.services.api.errors import InvalidInput
from inspraak.services.api.routes.renovations import add_action_routes, visible_renovation
from inspraak.services.api.trajectory_access import as_action, execute
from inspraak.settings import Settings
from inspraak.workflows.renovation import RenovationWorkflow

router = APIRouter(dependencies=[Depends(get_principal), Depends(get_staff)])



class WorksStartBody(BaseModel):
    """The works start (B18). Without ``unit_ids``: in every home not blocked by a court case; later, with
    ``unit_ids``: in homes that were blocked and are no longer."""

    started_on: Day
    unit_ids: list[Code] | None = Field(default=None, max_length=MAX_UNITS)


def allowance_on(settings: Settings, day: date) -> MovingAllowance | None:
    """The minimum moving allowance on ``day`` from the table (BW 7:220 lid 6); None when the table has no amount
    for it yet (the workflow then holds to the proposal's amount, and refuses when there is none)."""
    try:
        table = parse_moving_allowance_table(settings.moving_allowance_file.read_text(encoding="utf-8"))
        return table.amount_on(day)
    except MovingAllowanceUnknownError:
        return None


@router.post("/{trajectory_id}/works/start", response_model=StepResult,
             summary="The works start (B18): a letter to every home that starts (its print file is the answer's "
                     "document); unoccupied: the moving allowance of that year and the wisselwoning are confirmed")
async def start_works(trajectory_id: str, body: WorksStartBody, principal: StaffPrincipal, settings: SettingsDep,
                      client: TemporalClientDep) -> StepResult:
    handle, view = await visible_renovation(client, trajectory_id, principal)
    allowance = None
    if view.proposal is not None and not view.proposal.occupied and body.unit_ids is None:
        allowance = allowance_on(settings, body.started_on)
        if allowance is None and view.proposal.moving_allowance is None:
            raise InvalidInput.field("started_on", "moving_allowance_unknown", "the moving allowance table has no "
                                     f"amount for {body.started_on.isoformat()}: update it first")
    action = WorksStarted(started_on=body.started_on, unit_ids=body.unit_ids, moving_allowance=allowance)
    return await execute(handle, RenovationWorkflow.start_works, as_action(action, principal), view.state.value)


# path, update, body, summary (all staff only)
ACTIONS: list[tuple[str, Callable[..., Any], type[BaseModel], str]] = [
    ("works/completions", RenovationWorkflow.complete_homes, HomesCompleted,
     "Homes completed on one day (B19): an opleveringsbrief each with its new rent; the 3 months of BW 7:255 lid 2"),
    ("works/rent", RenovationWorkflow.settle_rent, RentSettled,
     "The rent after the works of these homes: agreed, or put to the Huurcommissie (B20)"),
    ("evaluation", RenovationWorkflow.record_evaluation, EvaluationRecorded,
     "The evaluation with the panel (B21); makes the evaluatieverslag"),
    ("panel/dissolution", RenovationWorkflow.dissolve_panel, PanelDissolved,
     "Dissolve the project panel (B22): a letter to every member and a copy to the organisation"),
    ("close", RenovationWorkflow.close, ProjectClosed,
     "Close the renovation; the retention term of its personal data starts"),
    ("personal-data/erasure", RenovationWorkflow.erase_personal_data, PersonalDataErased,
     "Erase the personal data of a closed or stopped renovation after its retention term; the totals stay"),
]
add_action_routes(router, ACTIONS)
