"""JSON responses rendered by orjson (FastAPI's own ORJSONResponse is deprecated)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class ProblemResponse(OrjsonResponse):
    media_type = "application/problem+json"


# A representation chosen by Accept says so, so that caches keep the JSON and the SVG
# apart (RFC 9110, section 12.5.5).
VARY_ACCEPT = {"Vary": "Accept"}
VARY_HEADER = {"Vary": {"description": "Accept: JSON or SVG, as asked", "schema": {"type": "string"}}}


def negotiated(media_type: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI 200 of a route that also serves `media_type` when Accept asks for it."""
    return {200: {"content": {media_type: {"schema": {"type": "string"}}}, "headers": VARY_HEADER}}
