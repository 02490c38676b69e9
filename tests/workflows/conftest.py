"""A real worker (real activities: templates, local storage, outbox mail) on the time-skipping server."""

import asyncio
import base64
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from inspraak.domain.advice import AdviceRequestInput, Registration
from inspraak.domain.advice_actions import (
    Category,
    Closed,
    CorporationSnapshot,
    NewAdviceRequest,
    OrganisationSnapshot,
    StaffMember,
    Withdrawn,
)
from inspraak.domain.terms import ADVICE_TERM, CONSENT_TERM, plan_deadline
from inspraak.services.directory import load_directory
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow


@dataclass
class Stack:
    env: WorkflowEnvironment
    client: Client
    settings: Settings
    started: list[WorkflowHandle[Any, Any]] = field(default_factory=list)

    @property
    def outbox(self) -> Path:
        return self.settings.mail_outbox_dir

    async def today(self) -> date:
        return (await self.env.get_current_time()).astimezone(ZoneInfo("Europe/Amsterdam")).date()


@pytest.fixture
async def stack(env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Stack]:
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"test-{uuid.uuid4().hex[:8]}")
    async with build_worker(env.client, settings):
        s = Stack(env, env.client, settings)
        yield s
        # Close every workflow the test left open, through the workflow itself so its activities finish:
        # the time-skipping server stops skipping for good when a workflow is terminated while one of
        # its activities is in flight (seen with temporal-test-server 1.40).
        for handle in s.started:
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                # RPCError: the workflow completed while the update was on its way (it was finishing already).
                try:
                    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test finished"))
                except WorkflowUpdateFailedError:  # carried out already: close the file instead
                    with contextlib.suppress(WorkflowUpdateFailedError, RPCError):
                        await handle.execute_update(AdviceRequestWorkflow.close, Closed())
                except RPCError:
                    pass
            await finished(handle)


async def finished(handle: WorkflowHandle[Any, Any], timeout: float = 30) -> None:
    """Wait in real time until a workflow has completed.

    Not ``handle.result()``: waiting for a result lets the time-skipping server skip ahead to its next
    timer, ten years on when nothing else is scheduled, so every test would move the shared clock by a
    decade and dates would soon leave 1970-2100, the range every input accepts.
    """
    for _ in range(int(timeout / 0.05)):
        if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{handle.id} still runs after {timeout} s")


StartFn = Callable[..., Awaitable[WorkflowHandle[Any, Any]]]


@pytest.fixture
def start(stack: Stack) -> StartFn:
    """Start an advice (or consent) request the way the API does, with demo data."""
    return starter(stack)


def starter(stack: Stack) -> StartFn:
    """A function that starts requests on ``stack``; for tests that compose their own worker."""

    async def _start(*, organisation_id: str = "sh-de-linde", consent: bool = False,
                     information_provided_on: date | None = None, ends_on: date | None = None,
                     minimum_days: int | None = None,
                     registration: Registration | None = None,
                     planned_at: datetime | None = None) -> WorkflowHandle[Any, Any]:
        directory = load_directory(stack.settings.organisations_file)
        org = directory.get(organisation_id)
        assert org is not None
        c = directory.corporation
        info_on = information_provided_on or await stack.today()
        request = NewAdviceRequest(
            organisation_id=org.id, subject="Wijziging servicekostenbeleid" if consent else "Nieuw onderhoudsbeleid",
            category=Category.j if consent else Category.a, intention="Wij willen het beleid wijzigen.",
            reasons="Omdat het nodig is.", consequences="Geen huurverhoging.", complexes=org.complexes,
            information_provided_on=info_on, advice_term_ends_on=ends_on, consent_requested=consent,
        )
        now = planned_at or await stack.env.get_current_time()
        term = plan_deadline(CONSENT_TERM if consent else ADVICE_TERM, info_on, stack.settings.term_policy(), now,
                             requested_due_on=ends_on, minimum_days=minimum_days)
        wf_id = f"adv-test-{uuid.uuid4().hex[:10]}"
        inp = AdviceRequestInput(
            id=wf_id, request=request,
            organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, contacts=org.contacts),
            corporation=CorporationSnapshot(name=c.name, email=c.email, phone=c.phone, manager_name=c.manager_name,
                                            manager_email=c.manager_email, signatories=c.signatories),
            owner=StaffMember(name="Sanne Behandelaar", email="sanne@voorbeeldhaven.nl"),
            term=term, minimum_term_days=minimum_days, registration=registration,
        )
        handle = await stack.client.start_workflow(AdviceRequestWorkflow.run, inp, id=wf_id,
                                                   task_queue=stack.settings.task_queue)
        stack.started.append(handle)
        return handle

    return _start


async def pass_days(stack: Stack, days: float) -> None:
    await stack.env.sleep(timedelta(days=days))


async def pass_until(stack: Stack, day: date, at: time = time(12, 0)) -> None:
    """Let virtual time run to ``at`` on ``day`` in Amsterdam (clear of midnight and of DST shifts)."""
    target = datetime.combine(day, at, ZoneInfo("Europe/Amsterdam"))
    now = await stack.env.get_current_time()
    assert target > now, f"{target} is not in the future (now {now})"
    await stack.env.sleep(target - now)


async def settled(handle: Any) -> None:
    """Wait (describe only) until a workflow is still: same run, same history length for a second. A trajectory
    with a long history continues as new once its updates stop coming (it waits until none runs); a query that
    meets that moment runs into its deadline on the time-skipping server and leaves it skipping time no more, so
    a test that made many updates asks nothing until then."""
    last, still = None, 0
    for _ in range(600):
        d = await handle.describe()
        now = (d.run_id, d.raw_description.workflow_execution_info.history_length)
        still = still + 1 if now == last else 0
        if still >= 20:
            return
        last = now
        await asyncio.sleep(0.05)
    raise AssertionError("the trajectory did not settle after the answers")


async def history_text(handle: Any) -> str:
    """The workflow's history as text to search: its JSON, and every payload in it decoded (the JSON holds
    payloads in base64, so a name in an input or a result would not show in the JSON itself)."""
    def walk(x: object) -> list[str]:
        if isinstance(x, dict):
            return [t for k, v in x.items() for t in ([base64.b64decode(v).decode("utf-8", "replace")]
                                                      if k == "data" and isinstance(v, str) else walk(v))]
        return [t for v in x for t in walk(v)] if isinstance(x, list) else []
    history = (await handle.fetch_history()).to_json_dict()
    return "\n".join([json.dumps(history), *walk(history)])
