"""One way to run an app for the browser tests: uvicorn on a free loopback port, on a
thread, until the block ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from tests.conftest import free_port


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """The app served at the URL yielded, stopped when the block ends."""
    port = free_port()
    with serving_on(app, port):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def serving_on(app: Any, port: int) -> Iterator[None]:
    """The app served on `port` (one chosen before the app, which may need its own URL)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
