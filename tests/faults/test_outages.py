"""Fault injection: a worker killed during a render, the object store and the mail server stopped and started
again while a trajectory runs. At the end no letter and no mail is lost, and none is doubled."""

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from minio import Minio
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from inspraak.activities.audit import AuditActivities, read_audit
from inspraak.activities.documents import DocumentActivities, build_renderer
from inspraak.activities.mail import MailActivities, MailLedger, build_mailer
from inspraak.activities.storage import build_store
from inspraak.activities.terms import TermActivities
from inspraak.domain.advice_actions import AdvicePoint, AdviceReceived, Withdrawn
from inspraak.domain.documents import DocumentRef
from inspraak.domain.render_requests import RenderRequest
from inspraak.services.worker.main import WORKFLOWS, build_worker, kernel_config, sender
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from inspraak.workflows.config import KernelConfigInterceptor
from inspraak.workflows.correspondence import RETRY_CAP
from tests.faults.conftest import RestartableSmtp, RestartableStore
from tests.workflows.conftest import Stack, starter


class Worker1:
    """The first worker: its first render blocks until the worker is killed under it."""

    def __init__(self, settings: Settings) -> None:
        store = build_store(settings)
        self.documents = DocumentActivities(build_renderer(settings), store)
        ledger = MailLedger(settings.mail_ledger_dir)
        self.mail = MailActivities(build_mailer(settings), store, sender(settings), ledger)
        self.terms = TermActivities(settings.term_policy())
        self.audit = AuditActivities(store)
        self.rendering = asyncio.Event()

    @activity.defn(name="render_document")
    async def render_document(self, req: RenderRequest) -> DocumentRef:
        self.rendering.set()
        await asyncio.Event().wait()  # until the worker's shutdown cancels it
        raise AssertionError("not reached")

    def activities(self) -> list:
        return [self.render_document, self.mail.send_mail, self.terms.plan_term, self.audit.record_audit]


async def kill(worker: Worker, running: asyncio.Task[None]) -> None:
    await worker.shutdown()
    await running


async def until_documents(stack: Stack, handle: WorkflowHandle, n: int) -> None:
    """Let (virtual) time pass until the trajectory has ``n`` documents: the killed render's retry."""
    for _ in range(20):
        if len((await handle.query(AdviceRequestWorkflow.view)).documents) >= n:
            return
        await stack.env.sleep(timedelta(minutes=1))
    raise AssertionError(f"no {n} documents after 20 minutes")


async def until_pending(handle: WorkflowHandle, activity_type: str) -> None:
    """Wait (briefly, in real time) until the workflow has scheduled ``activity_type``."""
    for _ in range(200):
        pending = (await handle.describe()).raw_description.pending_activities
        if any(a.activity_type.name == activity_type for a in pending):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{activity_type} was never scheduled")


async def test_no_letter_or_mail_is_lost_or_doubled_through_outages(
        env: WorkflowEnvironment, tmp_path: Path, store_server: RestartableStore, smtp: RestartableSmtp):
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"faults-{uuid.uuid4().hex[:8]}",
                        storage_backend="s3", s3_endpoint=store_server.endpoint, s3_access_key="testing",
                        s3_secret_key="testing", s3_bucket=f"faults-{uuid.uuid4().hex[:8]}", s3_region="us-east-1",
                        mail_backend="smtp", smtp_host=smtp.sink.host, smtp_port=smtp.sink.port)
    stack = Stack(env, env.client, settings)

    # 1. The worker is killed while it renders the first letter; a new worker renders it again.
    first = Worker1(settings)
    # No workflow cache on the first worker: the time-skipping server would route queries to its sticky queue
    # after it is gone and not fall back to the task queue (a real server does, after a few seconds).
    worker = Worker(env.client, task_queue=settings.task_queue, workflows=WORKFLOWS, activities=first.activities(),
                    interceptors=[KernelConfigInterceptor(kernel_config(settings))], max_cached_workflows=0)
    running = asyncio.create_task(worker.run())
    handle: WorkflowHandle = await starter(stack)()
    await asyncio.wait_for(first.rendering.wait(), 30)
    await kill(worker, running)

    async with build_worker(env.client, settings):
        await until_documents(stack, handle, 1)
        # 2. The object store goes down while the advice is recorded (its letter waits), for half an hour.
        store_server.stop()
        today = await stack.today()
        advice = asyncio.create_task(handle.execute_update(
            AdviceRequestWorkflow.record_advice,
            AdviceReceived(received_on=today, points=[AdvicePoint(summary="Plan buiten de zomer")])))
        await until_pending(handle, "render_document")
        await env.sleep(timedelta(minutes=30))
        assert not advice.done()
        store_server.start()
        await env.sleep(RETRY_CAP)  # the next attempt comes at most this long after the last one
        await advice

        # 3. The mail server goes down while the request is withdrawn (its letter is mailed later).
        smtp.stop()
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="Het plan gaat niet door"))
        await until_pending(handle, "send_mail")
        await env.sleep(timedelta(minutes=20))
        smtp.start()
        view = await handle.result()

    # Letters: every document of the trajectory is in the store, and the store has no other.
    s3 = Minio(store_server.endpoint, access_key="testing", secret_key="testing", secure=False, region="us-east-1")
    stored = {o.object_name for o in s3.list_objects(settings.s3_bucket, prefix=f"trajectories/{view.id}/",
                                                     recursive=True)}
    trail = {k for k in stored if k.startswith(f"trajectories/{view.id}/audit/")}
    assert stored - trail == {d.key for d in view.documents}
    assert [d.type.value for d in view.documents] == ["adviesaanvraag", "ontvangstbevestiging_advies", "intrekking"]
    # The audit trail came through the outages whole: every entry once, numbered without a gap.
    entries = await read_audit(build_store(settings), view.id)
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1)) and len(entries) >= 6

    # Mails: each Message-ID delivered exactly once; every letter's mail among them; nothing left uncertain.
    delivered = Counter(str(m.message["Message-ID"]).strip().removeprefix("<").split("@")[0]
                        for m in smtp.sink.messages)
    assert [mid for mid, n in delivered.items() if n > 1] == []
    for doc in view.documents:
        assert any(mid.startswith(f"{doc.id}.") for mid in delivered), doc.id
    ledger = MailLedger(settings.mail_ledger_dir)
    assert {mid: ledger.read(mid).state for mid in delivered} == {mid: "sent" for mid in delivered}  # type: ignore[union-attr]
    assert sorted(p.stem for p in settings.mail_ledger_dir.glob("*.json")) == sorted(delivered)
    events = [e.event for e in view.timeline]
    assert "mail_failed" not in events and "mail_uncertain" not in events
    assert events.count("letter_delayed") == 1  # the store was down past the alert's 15 minutes
