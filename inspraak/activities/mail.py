"""Mail to tenant organisations and staff, with letters attached as Word documents.

Two mailers: a local outbox folder of ``.eml`` files (embedded default) and SMTP. The activity builds the
message and fetches the attachments from the document store; the workflow passes only storage keys.

A retried activity sends the same message again with the same ``Message-ID``: the outbox overwrites its
own file, and mail clients recognise the duplicate.
"""

import asyncio
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Annotated, Protocol

import aiosmtplib
from pydantic import AfterValidator, BaseModel, EmailStr, Field, model_validator
from temporalio import activity
from temporalio.exceptions import ApplicationError

from inspraak.activities.register import load_register
from inspraak.activities.storage import DocumentStore, ObjectNotFoundError, write_atomically
from inspraak.domain.households import RegisterRef
from inspraak.domain.text import clean_multi_line, one_line_safe
from inspraak.settings import Settings

logger = logging.getLogger(__name__)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Becomes the left part of the Message-ID and the outbox file name: no path separators, no '@' or '<>'.
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


# Defence in depth: the API refuses control characters in one-line fields, but whatever reaches a header
# or a file name is made safe here too, so no input can break a message (or make it retry forever).
_FILE_NAME_UNSAFE = re.compile(r'[/\\<>:"|?*]')


def header_text(value: str) -> str:
    """One header line: every control character (CR, LF, NUL, VT, U+2028, ...) becomes a space, runs of
    white space one space."""
    return " ".join(one_line_safe(value).split())


def file_name(value: str) -> str:
    """A name a mail client saves without surprises: one line, no folders, no characters Windows refuses."""
    name = _FILE_NAME_UNSAFE.sub("-", header_text(value)).strip(" .-")
    return name or "document"


class MailAttachment(BaseModel):
    """A document to attach: its storage key, and the name the recipient sees (``.docx`` is added)."""

    filename: Annotated[str, AfterValidator(file_name)]
    key: str


class HouseholdAddressee(BaseModel):
    """A household as a mail's recipient: its e-mail address is read from the register in the store by the
    activity, so it never enters a workflow's history."""

    register_ref: RegisterRef
    unit_id: str


class MailRequest(BaseModel):
    """One message. ``message_id`` is stable across retries (e.g. ``<trajectory-id>.<step>``).

    Its recipients are ``to``, or one ``household`` of a register (then ``to`` stays empty).
    """

    message_id: Annotated[str, Field(pattern=_MESSAGE_ID.pattern)]
    to: list[EmailStr] = []
    household: HouseholdAddressee | None = None
    subject: Annotated[str, AfterValidator(header_text)]
    body: Annotated[str, AfterValidator(clean_multi_line)]
    attachments: list[MailAttachment] = []
    reply_to: EmailStr | None = None  # the staff member handling the trajectory

    @model_validator(mode="after")
    def _someone(self) -> "MailRequest":
        if bool(self.to) == (self.household is not None):
            raise ValueError("a mail goes to 'to' or to one 'household', exactly one of them")
        return self


class MailResult(BaseModel):
    message_id: str
    recipients: list[str]


class Mailer(Protocol):
    """Delivers a finished message."""

    async def send(self, message: EmailMessage) -> None:
        ...


