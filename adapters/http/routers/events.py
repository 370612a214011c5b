"""The event feed, for subscribers that do not use Kafka: pages of events after a
position (the JSON envelope, or with `Accept: application/cloudevents-batch+json` a
CloudEvents batch whose `Link: rel="next"` continues it), and a live stream
(server-sent events) that resumes with Last-Event-ID.

The stream also accepts the pages' session cookie, since a browser's EventSource
cannot send an Authorization header. That is no CSRF risk (a read; SameSite=Strict
keeps the cookie off cross-site requests) but an Origin, when sent, must be ours.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
import orjson
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sse_starlette import EventSourceResponse, ServerSentEvent

from adapters.http.deps import Caller, EngineDep, PrincipalDep, QueriesDep
from adapters.http.errors import READ_ERRORS
from aggregates.tokens import Principal
from engine import web_sessions
from engine.application import QIEngine
from engine.errors import Forbidden, Unauthenticated
from engine.feed import BATCH_CONTENT_TYPE, FeedPage
from engine.queries import FeedReader
from engine.web_sessions import COOKIE

POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 15
SEND_TIMEOUT_SECONDS = 30
RETRY_MS = 1000
# An open stream re-reads its token from the store at least this often, and before each batch.
TOKEN_CHECK_SECONDS = 2.0
STREAM_PAGE = 200
# Streams being served right now: a client that goes away must end its stream.
OPEN_STREAMS: set[object] = set()


router = APIRouter(tags=["events"])
Position = Annotated[int, Query(ge=0, le=2**62, description="events after this position")]


BATCH_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the JSON envelope; with `Accept: application/cloudevents-batch+json`, a "
        "CloudEvents batch (a JSON array of structured-mode events)",
        "content": {
            BATCH_CONTENT_TYPE: {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/FeedEvent"}}
            }
        },
        "headers": {
            "Link": {
                "description": '`</events?after=N&limit=M>; rel="next"`: the next page',
                "schema": {"type": "string"},
            },
            "Vary": {"description": "Accept", "schema": {"type": "string"}},
        },
    }
}


@router.get("/events", responses=READ_ERRORS | BATCH_RESPONSE)
def events(
    queries: QueriesDep,
    principal: PrincipalDep,
    response: Response,
    after: Position = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    accept: Annotated[str | None, Header()] = None,
) -> FeedPage:
    """Every stored event after a position, in order, as CloudEvents with their positions."""
    page = queries.feed_page(principal, after, limit)
    headers = {"Link": f'</events?after={page.next_after}&limit={limit}>; rel="next"', "Vary": "Accept"}
    if prefers_batch(accept):
        body = orjson.dumps([e.model_dump(mode="json") for e in page.events])
        return Response(body, media_type=BATCH_CONTENT_TYPE, headers=headers)  # type: ignore[return-value]
    response.headers.update(headers)
    return page


def prefers_batch(accept: str | None) -> bool:
    """Whether the Accept header ranks a CloudEvents batch at least as high as plain JSON."""
    ranks = _media_ranks(accept or "")
    batch = ranks.get(BATCH_CONTENT_TYPE, 0.0)
    json = max(ranks.get(t, 0.0) for t in ("application/json", "application/*", "*/*"))
    return batch > 0 and batch >= json


def _media_ranks(accept: str) -> dict[str, float]:
    ranks: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = next((p.partition("=")[2] for p in params if p.lower().startswith("q=")), "1")
        try:
            ranks[media.lower()] = float(quality)
        except ValueError:
            ranks[media.lower()] = 0.0  # a malformed weight counts as "not acceptable"
    return ranks


@dataclass(frozen=True)
class StreamReader:
    """Who reads the stream, and how the open stream re-checks that they still may."""

    principal: Principal
    still_valid: Callable[[], bool]


_bearer = HTTPBearer(auto_error=False)


def stream_reader(
    request: Request,
    engine: EngineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StreamReader:
    """A bearer token if sent, else the pages' session cookie (a browser's EventSource sends no header)."""
    if credentials is not None:
        principal = Caller(engine, credentials.credentials).principal
        return StreamReader(principal, partial(engine.token_still_valid, principal.token_id))
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise Unauthenticated("send Authorization: Bearer <token>, or sign in to the pages (/ui/sign-in)")
    principal = web_sessions.principal_of(engine, secret)
    if principal is None:
        raise Unauthenticated("the page session has ended or expired: sign in again")
    _same_origin(request)
    return StreamReader(principal, partial(_session_valid, engine, secret))


def _session_valid(engine: QIEngine, secret: str) -> bool:
    principal = web_sessions.principal_of(engine, secret)
    return principal is not None and engine.token_still_valid(principal.token_id)


def _same_origin(request: Request) -> None:
    """A session read from another site's page is refused; browsers send Origin on cross-origin requests."""
    origin = request.headers.get("origin")
    if origin is not None and _authority(origin) != _authority(
        f"{request.url.scheme}://{request.headers.get('host', '')}"
    ):
        raise Forbidden(
            f"the event stream may be read with a page session only from this server's pages, not from {origin}"
        )


def _authority(url: str) -> tuple[str, int | None]:
    """Host and port, ignoring the scheme: behind a TLS proxy the app may see http where the browser used https."""
    parts = urlsplit(url.lower())
    try:
        port = parts.port
    except ValueError:
        port = -1
    return parts.hostname or "", None if port in (80, 443) else port


StreamReaderDep = Annotated[StreamReader, Depends(stream_reader)]


# Left out of the OpenAPI schema: a stream never ends, so schema-driven clients and
# fuzzers would wait on it forever. /schemas/events describes each event's `data`.
# sse-starlette ends streams when the client leaves or the server shuts down (a
# plain StreamingResponse would hold uvicorn's shutdown until every client left).
@router.get("/events/stream", include_in_schema=False)
async def stream(
    queries: QueriesDep,
    reader: StreamReaderDep,
    after: Position = 0,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", pattern=r"^\s*\d{1,18}\s*$")] = None,
) -> EventSourceResponse:
    """Server-sent events: each event's `id` is its position; a reconnect resumes after Last-Event-ID."""
    read = queries.feed_reader(reader.principal)
    start = int(last_event_id) if last_event_id is not None else after
    return EventSourceResponse(
        _events(read, start, reader.still_valid), ping=HEARTBEAT_SECONDS, send_timeout=SEND_TIMEOUT_SECONDS
    )


async def _events(
    read: FeedReader, after: int, still_valid: Callable[[], bool]
) -> AsyncIterator[ServerSentEvent]:
    marker = object()
    OPEN_STREAMS.add(marker)
    checked = time.monotonic()
    try:
        yield ServerSentEvent(comment="each id is a position: reconnect with Last-Event-ID", retry=RETRY_MS)
        while True:
            # eventsourcing has no asyncio API: read the log on a worker thread.
            page = await anyio.to_thread.run_sync(read, after, STREAM_PAGE)
            if page or time.monotonic() - checked >= TOKEN_CHECK_SECONDS:
                if not await anyio.to_thread.run_sync(still_valid):
                    # The reconnect that follows is answered 401.
                    yield ServerSentEvent(
                        comment="the session ended, or its token was revoked or has expired"
                    )
                    return
                checked = time.monotonic()
            for event in page:
                yield ServerSentEvent(event.model_dump_json(), id=str(event.position))
            if page:
                after = page[-1].position
            else:
                await anyio.sleep(POLL_SECONDS)
    finally:
        OPEN_STREAMS.discard(marker)
