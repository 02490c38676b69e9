"""An object store that is down delays a letter; it never fails the trajectory, and staff hear of it."""

import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from inspraak.activities.audit import AuditActivities
from inspraak.activities.documents import DocumentActivities, build_renderer
from inspraak.activities.mail import MailActivities, MailLedger, SmtpMailer, build_mailer
from inspraak.activities.storage import DocumentStore, LocalDocumentStore, StoredObject
from inspraak.activities.terms import TermActivities
from inspraak.domain.advice_actions import Withdrawn
from inspraak.services.worker.main import build_worker, sender
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.activities.conftest import SmtpSink, smtp_server  # noqa: F401  (fixture)
from tests.workflows.conftest import Stack, starter


class StoreDownUntil:
    """A document store that refuses every write until ``until`` on the server's clock (an outage)."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self.until: datetime | None = None
        self.refused = 0

    async def put(self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]) -> StoredObject:
        # The attempt's scheduled time is the (time-skipping) server's clock, not the wall clock.
        if self.until is not None and activity.info().current_attempt_scheduled_time < self.until:
            self.refused += 1
            raise ConnectionRefusedError("object store unreachable")
        return await self._store.put(key, data, content_type=content_type, metadata=metadata)

    async def get(self, key: str) -> bytes:
        return await self._store.get(key)

    async def stat(self, key: str) -> StoredObject:
        return await self._store.stat(key)


async def test_a_letter_waits_for_a_store_that_is_down_for_an_hour(env: WorkflowEnvironment, tmp_path: Path):
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"outage-{uuid.uuid4().hex[:8]}")
    store = StoreDownUntil(LocalDocumentStore(settings.documents_dir))
    store.until = await env.get_current_time() + timedelta(hours=1)
    documents = DocumentActivities(build_renderer(settings), store)
    mail = MailActivities(build_mailer(settings), store, sender(settings))
    activities = [documents.render_document, mail.send_mail, TermActivities(settings.term_policy()).plan_term,
                  AuditActivities(store).record_audit]
    stack = Stack(env, env.client, settings)
    async with build_worker(env.client, settings, activities=activities):
        handle = await starter(stack)()
        await env.sleep(timedelta(hours=2))
        view = await handle.query(AdviceRequestWorkflow.view)
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        assert store.refused > 10  # more attempts than the old policy allowed
        assert [d.type.value for d in view.documents] == ["adviesaanvraag"]
        assert (settings.mail_outbox_dir / f"{view.documents[0].id}.organisation.eml").is_file()
        # The owner heard that the letter was waiting, once; the timeline says so (for staff).
        alerts = [e for e in view.timeline if e.event == "letter_delayed"]
        assert len(alerts) == 1 and alerts[0].visibility.value == "staff"
        owner_mails = [p.read_text() for p in settings.mail_outbox_dir.glob("*.eml") if ".notice-" in p.name]
        assert len(owner_mails) == 1 and "sanne@voorbeeldhaven.nl" in owner_mails[0]
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
        await handle.result()


class BreaksOnceAfterSending:
    """Sends every message; the first time, the connection breaks before the server's answer arrives."""

    def __init__(self, mailer: SmtpMailer) -> None:
        self._mailer = mailer
        self.broke = False

    async def send(self, message: EmailMessage) -> None:
        await self._mailer.send(message)
        if not self.broke:
            self.broke = True
            raise ConnectionResetError("connection reset while waiting for the server's answer")


async def test_a_mail_that_may_have_gone_out_is_not_sent_again_and_the_owner_is_asked_to_check(
        env: WorkflowEnvironment, tmp_path: Path, smtp_server: SmtpSink):  # noqa: F811
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"mail-{uuid.uuid4().hex[:8]}")
    store = LocalDocumentStore(settings.documents_dir)
    mailer = BreaksOnceAfterSending(SmtpMailer(smtp_server.host, smtp_server.port))
    mail = MailActivities(mailer, store, sender(settings), MailLedger(settings.mail_ledger_dir))  # type: ignore[arg-type]
    activities = [DocumentActivities(build_renderer(settings), store).render_document, mail.send_mail,
                  TermActivities(settings.term_policy()).plan_term, AuditActivities(store).record_audit]
    stack = Stack(env, env.client, settings)
    async with build_worker(env.client, settings, activities=activities):
        handle = await starter(stack)()
        await env.sleep(timedelta(hours=1))
        view = await handle.query(AdviceRequestWorkflow.view)
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
        await handle.result()
    letter_mail = f"<{view.documents[0].id}.organisation@"
    ids = [str(m.message["Message-ID"]).strip() for m in smtp_server.messages]
    assert sum(1 for i in ids if i.startswith(letter_mail)) == 1
    assert [e.event for e in view.timeline if e.event == "mail_uncertain"] == ["mail_uncertain"]
    alerts = [m for m in smtp_server.messages if m.message["Subject"].startswith("Controleer verzending")]
    assert len(alerts) == 1 and alerts[0].rcpt_tos == ["sanne@voorbeeldhaven.nl"]
