"""Every router, mounted in one place: from here any URL maps to the module that serves it."""

from fastapi import APIRouter

from inspraak.services.api.routes import advice_requests, documents, health, organisations, trajectories

api_router = APIRouter()
api_router.include_router(health.router, tags=["health"])
api_router.include_router(advice_requests.router, prefix="/v1/advice-requests", tags=["advice requests"])
api_router.include_router(trajectories.router, prefix="/v1/trajectories", tags=["trajectories"])
api_router.include_router(documents.router, prefix="/v1/documents", tags=["documents"])
api_router.include_router(organisations.router, prefix="/v1/organisations", tags=["organisations"])
