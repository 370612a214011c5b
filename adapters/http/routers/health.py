"""Health: is the store reachable, and is every read model serving."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from adapters.http.deps import EngineDep, ReadModelsDep

router = APIRouter(tags=["health"])


class ReadModelFailure(BaseModel):
    position: int
    event_type: str
    error: str
    failed_at: str


class ReadModelHealth(BaseModel):
    name: str
    position: int
    serving: bool
    failure: ReadModelFailure | None = None


class Health(BaseModel):
    status: str  # "ok", or "degraded" while a read model is stopped on an event
    events: int
    read_models: list[ReadModelHealth]


@router.get("/healthz")
def healthz(engine: EngineDep, read_models: ReadModelsDep) -> Health:
    """The engine answers, its store is readable, and which read models serve (a stopped one is named)."""
    stopped = read_models.failures()
    models = [
        ReadModelHealth(
            name=name,
            position=read_models.runner.position(name),
            serving=name not in stopped,
            failure=ReadModelFailure(**_fields(stopped[name])) if name in stopped else None,
        )
        for name in read_models.runner.projections
    ]
    return Health(
        status="degraded" if stopped else "ok",
        events=engine.recorder.max_notification_id() or 0,
        read_models=models,
    )


def _fields(failure: object) -> dict[str, object]:
    return {k: getattr(failure, k) for k in ReadModelFailure.model_fields}
