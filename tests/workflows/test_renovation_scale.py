"""A 1,000-home complex through the whole trajectory as it exists (invite, sign-ups, panel, a meeting, the
proposals, 900 answers, the reply term's reminder, the count, stop): no run of its workflow history grows past
10,000 events or 10 MB (issue 8, "Scale and speed"), on the time-skipping server with the real worker.

The kernel continues a trajectory as new past ``continue_as_new_after_events`` (2,000 by default) when no
update and no mail is under way; the figures of every run are printed (``pytest -s``)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from inspraak.domain.documents import DocumentType
from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import AnswerRecorded, MeetingRecorded, Stopped, VoteClosed
from inspraak.domain.vote import Choice
from inspraak.workflows.renovation import RenovationWorkflow
from tests.conftest import BIN
from tests.workflows.conftest import Stack, settled
from tests.workflows.renovation_setup import (
    end_renovation,
    history_runs,
    household_letters,
    proposal,
    ready_for_proposals,
)

HOMES = 1000
MAX_EVENTS = 10_000
MAX_BYTES = 10 * 1024 * 1024


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of its own: a 1,000-home trajectory is heavy, and should it fail halfway with its
    letters in flight, the shared server would stop skipping time for every test after it."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"), data_converter=pydantic_data_converter
    ) as e:
        yield e


async def pass_until_patiently(stack: Stack, day: date) -> None:
    """Let virtual time run to noon on ``day``, a day at a time: the reply term's reminder makes mail and paper
    letters on the way, time stands still while they are made, and a call that outlasts its deadline on a busy
    machine is asked again."""
    target = datetime.combine(day, time(12, 0), ZoneInfo("Europe/Amsterdam"))
    while (now := await stack.env.get_current_time()) < target:
        try:
            await stack.env.sleep(min(timedelta(days=1), target - now))
        except RPCError:
            await asyncio.sleep(1)


async def answer_all(handle: Any, units: list[str], day: Any) -> None:
    queue = list(units)

    async def worker() -> None:
        while queue:
            unit = queue.pop()
            choice = Choice.AGREED if int(unit[-3:]) % 10 < 8 else Choice.NOT_AGREED
            await handle.execute_update(RenovationWorkflow.record_answer, AnswerRecorded(
                unit_id=unit, choice=choice, channel="paper", answered_on=day))

    await asyncio.gather(*(worker() for _ in range(8)))


@pytest.mark.timeout(400)
async def test_a_1000_home_trajectory_keeps_every_history_run_under_10000_events_and_10_mb(stack: Stack):
    handle = await ready_for_proposals(stack.client, stack.settings, HOMES)
    first_run = (await handle.describe()).run_id
    assert first_run is not None
    today = await stack.today()
    await handle.execute_update(RenovationWorkflow.record_meeting, MeetingRecorded(
        held_on=today, attendees=["Huurder Nummer 2 (voorzitter)"], points=["Kennismaking"]))
    await handle.execute_update(RenovationWorkflow.send_proposals, await proposal(stack.settings, handle, HOMES,
                                                                                  today))
    units = [f"301-{i:03d}" for i in range(1, HOMES + 1)]
    await answer_all(handle, units[:900], today)
    await settled(handle)
    tally = await handle.query(RenovationWorkflow.tally)
    assert (tally.total, tally.agreed + tally.not_agreed, tally.no_answer) == (HOMES, 900, 100)
    view = await handle.query(RenovationWorkflow.view)
    await pass_until_patiently(stack, view.proposal.reply_by + timedelta(days=1))
    await handle.execute_update(RenovationWorkflow.close_vote, VoteClosed())
    view = await handle.query(RenovationWorkflow.view)
    assert view.state == State.DRAAGVLAK_BEREIKT and view.tally.agreed == 720
    letters = await household_letters(stack.settings, view, DocumentType.RENOVATIEVOORSTEL)
    assert len(letters) == HOMES and len({d.key for d in letters}) == HOMES
    await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="test finished"))
    await end_renovation(handle)

    figures = await history_runs(stack.client, handle.id, first_run)
    for n, (events, size) in enumerate(figures, start=1):
        print(f"run {n}: {events} events, {size / 1024:.0f} KiB")
    print(f"{len(figures)} runs, {sum(e for e, _ in figures)} events in all")
    assert len(figures) > 1  # it did continue as new
    assert all(events <= MAX_EVENTS and size <= MAX_BYTES for events, size in figures)
