"""Replay guards: recorded histories of every released workflow version must replay without change.

Agreements and their trajectories run for months; a change to the workflow code that alters its
commands breaks every running instance. Record a new history for each released version:

    INSPRAAK_RECORD_HISTORIES=1 .venv/bin/python -m pytest tests/workflows/test_replay.py

and commit it under ``tests/workflows/histories/``. A change that must alter the commands goes behind
``workflow.patched(...)``.
"""

import os
from datetime import time, timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from inspraak.domain.advice import (
    AdvicePoint,
    AdviceReceived,
    Decision,
    DecisionTaken,
    Executed,
    OverlegRequested,
    PointDecision,
    ReceiptConfirmed,
    ReplyReceived,
    TermExtended,
)
from inspraak.services.worker.main import WORKFLOWS
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.workflows.conftest import Stack, StartFn, pass_until

HISTORIES = Path(__file__).parent / "histories"


def recorded() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


@pytest.mark.parametrize("path", recorded(), ids=lambda p: p.stem)
async def test_recorded_history_replays_with_the_current_code(path: Path):
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    await Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter).replay_workflow(history)


def test_there_is_a_recorded_history_for_every_workflow():
    names = {p.stem.split("-")[0] for p in recorded()}
    assert {"advice_request"} <= names


@pytest.mark.skipif(not os.environ.get("INSPRAAK_RECORD_HISTORIES"), reason="records histories on request only")
async def test_record_advice_request_history(stack: Stack, start: StartFn):
    """The longest path: receipt, overleg, reminders, extension, advice, partial reply, wait, execution."""
    handle = await start(organisation_id="hv-eendracht", minimum_days=56)
    today = await stack.today()
    await handle.execute_update(AdviceRequestWorkflow.confirm_receipt, ReceiptConfirmed(received_on=today))
    await handle.execute_update(AdviceRequestWorkflow.request_overleg, OverlegRequested(requested_on=today))
    term = (await handle.query(AdviceRequestWorkflow.view)).deadlines[0]
    await pass_until(stack, term.due_on - timedelta(days=6), time(10, 0))
    await handle.execute_update(AdviceRequestWorkflow.extend_term,
                                TermExtended(new_end=term.due_on + timedelta(weeks=2), reason="overleg"))
    await pass_until(stack, term.due_on + timedelta(days=3))
    day = await stack.today()
    await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=day, points=[AdvicePoint(summary="Meer groen"), AdvicePoint(summary="Geen huurverhoging")]))
    await pass_until(stack, day + timedelta(days=8))
    await handle.execute_update(AdviceRequestWorkflow.decide, DecisionTaken(decision=Decision.PARTLY, points=[
        PointDecision(adopted="ja"), PointDecision(adopted="nee", motivation="Niet betaalbaar.")]))
    await handle.execute_update(AdviceRequestWorkflow.confirm_reply_receipt,
                                ReplyReceived(received_on=await stack.today()))
    await pass_until(stack, await stack.today() + timedelta(days=7))
    await handle.execute_update(AdviceRequestWorkflow.record_execution, Executed(executed_on=await stack.today()))
    await handle.result()
    history = await handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / "advice_request-v1-full-path.json").write_text(history.to_json(), encoding="utf-8")
