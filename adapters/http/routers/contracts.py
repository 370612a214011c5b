"""Contracts for downstream services, generated from the code: the JSON Schema of
every event type and the AsyncAPI 3 document of the Kafka topic.

Public, like /openapi.json: they describe shapes, never data, and code generators
and schema registries fetch them without credentials.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from adapters.contracts import asyncapi, events_schema
from adapters.http.deps import EngineDep

router = APIRouter(tags=["contracts"])


@router.get("/schemas/events")
def event_schemas() -> dict[str, Any]:
    """A JSON Schema (2020-12) for every event type, under `$defs` by class name."""
    return events_schema()


@router.get("/asyncapi.json")
def asyncapi_document(engine: EngineDep) -> dict[str, Any]:
    """The AsyncAPI 3 document: the topic, its key, the CloudEvents headers and every payload."""
    return asyncapi(engine.settings)
