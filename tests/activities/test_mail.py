from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import aiosmtplib
import pytest
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from inspraak.activities.mail import (
    DOCX_CONTENT_TYPE,
    MailActivities,
    MailAttachment,
    MailNotSent,
    MailRequest,
    OutboxMailer,
    SmtpMailer,
    build_mailer,
)
from inspraak.activities.storage import LocalDocumentStore
from inspraak.domain.documents import document_id, storage_key
from inspraak.settings import Settings
from tests.activities.conftest import SmtpSink, free_port

SENDER = "Woonstichting Voorbeeldhaven <inspraak@voorbeeldhaven.nl>"
KEY = storage_key(document_id("adv-2027-001", "adviesaanvraag"))
LETTER = b"PK\x03\x04 a word document"


def request(**changes: object) -> MailRequest:
    fields: dict[str, object] = {
        "message_id": "adv-2027-001.adviesaanvraag",
        "to": ["secretaris@hodelinde.nl", "voorzitter@hodelinde.nl"],
        "subject": "Adviesaanvraag: renovatie complex Zuidwijk – graag uw advies vóór 3 januari 2027",
        "body": "Geachte bestuursleden,\n\nBijgaand onze adviesaanvraag.\n\nMet vriendelijke groet,\nMarieke",
        "attachments": [MailAttachment(filename="Adviesaanvraag renovatie Zuidwijk", key=KEY)],
    }
    fields.update(changes)
    return MailRequest.model_validate(fields)


@pytest.fixture
async def store(local_store: LocalDocumentStore) -> LocalDocumentStore:
    await local_store.put(KEY, LETTER, content_type=DOCX_CONTENT_TYPE, metadata={"trajectory": "adv"})
    return local_store


def read_eml(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def only_attachment(message: EmailMessage) -> EmailMessage:
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    part = attachments[0]
    assert isinstance(part, EmailMessage)
    return part


# ---- outbox --------------------------------------------------------------------------------------


async def test_outbox_writes_a_parseable_eml_named_after_the_message_id(
    store: LocalDocumentStore, tmp_path: Path
) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), store, SENDER)

    result = await ActivityEnvironment().run(activities.send_mail, request())

    message = read_eml(tmp_path / "outbox" / "adv-2027-001.adviesaanvraag.eml")
    assert message["Subject"] == request().subject
    assert message["From"] == SENDER
    assert message["To"] == "secretaris@hodelinde.nl, voorzitter@hodelinde.nl"
    assert message["Message-ID"] == "<adv-2027-001.adviesaanvraag@voorbeeldhaven.nl>"
    assert message["Date"] is not None
    body = message.get_body(("plain",))
    assert body is not None and "Met vriendelijke groet" in body.get_content()
    assert result.message_id == "adv-2027-001.adviesaanvraag"
    assert result.recipients == ["secretaris@hodelinde.nl", "voorzitter@hodelinde.nl"]


async def test_outbox_eml_carries_the_document_as_a_docx_attachment(
    store: LocalDocumentStore, tmp_path: Path
) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), store, SENDER)

    await ActivityEnvironment().run(activities.send_mail, request())

    part = only_attachment(read_eml(tmp_path / "outbox" / "adv-2027-001.adviesaanvraag.eml"))
    assert part.get_content_type() == DOCX_CONTENT_TYPE
    assert part.get_filename() == "Adviesaanvraag renovatie Zuidwijk.docx"
    assert part.get_content() == LETTER


async def test_outbox_retry_overwrites_its_own_file(store: LocalDocumentStore, tmp_path: Path) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), store, SENDER)

    await ActivityEnvironment().run(activities.send_mail, request())
    await ActivityEnvironment().run(activities.send_mail, request())

    assert [p.name for p in (tmp_path / "outbox").iterdir()] == ["adv-2027-001.adviesaanvraag.eml"]


async def test_non_ascii_attachment_name_survives(store: LocalDocumentStore, tmp_path: Path) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), store, SENDER)
    req = request(attachments=[MailAttachment(filename="Reactie op advies – Zuidwijk.docx", key=KEY)])

    await ActivityEnvironment().run(activities.send_mail, req)

    part = only_attachment(read_eml(tmp_path / "outbox" / "adv-2027-001.adviesaanvraag.eml"))
    assert part.get_filename() == "Reactie op advies – Zuidwijk.docx"


# ---- SMTP ----------------------------------------------------------------------------------------


