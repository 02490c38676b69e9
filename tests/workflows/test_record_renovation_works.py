"""Records the renovation's history through the works to GESLOTEN and the erasure (see tests/workflows/
test_replay.py for how and why): ``INSPRAAK_RECORD_HISTORIES=1 .venv/bin/python -m pytest
tests/workflows/test_record_renovation_works.py``. The replay itself is test_replay.py's, over every file."""

import uuid
from datetime import date, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import Agreement, AnswerRecorded, VoteClosed
from inspraak.domain.vote import Choice
from inspraak.domain.works import (
    EvaluationRecorded,
    HomesCompleted,
    PanelDissolved,
    ProjectClosed,
    RentSettled,
    WorksStarted,
)
from inspraak.services.worker.main import build_activities, build_worker
from inspraak.settings import Settings
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.renovation_setup import proposal, ready_for_proposals
from tests.workflows.test_replay import erase_and_save, fast_plan_term, recording


async def state_is(handle, state: State) -> None:
    import asyncio
    for _ in range(600):
        if (await handle.query(RenovationWorkflow.view)).state == state:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not {state}: {(await handle.query(RenovationWorkflow.view)).state}")


@recording
async def test_record_the_renovation_through_the_works_to_gesloten(dev_env: WorkflowEnvironment, tmp_path: Path):
    """12 homes all agree (straight to UITVOERINGSGEREED), the works start (a letter to each home), two
    completion dates with their opleveringsbrieven and BW 7:255 terms (the first group's rents settled, the
    second's term ends), the evaluation, the dissolution letters, the close, the retention term (0 months), the
    erasure."""
    settings = Settings(data_dir=tmp_path, task_queue=f"record-{uuid.uuid4().hex[:8]}",
                        personal_data_retention_months=0)
    activities = [a for a in build_activities(settings) if getattr(a, "__name__", "") != "plan_term"]
    async with build_worker(dev_env.client, settings, [*activities, fast_plan_term]):
        handle = await ready_for_proposals(dev_env.client, settings, 12, with_search_attributes=True)
        today = date.today()
        await handle.execute_update(RenovationWorkflow.send_proposals,
                                    await proposal(settings, handle, 12, today))
        units = [f"301-{i:03d}" for i in range(1, 13)]
        for unit in units:
            await handle.execute_update(RenovationWorkflow.record_answer, AnswerRecorded(
                unit_id=unit, choice=Choice.AGREED, channel="paper", answered_on=today))
        for _ in range(600):
            view = await handle.query(RenovationWorkflow.view)
            if any(e.event == "reply_ended" for e in view.timeline):
                break
            import asyncio
            await asyncio.sleep(0.05)
        await handle.execute_update(RenovationWorkflow.close_vote, VoteClosed())
        await state_is(handle, State.UITVOERINGSGEREED)
        await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=today))
        await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(
            unit_ids=units[:6], completed_on=today - timedelta(days=0)))
        await handle.execute_update(RenovationWorkflow.settle_rent, RentSettled(
            unit_ids=units[:5], outcome="agreed", recorded_on=today))
        await handle.execute_update(RenovationWorkflow.settle_rent, RentSettled(
            unit_ids=units[5:6], outcome="disputed", recorded_on=today))
        await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(
            unit_ids=units[6:], completed_on=today))
        await state_is(handle, State.HUURAANPASSING)
        await handle.execute_update(RenovationWorkflow.record_evaluation, EvaluationRecorded(
            held_on=today, attendees=["Voorzitter", "Sanne Behandelaar"], went_well=["De planning"],
            agreements=[Agreement(what="Lessen delen", owner="Sanne")]))
        await handle.execute_update(RenovationWorkflow.dissolve_panel, PanelDissolved(
            dissolved_on=today, archive="het projectarchief"))
        await handle.execute_update(RenovationWorkflow.close, ProjectClosed())
        await erase_and_save(dev_env.client, handle, "RenovationWorkflow-v2-works-to-gesloten-erase")
