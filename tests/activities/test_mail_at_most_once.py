"""Each mail goes out at most once per Message-ID, however often the activity is retried."""

import dataclasses
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from inspraak.activities.mail import LedgerEntry, MailActivities, MailLedger, MailNotSent, MailRequest, SmtpMailer
from inspraak.activities.storage import LocalDocumentStore
from tests.activities.conftest import SmtpSink, free_port

SENDER = "Woonstichting Voorbeeldhaven <inspraak@voorbeeldhaven.nl>"
REQUEST = MailRequest(message_id="adv-2027-001.01-adviesaanvraag.organisation", to=["secretaris@hodelinde.nl"],
                      subject="Adviesaanvraag", body="Geachte bestuursleden,")


def attempt(n: int) -> ActivityEnvironment:
    """The activity environment of the n-th attempt (what Temporal hands a retry)."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=n)
    return env


def deliveries(sink: SmtpSink, message_id: str = REQUEST.message_id) -> int:
    return sum(1 for m in sink.messages if message_id in str(m.message["Message-ID"]))


class BreaksAfterSending:
    """Sends, then loses the connection before the answer arrives (as a killed worker or a network cut)."""

    def __init__(self, mailer: SmtpMailer) -> None:
        self._mailer = mailer

    async def send(self, message: EmailMessage) -> None:
        await self._mailer.send(message)
        raise ConnectionResetError("connection reset while waiting for the server's answer")


@pytest.fixture
def ledger(tmp_path: Path) -> MailLedger:
    return MailLedger(tmp_path / "mail-ledger")


async def test_a_retry_after_the_server_accepted_the_mail_sends_nothing(
        local_store: LocalDocumentStore, smtp_server: SmtpSink, ledger: MailLedger) -> None:
    # The first attempt's completion is lost (the worker died right after sending): Temporal retries.
    activities = MailActivities(SmtpMailer(smtp_server.host, smtp_server.port), local_store, SENDER, ledger)

    await attempt(1).run(activities.send_mail, REQUEST)
    again = await attempt(2).run(activities.send_mail, REQUEST)

    assert deliveries(smtp_server) == 1
    assert again.already_sent
    assert ledger.read(REQUEST.message_id).state == "sent"  # type: ignore[union-attr]


async def test_a_mail_whose_sending_broke_off_is_not_sent_again_but_reported_uncertain(
        local_store: LocalDocumentStore, smtp_server: SmtpSink, ledger: MailLedger) -> None:
    mailer = BreaksAfterSending(SmtpMailer(smtp_server.host, smtp_server.port))
    activities = MailActivities(mailer, local_store, SENDER, ledger)  # type: ignore[arg-type]

    for n in (1, 2, 3):
        with pytest.raises(ApplicationError) as raised:
            await attempt(n).run(activities.send_mail, REQUEST)
        assert raised.value.type == "MailDeliveryUncertain" and raised.value.non_retryable

    assert deliveries(smtp_server) == 1
    assert ledger.read(REQUEST.message_id).state == "uncertain"  # type: ignore[union-attr]


async def test_a_worker_killed_while_sending_leaves_sending_and_the_retry_does_not_resend(
        local_store: LocalDocumentStore, smtp_server: SmtpSink, ledger: MailLedger) -> None:
    # What a worker killed in the middle of the SMTP dialogue leaves behind.
    ledger.record(LedgerEntry(message_id=REQUEST.message_id, state="sending", at=datetime.now(UTC), attempt=1))
    activities = MailActivities(SmtpMailer(smtp_server.host, smtp_server.port), local_store, SENDER, ledger)

    with pytest.raises(ApplicationError) as raised:
        await attempt(2).run(activities.send_mail, REQUEST)

    assert raised.value.type == "MailDeliveryUncertain"
    assert deliveries(smtp_server) == 0
    assert ledger.read(REQUEST.message_id).state == "uncertain"  # type: ignore[union-attr]


async def test_a_mail_server_that_is_down_is_retried_and_the_mail_goes_out_once(
        local_store: LocalDocumentStore, ledger: MailLedger) -> None:
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    activities = MailActivities(SmtpMailer(sink.host, sink.port, timeout=5), local_store, SENDER, ledger)

    with pytest.raises(MailNotSent):  # retryable: nothing reached a server
        await attempt(1).run(activities.send_mail, REQUEST)
    assert ledger.read(REQUEST.message_id).state == "not_sent"  # type: ignore[union-attr]
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        await attempt(2).run(activities.send_mail, REQUEST)
        await attempt(3).run(activities.send_mail, REQUEST)
    finally:
        controller.stop()

    assert deliveries(sink) == 1


async def test_a_refused_mail_is_not_sent_and_may_be_retried(
        local_store: LocalDocumentStore, smtp_server: SmtpSink, ledger: MailLedger) -> None:
    class Refusing(SmtpSink):
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            return "451 Try again later"

    refusing = Refusing(host="127.0.0.1", port=free_port())
    controller = Controller(refusing, hostname=refusing.host, port=refusing.port)
    controller.start()
    try:
        activities = MailActivities(SmtpMailer(refusing.host, refusing.port), local_store, SENDER, ledger)
        with pytest.raises(MailNotSent):
            await attempt(1).run(activities.send_mail, REQUEST)
    finally:
        controller.stop()
    activities = MailActivities(SmtpMailer(smtp_server.host, smtp_server.port), local_store, SENDER, ledger)
    await attempt(2).run(activities.send_mail, REQUEST)
    assert deliveries(smtp_server) == 1
