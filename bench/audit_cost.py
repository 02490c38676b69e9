"""What the audit trail costs a renovation's history and state: the same scenario with and without it.

A renovation of N homes (default 200) up to its vote, then an answer recorded by staff for every home: one
at a time (a desk working through reply slips), or all at once (``--burst``: answers arriving together).
Printed: the history's events and bytes, the audit activity's share (its events and input bytes), the
batches and entries written, and the size of the state (the view's JSON) with and without the trail.

Runs on Temporal's time-skipping test server with a real worker (templates, local storage, outbox).
Without the trail means: the same worker code with ``AuditTrail.start_audit`` switched off (workflows run
unsandboxed for both runs, so the switch takes and the two runs compare like for like).

Usage: ``.venv/bin/python bench/audit_cost.py [--homes 200] [--burst]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.contrib.pydantic import pydantic_data_converter  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import UnsandboxedWorkflowRunner, Worker  # noqa: E402

from inspraak.activities.audit import read_audit  # noqa: E402
from inspraak.activities.storage import LocalDocumentStore  # noqa: E402
from inspraak.domain.advice_actions import Actor  # noqa: E402
from inspraak.domain.renovation_actions import AnswerRecorded, Stopped  # noqa: E402
from inspraak.domain.vote import Choice  # noqa: E402
from inspraak.services.worker.main import WORKFLOWS, build_activities, kernel_config  # noqa: E402
from inspraak.settings import Settings  # noqa: E402
from inspraak.workflows import audit_trail  # noqa: E402
from inspraak.workflows.config import KernelConfigInterceptor  # noqa: E402
from inspraak.workflows.renovation import RenovationWorkflow  # noqa: E402
from tests.conftest import BIN  # noqa: E402
from tests.workflows.renovation_setup import voting_renovation  # noqa: E402

STAFF = Actor(role="staff", name="Sanne Behandelaar", subject="sanne")


async def scenario(env: WorkflowEnvironment, homes: int, burst: bool, audit: bool) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="audit-cost-"))
    settings = Settings(data_dir=data, search_attributes=False, task_queue=f"cost-{uuid.uuid4().hex[:8]}")
    original = audit_trail.AuditTrail.start_audit
    if not audit:
        def off(self: Any) -> None:
            self._audit_pending = []
            self._audit_on = False
        audit_trail.AuditTrail.start_audit = off  # type: ignore[method-assign]
    try:
        async with Worker(env.client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                          activities=build_activities(settings), workflow_runner=UnsandboxedWorkflowRunner(),
                          interceptors=[KernelConfigInterceptor(kernel_config(settings))]):
            today = (await env.get_current_time()).date()
            handle = await voting_renovation(env.client, settings, homes, today)
            answers = [AnswerRecorded(unit_id=f"301-{i:03d}", choice=Choice.AGREED, channel="paper",
                                      answered_on=today, actor=STAFF) for i in range(1, homes + 1)]
            if burst:
                await asyncio.gather(*(handle.execute_update(RenovationWorkflow.record_answer, a) for a in answers))
            else:
                for a in answers:
                    await handle.execute_update(RenovationWorkflow.record_answer, a)
            view = await handle.query(RenovationWorkflow.view)
            state_bytes = len(view.model_dump_json())
            await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="bench", actor=STAFF))
            await handle.result()
            history = await handle.fetch_history()
    finally:
        audit_trail.AuditTrail.start_audit = original  # type: ignore[method-assign]
    events = list(history.events)
    audit_ids = {e.event_id for e in events if e.HasField("activity_task_scheduled_event_attributes")
                 and e.activity_task_scheduled_event_attributes.activity_type.name == "record_audit"}
    audit_events = [e for e in events if e.event_id in audit_ids
                    or (e.HasField("activity_task_started_event_attributes")
                        and e.activity_task_started_event_attributes.scheduled_event_id in audit_ids)
                    or (e.HasField("activity_task_completed_event_attributes")
                        and e.activity_task_completed_event_attributes.scheduled_event_id in audit_ids)]
    entries = await read_audit(LocalDocumentStore(settings.documents_dir), handle.id)
    return {"events": len(events), "bytes": sum(e.ByteSize() for e in events), "audit_events": len(audit_events),
            "audit_bytes": sum(e.ByteSize() for e in audit_events), "batches": len(audit_ids),
            "entries": len(entries), "state_bytes": state_bytes}


async def main(homes: int, burst: bool) -> None:
    async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=str(BIN / "temporal-test-server"), data_converter=pydantic_data_converter) as env:
        without = await scenario(env, homes, burst, audit=False)
        with_ = await scenario(env, homes, burst, audit=True)
    print(f"renovation of {homes} homes to its vote, {homes} answers recorded {'at once' if burst else 'one by one'}")
    print(f"{'':34}{'without trail':>14}{'with trail':>14}")
    for key, label in [("events", "history events"), ("bytes", "history bytes"), ("state_bytes", "state (view) bytes"),
                       ("audit_events", "  of which audit activity events"), ("audit_bytes", "  audit activity bytes"),
                       ("batches", "audit batches written"), ("entries", "audit entries")]:
        print(f"{label:34}{without[key]:>14}{with_[key]:>14}")
    per = (with_["events"] - without["events"]) / max(1, with_["entries"])
    print(f"extra history events per entry: {per:.2f}; per answer: {(with_['events'] - without['events']) / homes:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--homes", type=int, default=200)
    parser.add_argument("--burst", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.homes, args.burst))
