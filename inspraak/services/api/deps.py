"""FastAPI dependencies as ``Annotated`` aliases: settings, Temporal, storage, the caller."""

import asyncio
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import Client

from inspraak.activities.storage import DocumentStore
from inspraak.domain.organisations import Directory
from inspraak.services.api.auth import InvalidTokenError, Principal, TokenVerifier
from inspraak.services.api.errors import Forbidden, Unauthorized, Unavailable
from inspraak.services.temporal_client import connect
from inspraak.settings import Settings


class TemporalConnection:
    """Connects on first use, so the API starts (and answers 503) while Temporal is down."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self._settings = settings
        self._client = client
        self._lock = asyncio.Lock()

    async def get(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    try:
                        self._client = await connect(self._settings)
                    except Exception as e:  # the SDK raises RuntimeError for a failed connect
                        raise Unavailable(f"Temporal at {self._settings.temporal_address} is not reachable; "
                                          "nothing was changed. Try again shortly.") from e
        return self._client


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_directory(request: Request) -> Directory:
    return request.app.state.directory


def get_store(request: Request) -> DocumentStore:
    return request.app.state.store


async def get_client(request: Request) -> Client:
    return await request.app.state.temporal.get()


_bearer = HTTPBearer(auto_error=False, description="A JWT; `inspraak token` prints one for the embedded default")


def get_principal(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer token is required (Authorization: Bearer <token>)")
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return verifier.verify(credentials.credentials)
    except InvalidTokenError as e:
        raise Unauthorized(f"invalid token: {e}") from e


def get_staff(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not principal.is_staff:
        raise Forbidden("only corporation staff may do this")
    return principal


SettingsDep = Annotated[Settings, Depends(get_settings)]
DirectoryDep = Annotated[Directory, Depends(get_directory)]
StoreDep = Annotated[DocumentStore, Depends(get_store)]
TemporalClientDep = Annotated[Client, Depends(get_client)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
StaffPrincipal = Annotated[Principal, Depends(get_staff)]
