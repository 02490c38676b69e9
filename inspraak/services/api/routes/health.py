"""Liveness: open to everyone, no token."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz", summary="The API is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
