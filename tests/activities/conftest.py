"""Real servers on loopback for the activity tests: an S3 API (moto's server mode) and SMTP (aiosmtpd).

To reuse them elsewhere (workflow tests), import the fixtures into that folder's ``conftest.py``::

    from tests.activities.conftest import (  # noqa: F401
        local_store, moto_server, s3_bucket, s3_client, s3_store, smtp_server,
    )
"""

import logging
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from minio import Minio
from moto.server import ThreadedMotoServer

from inspraak.activities.storage import LocalDocumentStore
from inspraak.activities.storage_s3 import S3DocumentStore

S3_REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """An S3 API over HTTP on 127.0.0.1 for the whole session; yields its ``host:port`` endpoint."""
    # werkzeug logs every request at INFO; keep the test output readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_client(moto_server: str) -> Minio:
    """The real minio client, talking plain HTTP to the moto server."""
    return Minio(moto_server, access_key="testing", secret_key="testing", secure=False, region=S3_REGION)


@pytest.fixture
def s3_bucket() -> str:
    """A bucket name of this test's own, not yet created."""
    return f"inspraak-test-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def s3_store(s3_client: Minio, s3_bucket: str) -> S3DocumentStore:
    return S3DocumentStore(s3_client, s3_bucket)


@pytest.fixture
def local_store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpSink:
    """A running SMTP server; ``messages`` holds what it accepted, in order."""

    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # The client gets its 250 only after this returns, so a message is here once `send` returns.
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = message_from_bytes(content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listened on a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """An SMTP server on 127.0.0.1 (no TLS, no auth) for one test."""
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
