"""What a request may carry, checked before anything parses it: body size limits, and
no NUL in the URL.

A declared Content-Length over the limit is refused at once, unread; a chunked body is
counted as it streams and refused the moment it passes the limit, so an oversized body
is never buffered whole. Both answer 413 problem+json.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.errors import problem
from aggregates.resource import MAX_FILE_BYTES

# JSON bodies and web forms: the largest legitimate command (a team with its members,
# a toolkit's selections) is a few tens of kilobytes. A constant rather than a setting,
# because engine/settings.py belongs to the engine, not to this adapter.
MAX_JSON_BODY = 2**20
# A library upload: the file's own cap plus room for the multipart framing and fields.
MAX_UPLOAD_BODY = MAX_FILE_BYTES + 2**20


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the {_size(limit)} limit")


def limit_for(scope: Scope) -> int:
    """The most bytes a request to this route may send: uploads get the file cap."""
    content_type = dict(scope.get("headers", ())).get(b"content-type", b"")
    return MAX_UPLOAD_BODY if content_type.startswith(b"multipart/form-data") else MAX_JSON_BODY


class BodySizeLimit:
    """ASGI middleware: 413 for a body over its limit, declared or streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await problem(413, BodyTooLarge(limit).detail)(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)


class RefuseNulInUrl:
    """ASGI middleware: 422 for a path or query holding NUL (U+0000, `%00`). No one types
    it, and PostgreSQL text cannot hold it, so a search or filter carrying it would fail
    deep in a query instead of being refused plainly (bodies are checked by the schemas)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _holds_nul(scope):
            detail = "the URL must not contain the NUL character (U+0000, %00)"
            await problem(422, detail)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _holds_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                # Raised inside whatever reads the body; FastAPI passes HTTPExceptions
                # through its body parsing to the central handler, which answers 413.
                raise BodyTooLarge(limit)
        return message

    return counted


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} byte"
