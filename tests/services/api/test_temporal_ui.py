"""What the Temporal UI shows of a trajectory: a readable id, its search attributes, a one-line summary and details
set at the start, current details that follow the state, and a summary on every timer and activity."""

import asyncio

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from inspraak.workflows import names
from tests.services.api.conftest import Api
from tests.services.api.renovation_steps import ready_for_proposals


async def summaries(handle: WorkflowHandle) -> dict[str, list[str]]:
    """The summaries in the history: per timer and per activity scheduled."""
    found: dict[str, list[str]] = {"timer": [], "activity": []}
    async for event in handle.fetch_history_events():
        kind = {EventType.EVENT_TYPE_TIMER_STARTED: "timer",
                EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activity"}.get(event.event_type)
        if kind:
            found[kind].append(pydantic_data_converter.payload_converter.from_payload(event.user_metadata.summary)
                               if event.user_metadata.HasField("summary") else "")
    return found


async def test_every_trajectory_has_a_one_line_summary_and_details_and_every_timer_a_summary(
        api: Api, dev_env: WorkflowEnvironment):
    rid = (await api.create(organisation_id="hv-eendracht")).json()["id"]
    rrid = await ready_for_proposals(api, 12)
    for trajectory_id, label, subject, organisation in [
            (rid, "Advice request", "Nieuw onderhoudsbeleid", "hv-eendracht"),
            (rrid, "Renovation", "Renovatie complex 301 De Molen", "bc-de-molen")]:
        handle = dev_env.client.get_workflow_handle(trajectory_id)
        description = await handle.describe()
        assert await description.static_summary() == f"{label} {trajectory_id.upper()}: {subject} ({organisation})"
        details = await description.static_details()
        assert details is not None and f"Organisation: {organisation}" in details
        # Readable ids and search attributes (the API starts every trajectory with them).
        assert trajectory_id.startswith(("adv-2", "ren-2"))
        assert description.typed_search_attributes.get(names.ORGANISATION) == organisation
        found: dict[str, list[str]] = {}
        for _ in range(100):  # the first timer starts once the opening letter is filed
            found = await summaries(handle)
            if found["timer"]:
                break
            await asyncio.sleep(0.05)
        assert found["timer"] and all(found["timer"]) and all(found["activity"]), found
        assert any(s.startswith(("advice_term: reminder", "sign_up: ")) for s in found["timer"]), found
