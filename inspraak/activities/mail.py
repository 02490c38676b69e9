"""Mail to tenant organisations and staff, with letters attached as Word documents.

Two mailers: a local outbox folder of ``.eml`` files (embedded default) and SMTP. The activity builds the
message and fetches the attachments from the document store; the workflow passes only storage keys.

Every mail goes out **at most once** per ``Message-ID`` (derived from the trajectory and the event, so a
retried activity has the same one). Before the mailer is called, the :class:`MailLedger` records the
message as ``sending``; as soon as the server has accepted it, as ``sent``. A retry that finds ``sent``
does nothing. One that finds ``sending`` knows an earlier attempt stopped halfway (a worker killed while
it sent, a connection that broke after the data went out): the server may or may not have the message,
and SMTP gives no way to ask. Sending it again could deliver it twice, so it is not sent again: the record
becomes ``uncertain`` and the activity fails with the non-retryable ``MailDeliveryUncertain``, on which the
trajectory asks its owner to check with the recipient. Only a failure the mailer knows left nothing behind
(:class:`MailNotSent`: no connection, the server said no) is retried, as many times as it takes.
"""

import asyncio
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Annotated, Literal, Protocol

import aiosmtplib
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import AfterValidator, BaseModel, EmailStr, Field, model_validator
from temporalio import activity
from temporalio.exceptions import ApplicationError

from inspraak.activities.register import load_register
from inspraak.activities.storage import DocumentStore, ObjectNotFoundError, write_atomically
from inspraak.domain.households import RegisterKey
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

    register_ref: RegisterKey  # key and sha256 only: a mail per household must not carry every unit id
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
    already_sent: bool = False  # an earlier attempt sent it; this one sent nothing


class MailNotSent(Exception):
    """The server certainly does not have the message (no connection, or it refused it): retrying is safe."""


# ---- the ledger: at most once per Message-ID --------------------------------------------------------

LedgerState = Literal["sending", "sent", "not_sent", "uncertain"]


class LedgerEntry(BaseModel):
    message_id: str
    state: LedgerState
    at: datetime
    attempt: int
    detail: str = ""


