"""One error shape for the whole API: application/problem+json (RFC 9457).

Routes raise the exceptions below (or let Temporal's through); the handlers here turn them into
problems. Invalid input is a 400 that lists every invalid field in ``invalidParams`` (JSON path, stable
rule code, reason), as the NL API Design Rules 2.2 ask; a 409 says why the state refuses the action.
"""

import logging
import re
import typing
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic_core.core_schema import ErrorType
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from inspraak.activities.storage import StoreUnavailableError

PROBLEM = "application/problem+json"
CORRELATION_HEADER = "X-Correlation-Id"

logger = logging.getLogger(__name__)

# The name of an invalid parameter when it is the request body as a whole (malformed JSON, not an object).
ROOT = "$"

# ---- the document --------------------------------------------------------------------------------


class InvalidParam(BaseModel):
    """One invalid field: where, which rule, why."""

    name: str = Field(description="the field as a JSON path, e.g. `points[0].motivation`; `$` for the whole body",
                      examples=["points[0].motivation"])
    code: str = Field(description="a stable rule code, e.g. `required`, `max_length`, `term_too_short`",
                      examples=["motivation_required"])
    reason: str = Field(description="the rule in plain words", examples=["a motivation is required when ..."])


class Problem(BaseModel):
    """An error (RFC 9457, with the NL API Design Rules' ``invalidParams`` for invalid input)."""

    type: str = Field(examples=["/problems/invalid-input"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[400])
    detail: str
    instance: str = Field(description="the path of the request that failed")
    # camelCase as the NL API Design Rules name it; the one member not in snake_case.
    invalidParams: list[InvalidParam] | None = Field(default=None, description="400 only: every invalid field")
    state: str | None = Field(default=None, description="409 only: the state that refused the action")
    correlationId: str | None = Field(default=None, description="the id of the request, also in the "
                                      "X-Correlation-Id header and in the server's log; quote it when you report "
                                      "a problem", examples=["5f0c2a9e8b7d4c1fa0e3b6d9c8a7f1e2"])


# ---- what routes raise ---------------------------------------------------------------------------


class ApiProblem(Exception):
    """An error with its HTTP status, for the handlers to render."""

    status = 500
    slug = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str, *, invalid_params: Sequence[InvalidParam] = (), state: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.invalid_params = list(invalid_params)
        self.state = state
        self.headers = headers

    def document(self, instance: str, correlation_id: str | None = None) -> Problem:
        return Problem(type=f"/problems/{self.slug}", title=self.title, status=self.status, detail=self.detail,
                       instance=instance, invalidParams=self.invalid_params or None, state=self.state,
                       correlationId=correlation_id)


class Unauthorized(ApiProblem):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiProblem):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(ApiProblem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ApiProblem):
    status, slug, title = 409, "transition-refused", "Action not allowed in this state"


class InvalidInput(ApiProblem):
    """A 400 that lists every invalid field; ``InvalidInput.field`` for just one."""

    status, slug, title = 400, "invalid-input", "Invalid input"

    def __init__(self, *params: InvalidParam) -> None:
        super().__init__("; ".join(f"{p.name}: {p.reason}" for p in params), invalid_params=params)

    @classmethod
    def field(cls, name: str, code: str, reason: str) -> "InvalidInput":
        return cls(InvalidParam(name=name, code=code, reason=reason))


class AlreadyExists(ApiProblem):
    """A start that would make a trajectory whose id is taken, or an Idempotency-Key used for another body."""

    status, slug, title = 409, "conflict", "Conflicts with an existing trajectory"


class TooManyTries(ApiProblem):
    """Too many wrong reply codes from one address are still waiting: a 429, before this code is even checked."""

    status, slug, title = 429, "too-many-tries", "Too many tries"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class PayloadTooLarge(ApiProblem):
    status, slug, title = 413, "payload-too-large", "Request body too large"


# How long a client should wait before it tries again after a 503 (Retry-After, in seconds).
RETRY_AFTER_SECONDS = 5


class Unavailable(ApiProblem):
    """Temporal cannot be reached, or no worker answered in time: a 503 with ``Retry-After``."""

    status, slug, title = 503, "temporal-unavailable", "Workflow service unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class StoreUnavailable(Unavailable):
    status, slug, title = 503, "document-store-unavailable", "Document store unavailable"


# What a 503 says about an action: a read changed nothing; an update that timed out may still be carried
# out (Temporal keeps an update it admitted for a while and applies it when a worker returns).
NOT_CHANGED = "nothing was changed. Try again shortly."
MAYBE_CHANGED = ("the action may still be carried out when it recovers: read the trajectory before you send it "
                 "again.")


class HttpProblem(ApiProblem):
    """What Starlette itself refuses (no such path, a method the path has not): the same shape."""

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail, headers=dict(headers) if headers else None)
        phrase = HTTPStatus(status).phrase
        self.status, self.slug, self.title = status, phrase.lower().replace(" ", "-"), phrase


