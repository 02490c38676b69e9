"""A renovation that continues as new while its advice request runs keeps the link to it (the kernel's child
links live in the state): on the dev server, whose runs the parent really leaves behind."""

import asyncio
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from inspraak.domain.advice import State as AdviceState
from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import Stopped
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import finished
from tests.workflows.renovation_setup import (
    advice_followed,
    end_renovation,
    hand_in_plans,
    reaches,
    start_advice,
    with_active_panel,
)


async def test_the_child_link_survives_the_renovations_continue_as_new(dev_env: WorkflowEnvironment, tmp_path: Path):
    settings = Settings(data_dir=tmp_path, task_queue=f"can-{uuid.uuid4().hex[:8]}", continue_as_new_after_events=12)
    async with build_worker(dev_env.client, settings):
        handle = await with_active_panel(dev_env.client, settings, 12, with_search_attributes=True)
        await hand_in_plans(settings, handle)
        child = await start_advice(dev_env.client, settings, handle)
        latest = dev_env.client.get_workflow_handle(handle.id)
        # The run that started the child, as the child's own record says.
        starting_run = (await child.describe()).raw_description.workflow_execution_info.parent_execution.run_id
        assert starting_run
        for _ in range(600):
            if (await latest.describe()).run_id != starting_run:
                break
            await asyncio.sleep(0.05)
        assert (await latest.describe()).run_id != starting_run  # the renovation continued as new since
        view = await latest.query(RenovationWorkflow.view)
        assert view.state == State.ADVIESTRAJECT and view.advice_request.id == child.id
        # The child's news reaches the new run: executable, so the proposal is final (B8).
        await advice_followed(child)
        view = await reaches(latest, State.VOORSTEL_DEFINITIEF)
        assert view.advice_request.state == AdviceState.UITVOERBAAR
        # And stopping the new run still withdraws the request it did not start itself.
        await latest.execute_update(RenovationWorkflow.stop, Stopped(reason="test finished"))
        await finished(child)
        assert (await child.query(AdviceRequestWorkflow.view)).state == AdviceState.INGETROKKEN
        assert (await latest.query(RenovationWorkflow.view)).advice_request.final
        await end_renovation(latest)  # a stopped renovation keeps running through its retention term
