"""ASGI middleware: the API's version and a correlation id on every response, and a bound on request bodies.

Pure ASGI (not ``BaseHTTPMiddleware``), so a body is counted as it arrives and a too-large one is
refused before anything parses it, with or without a ``Content-Length`` (chunked transfer encoding).
"""

import json
import re
import uuid
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inspraak.services.api.errors import CORRELATION_HEADER, PROBLEM, PayloadTooLarge
from inspraak.services.api.openapi import VERSION_HEADER

# An id the caller sends along is kept when it is plain (a proxy's or gateway's request id); otherwise ours.
_INCOMING = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


# The request's correlation id, for what runs inside the request (an action's actor carries it to the audit trail).
CORRELATION_ID: ContextVar[str] = ContextVar("correlation_id", default="")


def _state(scope: Scope) -> MutableMapping[str, Any]:
    return scope.setdefault("state", {})


class ApiVersion:
    """Sends ``API-Version: <the full version>`` on every response, problems and refusals included."""

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
        self.header = (VERSION_HEADER.lower().encode(), version.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != self.header[0]]
                message = {**message, "headers": [*headers, self.header]}
            await send(message)

        await self.app(scope, receive, send_with_version)


class CorrelationId:
    """Gives every request an id (``request.state.correlation_id``) and every response an X-Correlation-Id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(CORRELATION_HEADER.lower().encode(), b"").decode("latin-1")
        cid = incoming if _INCOMING.match(incoming) else uuid.uuid4().hex
        _state(scope)["correlation_id"] = cid
        CORRELATION_ID.set(cid)
        header = (CORRELATION_HEADER.lower().encode(), cid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != header[0]]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        await self.app(scope, receive, send_with_id)


FILE_PATHS = ("/uploads", "/plans")


class BodySizeLimit:
    """Refuses a request body over ``max_bytes`` with a 413 problem before the application reads it.

    The body is read here (at most ``max_bytes`` of it) and handed on whole: every route of this API
    takes a small JSON body, so nothing streams, except a file handed in (a path ending in one of
    :data:`FILE_PATHS`: an advice request's upload, a renovation's plan), which may be up to ``upload_bytes``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None,
                 file_forms: re.Pattern[str] | None = None, too_large_page: bytes = b"") -> None:
        """``file_forms``: paths of portal forms that carry a file and text, allowed both limits together;
        over it they get ``too_large_page`` (HTML) instead of a problem."""
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes or max_bytes
        self.file_forms = file_forms
        self.too_large_page = too_large_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        form = self.file_forms is not None and self.file_forms.match(path) is not None
        limit = self.upload_bytes if path.endswith(FILE_PATHS) else self.max_bytes
        if form:
            limit = self.upload_bytes + self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit, form)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, send, limit, form)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        handed_on = False

        async def replay() -> Message:
            nonlocal handed_on
            if not handed_on:
                handed_on = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, limit: int, form: bool = False) -> None:
        cid = _state(scope).get("correlation_id")
        problem = PayloadTooLarge(f"the request body is larger than {limit} bytes; nothing was read "
                                  "or changed").document(scope.get("path", ""), cid)
        body = json.dumps(problem.model_dump(mode="json", exclude_none=True)).encode()
        content_type = PROBLEM.encode()
        if form and self.too_large_page:
            body, content_type = self.too_large_page, b"text/html; charset=utf-8"
        # The body was not read to its end: the connection closes after this answer.
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
