"""The worker: runs the workflows and the activities, with their collaborators built from settings."""

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from email.utils import formataddr, parseaddr
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from inspraak.activities.audit import AuditActivities
from inspraak.activities.documents import DocumentActivities, build_renderer, build_store_templates
from inspraak.activities.erasure import ErasureActivities
from inspraak.activities.mail import MailActivities, MailLedger, OutboxMailer, build_mailer
from inspraak.activities.storage import build_store
from inspraak.activities.terms import TermActivities
from inspraak.services import telemetry
from inspraak.services.directory import load_directory
from inspraak.services.temporal_client import connect
from inspraak.services.worker.overdue import report_overdue
from inspraak.settings import Settings, UnsafeSettingsError, load_settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from inspraak.workflows.config import KernelConfig, KernelConfigInterceptor
from inspraak.workflows.renovation import RenovationWorkflow

# Every workflow the worker runs; the replay guard requires a recorded history for each.
WORKFLOWS = [AdviceRequestWorkflow, RenovationWorkflow]


def kernel_config(settings: Settings) -> KernelConfig:
    return KernelConfig(search_attributes=settings.search_attributes,
                        continue_as_new_after_events=settings.continue_as_new_after_events,
                        timezone=settings.terms_timezone,
                        letter_delay_alert_after=timedelta(minutes=settings.letter_delay_alert_minutes),
                        personal_data_retention_months=settings.personal_data_retention_months)


def sender(settings: Settings) -> str:
    """The From of every mail: the corporation's name with the configured address, unless it has a name."""
    name, address = parseaddr(settings.mail_from)
    if name:
        return settings.mail_from
    return formataddr((load_directory(settings.organisations_file).corporation.name, address))


def build_activities(settings: Settings) -> list[Callable[..., Any]]:
    """Every activity of Inspraak, with its collaborators built from settings."""
    store = build_store(settings)
    documents = DocumentActivities(build_renderer(settings), store,
                                   store_templates=build_store_templates(settings, store),
                                   reply_code_key=settings.reply_code_key_bytes)
    mailer = build_mailer(settings)
    ledger = MailLedger(settings.mail_ledger_dir)
    mail = MailActivities(mailer, store, sender(settings), ledger)
    terms = TermActivities(settings.term_policy())
    erasure = ErasureActivities(store, mailer.folder if isinstance(mailer, OutboxMailer) else None, ledger)
    return [documents.render_document, documents.render_documents, documents.merge_documents, mail.send_mail,
            terms.plan_term, AuditActivities(store).record_audit, erasure.erase_personal_data]


def build_worker(client: Client, settings: Settings,
                 activities: Sequence[Callable[..., Any]] | None = None) -> Worker:
    """A worker for ``settings.task_queue`` with every workflow and activity of Inspraak."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities if activities is not None else build_activities(settings),
        interceptors=[KernelConfigInterceptor(kernel_config(settings))],
    )


async def run(settings: Settings) -> None:
    """Run the worker until stopped.

    Raises:
        UnsafeSettingsError: production settings with a development secret.
    """
    settings.check_production()
    telemetry.setup_tracing(settings, "worker")
    client = await connect(settings)
    worker = build_worker(client, settings)
    logging.getLogger(__name__).info("worker listening on task queue %s", settings.task_queue)
    runtime = telemetry.temporal_runtime(settings)
    if runtime is None or not settings.search_attributes:  # no metrics, or nothing to count them from
        await worker.run()
        return
    gauge = asyncio.create_task(report_overdue(client, runtime.metric_meter))
    try:
        await worker.run()
    finally:
        gauge.cancel()


def main() -> None:
    settings = load_settings()
    telemetry.setup_logging(settings)
    try:
        asyncio.run(run(settings))
    except UnsafeSettingsError as e:
        raise SystemExit(f"inspraak worker: {e}") from e
