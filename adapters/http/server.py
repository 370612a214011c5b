"""How `qi serve` runs uvicorn: connection deadlines, a limit on requests in flight, and
which proxies' X-Forwarded-* headers are believed, all from the settings (QI_*).

uvicorn closes an idle kept-alive connection (`timeout_keep_alive`) but has no deadline
for reading a request: a client that never finishes its headers, or dribbles a body a
byte at a time, holds its connection for ever. `GuardedHttpProtocol` adds both
deadlines to uvicorn's httptools protocol. It also answers the request past the limit
with a problem+json 503 (uvicorn's own `limit_concurrency` answers plain text, and
counts idle connections too, so a few hundred open sockets would turn everyone away).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from adapters.http.errors import Problem, problem
from engine.settings import Settings

log = logging.getLogger("uvicorn.error")


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float  # from a request's first byte (or the connection's start) to its last header
    body_timeout: float  # from the last header to the body's last byte
    concurrency_limit: int  # requests in flight in this process
    retry_after: int  # what the 503 past the limit asks clients to wait


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on reading each request, and a limit
    on requests in flight. One timer per connection: armed for the headers when the
    connection opens (or a kept-alive connection's next request begins), then for the
    body, and cancelled once the request has arrived whole."""

    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.limits.header_timeout, self._headers_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the next request on a kept-alive connection
            self._arm(self.limits.header_timeout, self._headers_too_slow)

    def on_headers_complete(self) -> None:
        self._disarm()
        app = self.app
        if len(self.tasks) >= self.limits.concurrency_limit:
            log.warning("Refused a request: %d requests in flight", len(self.tasks))
            self.app = self._busy  # this request only: answered without reaching the API
        try:
            super().on_headers_complete()
        finally:
            self.app = app
        self._arm(self.limits.body_timeout, self._body_too_slow)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _arm(self, seconds: float, handler: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, handler)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_too_slow(self) -> None:
        """Answer 408 and close, unless an earlier pipelined response is still being written."""
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            detail = f"the request's headers did not arrive within {_seconds(self.limits.header_timeout)}"
            self.transport.write(_request_timeout(detail))
        self.transport.close()

    def _body_too_slow(self) -> None:
        """Close: the API is reading the body, so it is told the client went away."""
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    async def _busy(self, scope: Any, receive: Any, send: Any) -> None:
        limit = self.limits.concurrency_limit
        detail = (
            f"the server is busy: it handles at most {limit} requests at once; "
            f"send this one again in {_seconds(self.limits.retry_after)}"
        )
        response = problem(503, detail, rule="concurrency_limit")
        response.headers["Retry-After"] = str(self.limits.retry_after)
        await response(scope, receive, send)


def _request_timeout(detail: str) -> bytes:
    body = orjson.dumps(
        Problem(title="Request Timeout", status=408, detail=detail).model_dump(mode="json", exclude_none=True)
    )
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def _seconds(value: float) -> str:
    shown = f"{value:g}"
    return f"{shown} second" if shown == "1" else f"{shown} seconds"


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for the settings: deadlines, the limit, and the trusted proxies."""
    limits = ConnectionLimits(
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        concurrency_limit=settings.concurrency_limit,
        retry_after=settings.retry_after,
    )
    proxies = settings.forwarded_allow_ips.strip()
    return {
        # A partial, not a class made here: worker processes unpickle it by name.
        "http": partial(GuardedHttpProtocol, limits=limits),
        "ws": "none",  # no route speaks WebSocket; an upgrade would escape the deadlines
        "timeout_keep_alive": settings.keep_alive,
        # Without trusted proxies, X-Forwarded-* is ignored: uvicorn's default would trust
        # any local process (127.0.0.1) to claim https or another client address.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies,
        "log_level": "info",
    }


def serve(app: Any, settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Run the API with the settings' limits: `app` an ASGI app, or with several workers
    the import string of a factory each worker process calls."""
    factory = workers > 1
    uvicorn.run(app, host=host, port=port, workers=workers, factory=factory, **server_options(settings))
