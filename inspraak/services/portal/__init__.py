"""The portal: server-rendered pages for tenant organisations and staff, in the API's own app (docs/portal.md).

Mounted under ``/portaal`` beside the API's ``/v1``; it reads trajectories and documents through the API's
helpers, so who may see what is decided in one place.
"""

import re

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from inspraak.services.portal import (
    action_forms,
    advice_form,
    agenda,
    household,
    login,
    oidc,
    overview,
    pages,
    web,
)
from inspraak.services.portal.sessions import Sessions

# Forms that carry a file: the body limit is the upload limit plus the usual one (api.middleware.BodySizeLimit).
FILE_FORMS = re.compile(rf"^{web.PREFIX}/trajecten/[a-z0-9-]{{1,90}}/advies$")


def too_large_page() -> bytes:
    """What a person sees when a form's body is over the limit, before anything could read it."""
    return (web.HERE / "templates" / "too_large.html").read_bytes()


def install(app: FastAPI) -> None:
    """Mount the portal on ``app`` (after its settings and store are set)."""
    app.state.portal_sessions = Sessions(app.state.settings, app.state.store)
    app.state.portal_oidc = oidc.Provider(app.state.settings)
    app.state.portal_link_limiter = login.LinkLimiter(app.state.settings.portal_login_links_per_hour)
    app.state.problem_page = web.problem_page  # errors on a portal page: a Dutch page, not problem+json
    app.add_middleware(web.SecurityHeaders, form_action=oidc.origin(app.state.settings))
    app.mount(f"{web.PREFIX}/static", StaticFiles(directory=web.HERE / "static"), name="portal-static")
    app.include_router(login.router, prefix=web.PREFIX)
    app.include_router(pages.router, prefix=web.PREFIX)
    app.include_router(advice_form.router, prefix=web.PREFIX)
    app.include_router(action_forms.router, prefix=web.PREFIX)
    app.include_router(oidc.router, prefix=web.PREFIX)
    app.include_router(agenda.router, prefix=web.PREFIX)
    app.include_router(overview.router, prefix=web.PREFIX)
    app.include_router(household.router, prefix=web.PREFIX)

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse(web.PREFIX, status_code=303)

    @app.exception_handler(web.LoginRequired)
    async def login_required(request: Request, exc: web.LoginRequired) -> Response:
        return web.redirect(f"{web.PREFIX}/inloggen")

    @app.exception_handler(web.PageProblem)
    async def page_problem(request: Request, exc: web.PageProblem) -> HTMLResponse:
        session = await web.current_session(request)
        return web.render(request, "problem.html", {"title": exc.title, "text": exc.text}, session=session,
                          status=exc.status)
