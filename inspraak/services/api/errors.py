"""One error shape for the whole API: application/problem+json (RFC 9457).

Routes raise the exceptions below (or let Temporal's through); the handlers here turn them into
problems. A 422 names the field and the rule; a 409 says why the state refuses the action.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

PROBLEM = "application/problem+json"


class Problem(Exception):
    """An error with its HTTP status, for the handlers to render."""

    status = 500
    slug = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, slug, title = 409, "transition-refused", "Action not allowed in this state"


class InvalidInput(Problem):
    status, slug, title = 422, "invalid-input", "Invalid input"

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "rule": rule, "message": message}])


class Unavailable(Problem):
    status, slug, title = 503, "temporal-unavailable", "Workflow service unavailable"


def problem_response(status: int, slug: str, title: str, detail: str, instance: str,
                     errors: list[dict[str, str]] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
                            "instance": instance}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def problem_from_temporal(exc: Exception) -> Problem | None:
    """Map what Temporal raised to a problem, or None when it is not one we know."""
    if isinstance(exc, WorkflowUpdateFailedError):
        cause: BaseException | None = exc.cause
        while cause is not None and not isinstance(cause, ApplicationError):
            cause = cause.__cause__
        if isinstance(cause, ApplicationError):
            if cause.type == "TransitionRefused":
                return Conflict(cause.message)
            if cause.type in ("InvalidInput", "TermTooShort"):
                field = str(cause.details[0]) if cause.details else "body"
                return InvalidInput(field, cause.type, cause.message)
        return None
    if isinstance(exc, RPCError):
        if exc.status == RPCStatusCode.NOT_FOUND:
            return NotFound("no such trajectory")
        if exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            return Unavailable("Temporal is not reachable; nothing was changed. Try again shortly.")
    return None


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.slug, exc.title, exc.detail, request.url.path, exc.errors,
                                exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(e.get("loc", ()))), "rule": e.get("type", "invalid"),
                   "message": e.get("msg", "")} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "invalid-input", "Invalid input", detail, request.url.path, errors)

    @app.exception_handler(WorkflowUpdateFailedError)
    @app.exception_handler(RPCError)
    async def _temporal(request: Request, exc: Exception) -> JSONResponse:
        problem = problem_from_temporal(exc) or Problem(f"the workflow failed: {exc}")
        return problem_response(problem.status, problem.slug, problem.title, problem.detail, request.url.path,
                                problem.errors)
