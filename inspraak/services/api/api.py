"""Every router, mounted in one place: from here any URL maps to the module that serves it.

Each router also says here, once, which problems its routes can answer with, for the OpenAPI document.
"""

from fastapi import APIRouter

from inspraak.services.api.errors import problem_responses
from inspraak.services.api.routes import (
    advice_requests,
    documents,
    health,
    organisations,
    renovations,
    trajectories,
)

api_router = APIRouter()
api_router.include_router(health.router, tags=["health"])
api_router.include_router(advice_requests.router, prefix="/v1/advice-requests", tags=["advice requests"],
                          responses=problem_responses(400, 401, 403, 404, 409, 413, 500, 503))
api_router.include_router(renovations.router, prefix="/v1/renovations", tags=["renovations"],
                          responses=problem_responses(400, 401, 403, 404, 409, 413, 500, 503))
api_router.include_router(trajectories.router, prefix="/v1/trajectories", tags=["trajectories"],
                          responses=problem_responses(400, 401, 500, 503))
api_router.include_router(documents.router, prefix="/v1/documents", tags=["documents"],
                          responses=problem_responses(400, 401, 404, 500, 503))
api_router.include_router(organisations.router, prefix="/v1/organisations", tags=["organisations"],
                          responses=problem_responses(401, 500))