async def test_smtp_server_receives_the_message_with_its_attachment(
    store: LocalDocumentStore, smtp_server: SmtpSink
) -> None:
    activities = MailActivities(SmtpMailer(smtp_server.host, smtp_server.port), store, SENDER)

    await ActivityEnvironment().run(activities.send_mail, request())

    [received] = smtp_server.messages
    assert received.mail_from == "inspraak@voorbeeldhaven.nl"
    assert received.rcpt_tos == ["secretaris@hodelinde.nl", "voorzitter@hodelinde.nl"]
    assert received.message["Subject"] == request().subject
    part = only_attachment(received.message)
    assert part.get_content_type() == DOCX_CONTENT_TYPE
    assert part.get_filename() == "Adviesaanvraag renovatie Zuidwijk.docx"
    assert part.get_content() == LETTER


async def test_smtp_connection_error_propagates_for_temporal_to_retry(store: LocalDocumentStore) -> None:
    activities = MailActivities(SmtpMailer("127.0.0.1", free_port(), timeout=5), store, SENDER)

    with pytest.raises(MailNotSent) as raised:
        await ActivityEnvironment().run(activities.send_mail, request())
    assert isinstance(raised.value.__cause__, aiosmtplib.SMTPConnectError)


# ---- failures ------------------------------------------------------------------------------------


async def test_missing_attachment_fails_non_retryably_and_sends_nothing(
    local_store: LocalDocumentStore, tmp_path: Path
) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), local_store, SENDER)

    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(activities.send_mail, request())

    assert raised.value.non_retryable
    assert raised.value.type == "AttachmentNotFound"
    assert not (tmp_path / "outbox").exists()


@pytest.mark.parametrize("message_id", ["../escape", "a/b", "x@y", ""])
def test_message_id_that_is_no_plain_name_is_refused(message_id: str) -> None:
    with pytest.raises(ValidationError, match="message_id"):
        request(message_id=message_id)


def raw_headers(path: Path) -> bytes:
    return path.read_bytes().split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize("subject", ["Adviesaanvraag\r\nBcc: iedereen@example.org", "Advies\x0baanvraag",
                                     "Advies\u2028aanvraag", "Advies\x00aanvraag", "Advies\x85aanvraag\x07"])
async def test_a_subject_with_control_characters_becomes_one_safe_header_line(
    store: LocalDocumentStore, tmp_path: Path, subject: str
) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), store, SENDER)

    await ActivityEnvironment().run(activities.send_mail, request(subject=subject))

    path = tmp_path / "outbox" / "adv-2027-001.adviesaanvraag.eml"
    message = read_eml(path)
    assert message["Subject"].startswith("Advies") and "aanvraag" in message["Subject"]
    assert message["Bcc"] is None
    assert not any(ch in message["Subject"] for ch in "\r\n\x00\x0b\x07\x85\u2028")
    assert b"\x00" not in raw_headers(path)


async def test_an_attachment_name_with_control_characters_and_folders_is_made_safe(
    store: LocalDocumentStore, tmp_path: Path
) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), store, SENDER)
    req = request(attachments=[MailAttachment(filename="Brief\x00 a\r\nb/..\\c\u2028d", key=KEY)])

    await ActivityEnvironment().run(activities.send_mail, req)

    path = tmp_path / "outbox" / "adv-2027-001.adviesaanvraag.eml"
    name = only_attachment(read_eml(path)).get_filename()
    assert name is not None and name.endswith(".docx")
    assert not any(ch in name for ch in "\r\n\x00/\\\u2028")
    assert b"\x00" not in path.read_bytes()


async def test_a_body_with_a_nul_is_sent_without_it(store: LocalDocumentStore, tmp_path: Path) -> None:
    activities = MailActivities(OutboxMailer(tmp_path / "outbox"), store, SENDER)

    await ActivityEnvironment().run(activities.send_mail, request(body="Geachte\x00 bestuursleden,\r\nGroet"))

    body = read_eml(tmp_path / "outbox" / "adv-2027-001.adviesaanvraag.eml").get_body(("plain",))
    assert body is not None and body.get_content().startswith("Geachte bestuursleden,\r\nGroet")


def test_request_without_recipients_is_refused() -> None:
    with pytest.raises(ValidationError, match="to"):
        request(to=[])


# ---- choosing the mailer -------------------------------------------------------------------------


def test_build_mailer_defaults_to_the_outbox_folder(tmp_path: Path) -> None:
    mailer = build_mailer(Settings(data_dir=tmp_path))

    assert isinstance(mailer, OutboxMailer)
    assert mailer.folder == tmp_path / "outbox"


def test_build_mailer_chooses_smtp(tmp_path: Path) -> None:
    assert isinstance(build_mailer(Settings(data_dir=tmp_path, mail_backend="smtp")), SmtpMailer)
