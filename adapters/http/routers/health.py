"""Health: is the store reachable."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from adapters.http.deps import EngineDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    events: int


@router.get("/healthz")
def healthz(engine: EngineDep) -> Health:
    """The engine answers and its store is readable."""
    return Health(status="ok", events=engine.recorder.max_notification_id() or 0)
