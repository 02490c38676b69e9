"""Every router, mounted in one place: from here any URL maps to the module that serves it.

Each router also says here, once, which problems its routes can answer with, for the OpenAPI document.
The API's version lives here too: its major version in every path (``/v1``), the full one in the
``API-Version`` header of every response and in the document (NL API Design Rules, /core/uri-version and
/core/version-header).
"""

from fastapi import APIRouter

from inspraak.services.api.errors import problem_responses
from inspraak.services.api.routes import (
    advice_requests,
    audit,
    documents,
    health,
    organisations,
    renovation_advice,
    renovation_objections,
    renovation_works,
    renovations,
    trajectories,
)

API_VERSION = "0.1.0"
PREFIX = "/v1"  # a breaking change makes /v2 beside it

api_router = APIRouter()
api_router.include_router(health.router, tags=["health"])
api_router.include_router(advice_requests.router, prefix=f"{PREFIX}/advice-requests", tags=["advice requests"],
                          responses=problem_responses(400, 401, 403, 404, 409, 413, 500, 503))
api_router.include_router(renovations.router, prefix=f"{PREFIX}/renovations", tags=["renovations"],
                          responses=problem_responses(400, 401, 403, 404, 409, 413, 500, 503))
api_router.include_router(renovation_objections.router, prefix=f"{PREFIX}/renovations", tags=["renovations"],
                          responses=problem_responses(400, 401, 403, 404, 409, 413, 500, 503))
api_router.include_router(renovation_advice.router, prefix=f"{PREFIX}/renovations", tags=["renovations"],
                          responses=problem_responses(400, 401, 403, 404, 409, 413, 500, 503))
api_router.include_router(renovation_works.router, prefix=f"{PREFIX}/renovations", tags=["renovations"],
                          responses=problem_responses(400, 401, 403, 404, 409, 413, 500, 503))
api_router.include_router(renovations.public_router, prefix=f"{PREFIX}/renovations", tags=["renovations"],
                          responses=problem_responses(400, 409, 429, 500, 503))
api_router.include_router(trajectories.router, prefix=f"{PREFIX}/trajectories", tags=["trajectories"],
                          responses=problem_responses(400, 401, 500, 503))
api_router.include_router(audit.router, prefix=f"{PREFIX}/trajectories", tags=["trajectories"],
                          responses=problem_responses(400, 401, 404, 500, 503))
api_router.include_router(documents.router, prefix=f"{PREFIX}/documents", tags=["documents"],
                          responses=problem_responses(400, 401, 404, 500, 503))
api_router.include_router(organisations.router, prefix=f"{PREFIX}/organisations", tags=["organisations"],
                          responses=problem_responses(401, 500))
