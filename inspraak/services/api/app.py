"""The FastAPI application, built from settings by ``create_app`` (never at import time)."""

from fastapi import FastAPI
from temporalio.client import Client

from inspraak.activities.storage import DocumentStore, build_store
from inspraak.domain.organisations import Directory
from inspraak.services import portal, telemetry
from inspraak.services.api import docs, errors, openapi
from inspraak.services.api.api import API_VERSION, PREFIX, api_router
from inspraak.services.api.auth import TokenVerifier
from inspraak.services.api.deps import TemporalConnection
from inspraak.services.api.middleware import ApiVersion, BodySizeLimit, CorrelationId
from inspraak.services.api.routes import audit
from inspraak.services.directory import load_directory
from inspraak.settings import Settings

DESCRIPTION = """
Inspraak runs the trajectories of tenant participation (huurdersparticipatie): advice and consent
requests under the Wet op het overleg huurders verhuurder, with their statutory terms, letters and
documents. Authenticate with a bearer token (`inspraak token` prints one for the embedded default).
Errors are `application/problem+json` (RFC 9457); invalid input is a `400` whose `invalidParams` lists
every invalid field with its JSON path (`name`), a stable rule code (`code`) and the rule in plain words
(`reason`). Every response carries `API-Version`, the API's full version; the paths here are relative to
the server's `/v1`.
"""


def create_app(settings: Settings, *, client: Client | None = None, directory: Directory | None = None,
               store: DocumentStore | None = None) -> FastAPI:
    """The API. Tests hand in their own Temporal client, directory or store; otherwise settings decide.

    Raises:
        UnsafeSettingsError: production settings with a development secret.
        DirectoryError: the organisations file is missing or wrong (the message names each field).
    """
    settings.check_production()
    telemetry.setup_tracing(settings, "api")
    # /docs comes from docs.install (no CDN); ReDoc only loads from a CDN, so it is off; the document
    # from openapi.install (at /v1/openapi.json). A trailing slash is a 404, never a redirect (ADR 2.2).
    app = FastAPI(title="Inspraak", version=API_VERSION, description=DESCRIPTION, docs_url=None, redoc_url=None,
                  openapi_url=None, redirect_slashes=False)
    app.state.settings = settings
    app.state.directory = directory or load_directory(settings.organisations_file)
    app.state.store = store or build_store(settings)
    app.state.verifier = TokenVerifier(settings)
    app.state.temporal = TemporalConnection(settings, client)
    errors.install(app)
    audit.install(app)  # refused actions into the audit trail, answered as errors.install answers them
    # Added last is outermost: the correlation id is set before a body is refused, and with the version on
    # every answer.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, upload_bytes=settings.max_upload_bytes,
                       file_forms=portal.FILE_FORMS, too_large_page=portal.too_large_page())
    app.add_middleware(CorrelationId)
    app.add_middleware(ApiVersion, version=API_VERSION)
    openapi.install(app, prefix=PREFIX, settings=settings)
    docs.install(app, openapi_url=openapi.document_url(PREFIX))
    app.include_router(api_router)
    portal.install(app)  # the pages under /portaal (docs/portal.md)
    telemetry.instrument_app(app)
    return app
