"""FastAPI dependencies as ``Annotated`` aliases: settings, Temporal, storage, the caller."""

import asyncio
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    QueryWorkflowInput,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    WorkflowHandle,
    WorkflowUpdateHandle,
)

from inspraak.activities.storage import DocumentStore
from inspraak.domain.organisations import Directory
from inspraak.services.api.auth import InvalidTokenError, Principal, TokenVerifier
from inspraak.services.api.errors import Forbidden, Unauthorized, Unavailable
from inspraak.services.temporal_client import connect
from inspraak.settings import Settings


class RpcDeadlines(Interceptor):
    """A deadline on every call that waits for a worker or the server, so a request never hangs.

    A query that no worker answers (none is running) would otherwise wait for the server's own timeout
    (about 30 s) and end as a 500. With the deadline it fails fast with DEADLINE_EXCEEDED, which the API
    answers with a 503 and ``Retry-After``. For an update the deadline covers its acceptance by a worker;
    once accepted, its result is awaited as long as it takes (a letter waiting for the store, say).
    """

    def __init__(self, timeout: timedelta) -> None:
        self.timeout = timeout

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Deadlines(next, self.timeout)


class _Deadlines(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, timeout: timedelta) -> None:
        super().__init__(next)
        self._timeout = timeout

    async def query_workflow(self, input: QueryWorkflowInput) -> Any:
        input.rpc_timeout = input.rpc_timeout or self._timeout
        return await super().query_workflow(input)

    async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> WorkflowUpdateHandle[Any]:
        input.rpc_timeout = input.rpc_timeout or self._timeout
        return await super().start_workflow_update(input)

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        input.rpc_timeout = input.rpc_timeout or self._timeout
        return await super().start_workflow(input)


def with_deadlines(client: Client, timeout: timedelta) -> Client:
    """``client`` (same connection) with :class:`RpcDeadlines` added."""
    config = client.config()
    config["interceptors"] = [*config["interceptors"], RpcDeadlines(timeout)]
    return Client(**config)


class TemporalConnection:
    """Connects on first use, so the API starts (and answers 503) while Temporal is down.

    Every call the API makes has a deadline (``temporal_rpc_timeout_seconds``): see :class:`RpcDeadlines`.
    """

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self._settings = settings
        self._timeout = timedelta(seconds=settings.temporal_rpc_timeout_seconds)
        self._client = with_deadlines(client, self._timeout) if client is not None else None
        self._lock = asyncio.Lock()

    async def get(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    try:
                        self._client = with_deadlines(await connect(self._settings), self._timeout)
                    except Exception as e:  # the SDK raises RuntimeError for a failed connect
                        raise Unavailable(f"Temporal at {self._settings.temporal_address} is not reachable; "
                                          "nothing was changed. Try again shortly.") from e
        return self._client


# Dependencies are ``async def`` although they do not wait: FastAPI runs a plain ``def`` dependency in its
# thread pool, and four thread hops per request were most of what the API added to a Temporal call
# (bench/load_starts.py).


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_directory(request: Request) -> Directory:
    return request.app.state.directory


async def get_store(request: Request) -> DocumentStore:
    return request.app.state.store


async def get_client(request: Request) -> Client:
    return await request.app.state.temporal.get()


_bearer = HTTPBearer(auto_error=False, description="A JWT; `inspraak token` prints one for the embedded default")


async def get_principal(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer token is required (Authorization: Bearer <token>)")
    verifier: TokenVerifier = request.app.state.verifier
    settings: Settings = request.app.state.settings
    try:
        if settings.auth_mode == "jwks":  # may fetch the issuer's keys over HTTP: not on the event loop
            principal = await run_in_threadpool(verifier.verify, credentials.credentials)
        else:
            principal = verifier.verify(credentials.credentials)  # a local HMAC check takes microseconds
    except InvalidTokenError as e:
        raise Unauthorized(f"invalid token: {e}") from e
    request.state.principal = principal  # for the audit trail's record of a refused action
    return principal


async def get_staff(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not principal.is_staff:
        raise Forbidden("only corporation staff may do this")
    return principal


SettingsDep = Annotated[Settings, Depends(get_settings)]
DirectoryDep = Annotated[Directory, Depends(get_directory)]
StoreDep = Annotated[DocumentStore, Depends(get_store)]
TemporalClientDep = Annotated[Client, Depends(get_client)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
StaffPrincipal = Annotated[Principal, Depends(get_staff)]
