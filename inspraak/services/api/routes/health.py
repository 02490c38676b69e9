"""Liveness: open to everyone, no token; for the platform, outside /v1, so not in the API's document."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz", summary="The API is up", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