class OutboxMailer:
    """Writes each message to ``<folder>/<message_id>.eml``; sending it again overwrites the file."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    @property
    def folder(self) -> Path:
        return self._folder

    def path_for(self, message: EmailMessage) -> Path:
        """The file a message is written to, named after the left part of its ``Message-ID``."""
        msgid = str(message.get("Message-ID", "")).strip().removeprefix("<").removesuffix(">")
        local = msgid.rsplit("@", 1)[0]
        if not _MESSAGE_ID.match(local):
            raise ValueError(f"message has no usable Message-ID: {msgid!r}")
        return self._folder / f"{local}.eml"

    async def send(self, message: EmailMessage) -> None:
        path = self.path_for(message)
        # CRLF line ends, as on the wire and as .eml files are read by mail clients.
        data = message.as_bytes(policy=SMTP)
        await asyncio.to_thread(write_atomically, path, data)


class SmtpMailer:
    """Sends through an SMTP server (aiosmtplib). Errors propagate, so Temporal retries the activity."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30,
    ) -> None:
        self._host = host
        self._port = port
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        refused, _ = await aiosmtplib.send(
            message,
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            start_tls=self._starttls,
            timeout=self._timeout,
        )
        # aiosmtplib raises when every recipient is refused. When only some are, the others already
        # have the message: raising would make a retry send it to them twice.
        if refused:
            logger.warning("SMTP server refused recipients of %s: %s", message["Message-ID"],
                           {addr: str(resp) for addr, resp in refused.items()})


def _domain_of(sender: str) -> str:
    addresses = getaddresses([sender])
    addr = addresses[0][1] if addresses else ""
    domain = addr.rpartition("@")[2]
    return domain or "inspraak.invalid"


def build_message(
    req: MailRequest, sender: str, attachments: Sequence[tuple[str, bytes]], *, now: datetime | None = None
) -> EmailMessage:
    """The message for ``req`` from ``sender``, with ``attachments`` as ``(filename, bytes)`` pairs."""
    msg = EmailMessage()
    msg["From"] = header_text(sender)
    msg["To"] = ", ".join(str(addr) for addr in req.to)
    msg["Subject"] = req.subject
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = f"<{req.message_id}@{_domain_of(sender)}>"
    if req.reply_to:
        msg["Reply-To"] = str(req.reply_to)
    msg.set_content(req.body, charset="utf-8", cte="quoted-printable")
    for filename, data in attachments:
        maintype, subtype = DOCX_CONTENT_TYPE.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def _docx_name(filename: str) -> str:
    return filename if filename.lower().endswith(".docx") else f"{filename}.docx"


class MailActivities:
    """Sends mail with documents from the store attached."""

    def __init__(self, mailer: Mailer, store: DocumentStore, sender: str) -> None:
        self._mailer = mailer
        self._store = store
        self._sender = sender

    @activity.defn(name="send_mail")
    async def send_mail(self, req: MailRequest) -> MailResult:
        attachments: list[tuple[str, bytes]] = []
        for att in req.attachments:
            try:
                data = await self._store.get(att.key)
            except ObjectNotFoundError as e:
                # The workflow passed a key that was never stored: retrying cannot make it appear.
                raise ApplicationError(
                    f"attachment {att.filename!r} not found in storage: {att.key}",
                    type="AttachmentNotFound",
                    non_retryable=True,
                ) from e
            attachments.append((_docx_name(att.filename), data))
        shown: list[str] = [str(addr) for addr in req.to]
        if req.household is not None:
            household = (await load_register(self._store, req.household.register_ref)).get(req.household.unit_id)
            if household is None or household.email is None:
                raise ApplicationError(f"unit {req.household.unit_id} has no e-mail address on the register",
                                       type="NoAddress", non_retryable=True)
            req = req.model_copy(update={"to": [household.email]})
            shown = [f"household {household.unit_id}"]  # the address stays out of the history and the log
        try:
            message = build_message(req, self._sender, attachments)
        except ValueError as e:  # the email package refuses a header it cannot write: retrying cannot help
            raise ApplicationError(f"mail {req.message_id} cannot be built: {e}", type="InvalidMail",
                                   non_retryable=True) from e
        await self._mailer.send(message)
        activity.logger.info("mail %s sent to %s", req.message_id, ", ".join(shown))
        return MailResult(message_id=req.message_id, recipients=shown)


def build_mailer(settings: Settings) -> Mailer:
    """The mailer the settings choose: the local outbox folder (embedded default) or SMTP."""
    if settings.mail_backend == "smtp":
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )
    return OutboxMailer(settings.mail_outbox_dir)