# ---- the OpenAPI document ------------------------------------------------------------------------

_DESCRIPTIONS = {
    400: "Invalid input: `invalidParams` lists every invalid field",
    401: "No valid bearer token",
    403: "Not allowed for your role",
    404: "Not found, or not yours to see",
    409: "The trajectory's state does not allow this action (`state` names it), or a start conflicts with an "
         "existing trajectory (an Idempotency-Key used before for another body)",
    413: "The request body is larger than the API accepts (INSPRAAK_MAX_BODY_BYTES)",
    429: "Too many wrong reply codes from this address are still waiting for their answer; `Retry-After` says when "
         "to try again",
    500: "An unexpected error; `correlationId` identifies it in the server's log",
    503: "Temporal, its workers or the document store are not reachable; `Retry-After` says when to try again",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a router whose routes can answer with these problems."""
    return {s: {"model": Problem, "description": _DESCRIPTIONS[s]} for s in statuses}


def tidy_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Problems under their own media type, and no 422s: invalid input is a 400 here (ADR 2.2).

    FastAPI documents a response model under the route's media type (application/json) and adds a 422
    to every route with parameters by itself; both are put right here, once for the whole document.
    """
    ref = "#/components/schemas/Problem"
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            responses.pop("422", None)
            for status, response in responses.items():
                content = response.get("content", {})
                if status[0] in "45" and content.get("application/json", {}).get("schema", {}).get("$ref") == ref:
                    content[PROBLEM] = content.pop("application/json")
    schemas = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return schema


# ---- pydantic's errors as stable rule codes -------------------------------------------------------

# One table: pydantic's error types are an implementation detail and may change between versions; these
# codes are part of the API. A type not in the table is reported as ``invalid``.
RULE_CODES: dict[str, str] = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_items",
    "too_long": "max_items",
    "string_pattern_mismatch": "pattern",
    "enum": "enum",
    "literal_error": "enum",
    "greater_than": "minimum",
    "greater_than_equal": "minimum",
    "less_than": "maximum",
    "less_than_equal": "maximum",
    "multiple_of": "multiple_of",
    "string_type": "string",
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "list_type": "array",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "datetime_type": "date_time",
    "datetime_parsing": "date_time",
    "datetime_from_date_parsing": "date_time",
    "datetime_object_invalid": "date_time",
    "timezone_naive": "timezone",
    "timezone_aware": "timezone",
    "date_past": "past",
    "datetime_past": "past",
    "date_future": "future",
    "datetime_future": "future",
    "url_type": "url",
    "url_parsing": "url",
    "url_scheme": "url",
    "url_too_long": "max_length",
    "uuid_type": "uuid",
    "uuid_parsing": "uuid",
    "json_invalid": "malformed_json",
}

_PYDANTIC_TYPES = frozenset(typing.get_args(ErrorType))
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SOURCES = ("body", "query", "path", "header", "cookie")


def rule_code(error_type: str) -> str:
    """Pydantic's type mapped to our code; a ``PydanticCustomError`` of our own keeps its type."""
    if error_type in RULE_CODES:
        return RULE_CODES[error_type]
    if error_type not in _PYDANTIC_TYPES and _CODE.match(error_type):
        return error_type
    return "invalid"


def json_path(loc: Sequence[Any]) -> str:
    """``('body', 'points', 0, 'motivation')`` as ``points[0].motivation``; ``$`` for the body itself.

    A header is named as it is sent (``Idempotency-Key``): it is no JSON path.
    """
    if len(loc) == 2 and loc[0] == "header":
        return str(loc[1])
    parts = list(loc[1:] if loc and loc[0] in _SOURCES else loc)
    path = ""
    for p in parts:
        if isinstance(p, int):
            path += f"[{p}]"
        elif _IDENTIFIER.match(str(p)):
            path += f".{p}" if path else str(p)
        else:
            path += "[" + repr(str(p)) + "]"
    return path or ROOT


def _reason(message: str) -> str:
    # pydantic prefixes the message of a plain ValueError or assert; the words after it are ours.
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message


def invalid_param(error: Mapping[str, Any]) -> InvalidParam:
    """One entry of ``RequestValidationError.errors()`` as an invalid parameter."""
    kind = str(error.get("type", ""))
    loc = tuple(error.get("loc", ()))
    if kind == "json_invalid":
        # FastAPI puts the character offset of the syntax error in the location.
        where = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
        why = (error.get("ctx") or {}).get("error")
        return InvalidParam(name=ROOT, code="malformed_json",
                            reason=f"the body is not valid JSON{where}" + (f": {why}" if why else ""))
    return InvalidParam(name=json_path(loc), code=rule_code(kind), reason=_reason(str(error.get("msg", ""))))


