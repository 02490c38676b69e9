"""``/docs``: Swagger UI served from the ``swagger-ui-bundle-v2`` package, never from a CDN.

A corporation's network may block CDNs, and FastAPI's own ``/docs`` loads its scripts, styles and icon
from one; ReDoc (CDN only) is switched off in ``create_app``.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS = "/docs"
ASSETS = "/docs/assets"


def install(app: FastAPI, *, openapi_url: str) -> None:
    """Mount the assets and the page for the document at ``openapi_url``; build the app with ``docs_url=None``."""
    app.mount(ASSETS, StaticFiles(directory=Path(str(swagger_ui_path))), name="swagger-ui")

    @app.get(DOCS, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # Behind a proxy that strips a prefix, every URL on the page needs it back (as FastAPI's own does).
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
        )
