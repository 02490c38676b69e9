"""Servers the fault tests stop and start again while a trajectory runs: an S3 API (moto) and SMTP (aiosmtpd).

Each keeps its port across restarts, so the worker's settings stay right; moto keeps its objects in the
process, so a restarted store still has what was put before.
"""

import logging
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from moto.server import ThreadedMotoServer

from tests.activities.conftest import SmtpSink, free_port


class RestartableStore:
    """moto's S3 server on a fixed loopback port, which can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"127.0.0.1:{self.port}"
        self._server: ThreadedMotoServer | None = None

    def start(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


class RestartableSmtp:
    """An SMTP server on a fixed loopback port; ``sink.messages`` holds every delivery across restarts."""

    def __init__(self) -> None:
        self.sink = SmtpSink(host="127.0.0.1", port=free_port())
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.sink, hostname=self.sink.host, port=self.sink.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def store_server() -> Iterator[RestartableStore]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = RestartableStore()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp() -> Iterator[RestartableSmtp]:
    server = RestartableSmtp()
    server.start()
    try:
        yield server
    finally:
        server.stop()
