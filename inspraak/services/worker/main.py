"""The worker: runs the workflows and the activities, with their collaborators built from settings."""

import asyncio
import logging

from temporalio.client import Client
from temporalio.worker import Worker

from inspraak.activities.documents import DocumentActivities, build_renderer, build_store_templates
from inspraak.activities.mail import MailActivities, build_mailer
from inspraak.activities.storage import build_store
from inspraak.activities.terms import TermActivities
from inspraak.services.temporal_client import connect
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow

WORKFLOWS = [AdviceRequestWorkflow]


def build_worker(client: Client, settings: Settings) -> Worker:
    """A worker for ``settings.task_queue`` with every workflow and activity of Inspraak."""
    store = build_store(settings)
    documents = DocumentActivities(build_renderer(settings), store,
                                   store_templates=build_store_templates(settings, store))
    mail = MailActivities(build_mailer(settings), store, settings.mail_from)
    terms = TermActivities(settings.term_policy())
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[documents.render_document, mail.send_mail, terms.plan_term],
    )


async def run(settings: Settings) -> None:
    client = await connect(settings)
    worker = build_worker(client, settings)
    logging.getLogger(__name__).info("worker listening on task queue %s", settings.task_queue)
    await worker.run()


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run(Settings()))
