"""The event feed, for subscribers that do not use Kafka: pages of events after a
position, and a live stream (server-sent events) that resumes with Last-Event-ID.

The router also runs the Kafka relay beside the API when QI_RELAY=inprocess and
QI_KAFKA_BOOTSTRAP is set: its lifespan starts and stops the relay thread.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

import anyio
from fastapi import APIRouter, FastAPI, Header, Query
from sse_starlette import EventSourceResponse, ServerSentEvent

from adapters.http.deps import EngineDep, PrincipalDep
from adapters.http.errors import READ_ERRORS
from engine.application import QIEngine
from engine.authorization import authorize_feed
from engine.feed import FeedPage, read_feed, read_page
from engine.relay import start_inprocess

POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 15
SEND_TIMEOUT_SECONDS = 30
RETRY_MS = 1000
# An open stream re-reads its token from the store at least this often, and before each batch.
TOKEN_CHECK_SECONDS = 2.0
STREAM_PAGE = 200
# Streams being served right now: a client that goes away must end its stream.
OPEN_STREAMS: set[object] = set()


@asynccontextmanager
async def relay_alongside(app: FastAPI) -> AsyncIterator[None]:
    """Run the Kafka relay in this process while the API runs, when so configured."""
    halt = start_inprocess(app.state.engine)
    try:
        yield
    finally:
        if halt is not None:
            await anyio.to_thread.run_sync(halt)


router = APIRouter(tags=["events"], lifespan=relay_alongside)
Position = Annotated[int, Query(ge=0, le=2**62, description="events after this position")]


@router.get("/events", responses=READ_ERRORS)
def events(
    engine: EngineDep,
    principal: PrincipalDep,
    after: Position = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FeedPage:
    """Every stored event after a position, in order, as CloudEvents with their positions."""
    authorize_feed(principal)
    return read_page(engine, after, limit)


# Left out of the OpenAPI schema: a stream never ends, so schema-driven clients and
# fuzzers would wait on it forever. /schemas/events describes each event's `data`.
# sse-starlette ends streams when the client leaves or the server shuts down (a
# plain StreamingResponse would hold uvicorn's shutdown until every client left).
@router.get("/events/stream", include_in_schema=False)
async def stream(
    engine: EngineDep,
    principal: PrincipalDep,
    after: Position = 0,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", pattern=r"^\s*\d{1,18}\s*$")] = None,
) -> EventSourceResponse:
    """Server-sent events: each event's `id` is its position; a reconnect resumes after Last-Event-ID."""
    authorize_feed(principal)
    start = int(last_event_id) if last_event_id is not None else after
    return EventSourceResponse(
        _events(engine, start, principal.token_id), ping=HEARTBEAT_SECONDS, send_timeout=SEND_TIMEOUT_SECONDS
    )


async def _events(engine: QIEngine, after: int, token: UUID) -> AsyncIterator[ServerSentEvent]:
    marker = object()
    OPEN_STREAMS.add(marker)
    checked = time.monotonic()
    try:
        yield ServerSentEvent(comment="each id is a position: reconnect with Last-Event-ID", retry=RETRY_MS)
        while True:
            # eventsourcing has no asyncio API: read the log on a worker thread.
            page = await anyio.to_thread.run_sync(read_feed, engine, after, STREAM_PAGE)
            if page or time.monotonic() - checked >= TOKEN_CHECK_SECONDS:
                if not await anyio.to_thread.run_sync(engine.token_still_valid, token):
                    # The reconnect that follows is answered 401.
                    yield ServerSentEvent(comment="the token was revoked or has expired")
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
