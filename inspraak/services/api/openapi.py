"""The OpenAPI document as the NL API Design Rules 2.2 ask, served at ``/v1/openapi.json`` to anyone.

FastAPI's own document is shaped once, when first asked for: problems under their own media type
(``errors.tidy_openapi``); a ``servers`` entry that carries the major version (``https://…/v1``), with
every path relative to it; the ``API-Version`` header on every response; a contact; nullable dates
written so that their ``format`` is seen. It is served by a route of its own, not FastAPI's: no token,
readable from any origin, and no server entry made up from a proxy's ``root_path``.
"""

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from inspraak.services.api.errors import tidy_openapi
from inspraak.settings import Settings

VERSION_HEADER = "API-Version"


def document_url(prefix: str) -> str:
    """Where the document of the API under ``prefix`` (``/v1``) is served."""
    return f"{prefix}/openapi.json"


def _nullable_with_format(schema: dict[str, Any]) -> None:
    """``anyOf: [{type: string, format: date}, {type: null}]`` as one schema with ``type: [string, null]``.

    The same JSON Schema, but a reader (and the ADR linter) sees the ``format`` on the property itself.
    """
    options = schema.get("anyOf", [])
    if len(options) != 2 or {"type": "null"} not in options:
        return
    (value,) = [o for o in options if o != {"type": "null"}]
    if "format" not in value or not isinstance(value.get("type"), str):
        return
    del schema["anyOf"]
    schema.update({**value, "type": [value["type"], "null"]})


def shape(schema: dict[str, Any], *, prefix: str, settings: Settings) -> dict[str, Any]:
    """FastAPI's document made to follow the design rules (a new dict; ``schema`` is left alone)."""
    schema = tidy_openapi(copy.deepcopy(schema))
    paths = {}
    for path, operations in schema.get("paths", {}).items():
        # A route outside the versioned API belongs out of its document (include_in_schema=False).
        if not path.startswith(prefix + "/"):
            raise ValueError(f"{path} is outside {prefix} and cannot be in its document")
        paths[path.removeprefix(prefix)] = operations
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {})[VERSION_HEADER] = {
                    "$ref": f"#/components/headers/{VERSION_HEADER}"}
    schema["paths"] = paths
    schema["servers"] = [{"url": settings.api_public_url.rstrip("/") + prefix}]
    schema["info"]["contact"] = {"name": settings.api_contact_name, "email": settings.api_contact_email,
                                 "url": settings.api_contact_url}
    components = schema.setdefault("components", {})
    components.setdefault("headers", {})[VERSION_HEADER] = {
        "description": "The full version of the API that answered (semantic versioning); sent on every response",
        "schema": {"type": "string", "example": schema["info"]["version"]},
    }
    for model in components.get("schemas", {}).values():
        for prop in model.get("properties", {}).values():
            _nullable_with_format(prop)
    return schema


def install(app: FastAPI, *, prefix: str, settings: Settings) -> None:
    """The document as ``app.openapi()`` and at ``document_url(prefix)``; build the app with ``openapi_url=None``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = shape(FastAPI.openapi(app), prefix=prefix, settings=settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(document_url(prefix), include_in_schema=False)
    async def document() -> JSONResponse:
        # Published for anyone, from any origin (ADR /core/publish-openapi): no token, CORS open.
        return JSONResponse(app.openapi(), headers={"Access-Control-Allow-Origin": "*"})