class MailLedger:
    """What happened to each message: ``<folder>/<message_id>.json``, written before and after sending.

    A folder rather than the object store, so that a mail about the store being down can still go out.
    Every worker must see the same folder (a shared volume, as for the outbox), since a retry may run on
    another worker.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def path(self, message_id: str) -> Path:
        if not _MESSAGE_ID.match(message_id):
            raise ValueError(f"invalid message id: {message_id!r}")
        return self._folder / f"{message_id}.json"

    def read(self, message_id: str) -> LedgerEntry | None:
        try:
            return LedgerEntry.model_validate_json(self.path(message_id).read_bytes())
        except FileNotFoundError:
            return None

    def record(self, entry: LedgerEntry) -> None:
        write_atomically(self.path(entry.message_id), entry.model_dump_json().encode())

    def claim(self, entry: LedgerEntry) -> bool:
        """Write ``entry`` only if the message has no record yet; False when another attempt got there first."""
        path = self.path(entry.message_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(entry.model_dump_json().encode())
            os.link(tmp, path)  # atomic, and fails when the file exists: exactly one attempt claims it
            return True
        except FileExistsError:
            return False
        finally:
            Path(tmp).unlink(missing_ok=True)


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
        try:
            await asyncio.to_thread(write_atomically, path, data)
        except OSError as e:  # the write is atomic: the file is all there or not there
            raise MailNotSent(f"could not write {path}: {e}") from e


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
        """Send ``message``, in a span of the current trace (with the server and the Message-ID, no address).

        Raises:
            MailNotSent: no connection, or the server answered no: it does not have the message.
            Exception: anything else (a connection that broke, a timeout while sending): the server may
                have the message.
        """
        attributes: dict[str, str | int] = {"server.address": self._host, "server.port": self._port,
                      "inspraak.mail.message_id": str(message["Message-ID"])}
        with trace.get_tracer(__name__).start_as_current_span(
                "smtp send", kind=SpanKind.CLIENT, attributes=attributes, record_exception=False,
                set_status_on_exception=False) as span:
            try:
                await self._send(message)
            except Exception as e:
                # The server's answer may name a recipient: the span keeps the kind of error, not its text.
                span.set_status(Status(StatusCode.ERROR, type(e).__name__))
                span.set_attribute("error.type", type(e).__name__)
                raise

    async def _send(self, message: EmailMessage) -> None:
        smtp = aiosmtplib.SMTP(hostname=self._host, port=self._port, username=self._username,
                               password=self._password, start_tls=self._starttls, timeout=self._timeout)
        try:
            await smtp.connect()  # connects, says EHLO, STARTTLS and logs in as configured
        except (aiosmtplib.SMTPException, OSError) as e:
            raise MailNotSent(f"SMTP server {self._host}:{self._port} not reachable: {e}") from e
        try:
            refused, _ = await smtp.send_message(message)
        except aiosmtplib.SMTPResponseException as e:
            # The server answered with an error code (sender, recipients or data refused): it kept nothing.
            raise MailNotSent(f"SMTP server refused the message: {e}") from e
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
        # aiosmtplib raises when every recipient is refused. When only some are, the others already
        # have the message: raising would make a retry send it to them twice.
        if refused:
            # The codes only: the answer may name an address of a household, which stays out of the log.
            logger.warning("SMTP server refused %d recipient(s) of %s with codes %s", len(refused),
                           message["Message-ID"], sorted({resp.code for resp in refused.values()}))


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

    def __init__(self, mailer: Mailer, store: DocumentStore, sender: str, ledger: MailLedger | None = None) -> None:
        """``ledger`` None sends at least once (for a mailer that overwrites its own message, the outbox)."""
        self._mailer = mailer
        self._store = store
        self._sender = sender
        self._ledger = ledger

    @activity.defn(name="send_mail")
    async def send_mail(self, req: MailRequest) -> MailResult:
        """Send the message once; a retry after it was sent does nothing (see the module's docstring).

        Raises:
            ApplicationError: non-retryable ``AttachmentNotFound`` or ``MailDeliveryUncertain``.
            Exception: the store or the mail server is down: retried by the workflow's policy.
        """
        # A household's address is read from the register here: it stays out of the history and the log.
        recipients = [str(addr) for addr in req.to] or (
            [f"household {req.household.unit_id}"] if req.household is not None else [])
        ledger = self._ledger
        earlier = await asyncio.to_thread(ledger.read, req.message_id) if ledger else None
        if earlier is not None and earlier.state == "sent":
            activity.logger.info("mail %s was sent by an earlier attempt; not again", req.message_id)
            return MailResult(message_id=req.message_id, recipients=recipients, already_sent=True)
        if earlier is not None and earlier.state in ("sending", "uncertain"):
            raise await self._uncertain(earlier, "an earlier attempt stopped while sending")
        message = await self._message(req)
        if ledger is None:
            await self._mailer.send(message)
        else:
            await self._send_recorded(ledger, req.message_id, message, first=earlier is None)
        # How many, not who: addresses of tenants stay out of the log.
        activity.logger.info("mail %s sent to %d recipient(s)", req.message_id, len(recipients))
        return MailResult(message_id=req.message_id, recipients=recipients)

    async def _send_recorded(self, ledger: MailLedger, message_id: str, message: EmailMessage, first: bool) -> None:
        def entry(state: LedgerState, detail: str = "") -> LedgerEntry:
            return LedgerEntry(message_id=message_id, state=state, at=datetime.now(UTC),
                               attempt=activity.info().attempt, detail=detail)

        sending = entry("sending")
        if first:
            if not await asyncio.to_thread(ledger.claim, sending):
                # Another attempt is sending it right now (or just did): the next retry reads what it recorded.
                raise RuntimeError(f"mail {message_id} is being sent by another attempt")
        else:  # an earlier attempt recorded not_sent
            await asyncio.to_thread(ledger.record, sending)
        try:
            await self._mailer.send(message)
        except MailNotSent as e:
            await asyncio.to_thread(ledger.record, entry("not_sent", str(e)))
            raise
        except BaseException as e:  # a broken connection, a timeout, the worker shutting down
            uncertain = await self._uncertain(entry("sending"), f"sending stopped halfway: {e!r}")
            if not isinstance(e, Exception):  # cancelled: stay cancelled; the record says what happened
                raise
            raise uncertain from e
        try:
            await asyncio.to_thread(ledger.record, entry("sent"))
        except OSError:
            # It went out; completing the activity is what stops a resend. A retry that finds `sending`
            # (only if this completion is lost too) asks staff to check rather than send it twice.
            logger.exception("mail %s was sent but could not be recorded as sent", message_id)

    async def _uncertain(self, entry: LedgerEntry, why: str) -> ApplicationError:
        """Record ``entry``'s message as uncertain; the error that says so, for the caller to raise."""
        assert self._ledger is not None
        if entry.state != "uncertain":
            entry = entry.model_copy(update={"state": "uncertain", "detail": why, "at": datetime.now(UTC)})
            await asyncio.to_thread(self._ledger.record, entry)
        return ApplicationError(f"mail {entry.message_id} may or may not have been delivered ({why}); it is not sent "
                               "again", type="MailDeliveryUncertain", non_retryable=True)

    async def _message(self, req: MailRequest) -> EmailMessage:
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
        if req.household is not None:
            household = (await load_register(self._store, req.household.register_ref)).get(req.household.unit_id)
            if household is None or household.email is None:
                raise ApplicationError(f"unit {req.household.unit_id} has no e-mail address on the register",
                                       type="NoAddress", non_retryable=True)
            req = req.model_copy(update={"to": [household.email]})
        try:
            return build_message(req, self._sender, attachments)
        except ValueError as e:  # the email package refuses a header it cannot write: retrying cannot help
            raise ApplicationError(f"mail {req.message_id} cannot be built: {e}", type="InvalidMail",
                                   non_retryable=True) from e


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