# ---- Temporal's errors ---------------------------------------------------------------------------


def _application_error(exc: BaseException) -> ApplicationError | None:
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ApplicationError):
        cause = cause.__cause__
    return cause


def problem_from_temporal(exc: Exception, safe_method: bool = True) -> ApiProblem | None:
    """Map what Temporal raised to a problem, or None when it is not one we know.

    The workflows' side of the contract, as ``ApplicationError`` types and details:
    ``InvalidInput`` with ``(field_json_path, rule_code)`` (400; one detail: code ``invalid``),
    ``TransitionRefused`` with ``(current_state,)`` (409) and ``TermTooShort`` (400, ``term_too_short``).
    """
    if isinstance(exc, WorkflowUpdateFailedError):
        cause = _application_error(exc.cause)
        if cause is None:
            return None
        details = [str(d) for d in cause.details]
        if cause.type == "TransitionRefused":
            return Conflict(cause.message, state=details[0] if details else None)
        if cause.type == "InvalidInput":
            return InvalidInput.field(details[0] if details else ROOT, details[1] if len(details) > 1 else "invalid",
                                      cause.message)
        if cause.type == "TermTooShort":
            return InvalidInput.field(details[0] if details else ROOT, "term_too_short", cause.message)
        return None
    if isinstance(exc, WorkflowAlreadyStartedError):
        return AlreadyExists(f"a trajectory with id {exc.workflow_id} exists already; nothing was started")
    if isinstance(exc, RPCTimeoutOrCancelledError):  # an update no worker accepted in time
        return Unavailable("no worker answered in time; " + (NOT_CHANGED if safe_method else MAYBE_CHANGED))
    if isinstance(exc, RPCError):
        if exc.status == RPCStatusCode.NOT_FOUND:
            return NotFound("no such trajectory")
        if exc.status == RPCStatusCode.UNAVAILABLE:
            return Unavailable("Temporal is not reachable; " + NOT_CHANGED)
        # A query no worker answered, a server too slow: our deadline passed (the SDK reports a deadline it
        # enforces itself as CANCELLED, "Timeout expired"; the server's as DEADLINE_EXCEEDED).
        if exc.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
            return Unavailable("Temporal or its workers did not answer in time; "
                               + (NOT_CHANGED if safe_method else MAYBE_CHANGED))
        # Too many updates waiting on one trajectory (they queue on its lock), or a rate limit: try again.
        if exc.status == RPCStatusCode.RESOURCE_EXHAUSTED:
            return Unavailable("Temporal is busy with this trajectory; "
                               + (NOT_CHANGED if safe_method else MAYBE_CHANGED))
    return None


# ---- the handlers --------------------------------------------------------------------------------


def correlation_id(request: Request) -> str | None:
    """The id the correlation middleware gave this request (``middleware.CorrelationId``)."""
    return getattr(request.state, "correlation_id", None)


def problem_response(problem: ApiProblem, request: Request) -> Response:
    """The problem as problem+json; on a page of the portal, as the portal's own error page (in Dutch)."""
    page = getattr(request.app.state, "problem_page", None)
    rendered = page(problem, request) if page is not None else None
    if rendered is not None:
        return rendered  # type: ignore[no-any-return]
    cid = correlation_id(request)
    body = problem.document(request.url.path, cid).model_dump(mode="json", exclude_none=True)
    headers = dict(problem.headers or {})
    if cid:
        headers[CORRELATION_HEADER] = cid
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    """The exception handlers (``openapi.install`` puts the problems in the OpenAPI document)."""

    @app.exception_handler(ApiProblem)
    async def _problem(request: Request, exc: ApiProblem) -> Response:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return problem_response(InvalidInput(*(invalid_param(e) for e in exc.errors())), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(HttpProblem(exc.status_code, exc.detail, exc.headers), request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The caller learns only that it was ours and the id to quote; the log has the rest under that id.
        cid = correlation_id(request)
        logger.error("unexpected error, correlation id %s: %s %s", cid, request.method, request.url.path,
                     exc_info=exc)
        return problem_response(ApiProblem(f"an unexpected error; it has been logged under correlation id {cid}"),
                                request)

    @app.exception_handler(StoreUnavailableError)
    async def _store(request: Request, exc: Exception) -> Response:
        return problem_response(StoreUnavailable("the document store is not reachable; try again shortly"),
                                request)

    @app.exception_handler(WorkflowUpdateFailedError)
    @app.exception_handler(WorkflowAlreadyStartedError)
    @app.exception_handler(RPCTimeoutOrCancelledError)
    @app.exception_handler(RPCError)
    async def _temporal(request: Request, exc: Exception) -> Response:
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        problem = problem_from_temporal(exc, safe)
        if problem is None:
            return await _unexpected(request, exc)
        return problem_response(problem, request)
