"""`qi serve` closes slow and idle connections, limits requests in flight, and believes
X-Forwarded-* only from the proxies it is told to trust.

Each test replays the attack against a real `qi serve` subprocess on loopback with short
limits: header and keep-alive timeouts of 1 s, a body timeout of 2 s, 3 requests at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import ValidationError

from adapters.http.server import server_options
from engine.settings import Settings
from scripts.drills.processes import ApiServer

LIMITS = {
    "QI_HEADER_TIMEOUT": "1",
    "QI_KEEP_ALIVE": "1",
    "QI_BODY_TIMEOUT": "2",
    "QI_CONCURRENCY_LIMIT": "3",
}
DRIBBLERS = 200
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: qi\r\n\r\n"


def _serve(folder: Path, **env: str) -> ApiServer:
    server = ApiServer({"QI_STORE": str(folder / "qi.sqlite3"), **LIMITS, **env}, folder)
    server.start().wait_ready()
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    running = _serve(tmp_path_factory.mktemp("limits"))
    yield running
    running.stop()


def _connect(server: ApiServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def _until_closed(sock: socket.socket, wait: float = 8.0) -> tuple[float, bytes]:
    """Read until the server closes the connection: how long that took, and what it sent."""
    start, got = time.monotonic(), b""
    sock.settimeout(wait)
    try:
        while chunk := sock.recv(65536):
            got += chunk
    except TimeoutError:
        pytest.fail(f"the server left the connection open for {wait} s (it sent {got[:200]!r})")
    except ConnectionResetError:
        pass
    return time.monotonic() - start, got


def _read_response(sock: socket.socket) -> bytes:
    """One whole response with a Content-Length body, leaving the connection open."""
    got = b""
    while b"\r\n\r\n" not in got:
        got += sock.recv(65536)
    head, _, body = got.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def _dribble(socks: list[socket.socket], seconds: float) -> dict[socket.socket, float]:
    """Send one more header line on every open socket each 0.25 s; when each was closed."""
    start = time.monotonic()
    closed: dict[socket.socket, float] = {}
    line = 0
    while len(closed) < len(socks) and time.monotonic() - start < seconds:
        readable, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.25)
        for sock in readable:  # the server answered or closed: both end the attack
            closed[sock] = time.monotonic() - start
        line += 1
        for sock in (s for s in socks if s not in closed):
            try:
                sock.send(f"X-Dribble-{line}: a\r\n".encode())
            except OSError:
                closed[sock] = time.monotonic() - start
    return closed


def test_sockets_dribbling_a_header_line_are_closed_after_the_header_timeout_while_others_are_served(
    server: ApiServer,
) -> None:
    socks = [_connect(server) for _ in range(DRIBBLERS)]
    try:
        for sock in socks:
            sock.send(b"GET /healthz HTTP/1.1\r\nHost: qi\r\n")
        assert httpx.get(f"{server.base}/healthz", timeout=5).status_code == 200
        closed = _dribble(socks, seconds=8)
        assert len(closed) == DRIBBLERS, (
            f"{DRIBBLERS - len(closed)} dribbling sockets were still open after 8 s"
        )
        assert min(closed.values()) > 0.5 and max(closed.values()) < 5
        answer = _until_closed(socks[0])[1]
        assert answer.startswith(b"HTTP/1.1 408 ") and b"application/problem+json" in answer
        assert b"headers did not arrive within 1 second" in answer
    finally:
        for sock in socks:
            sock.close()


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(server: ApiServer) -> None:
    with _connect(server) as sock:
        took, answer = _until_closed(sock)
    assert 0.5 < took < 5
    assert answer.startswith(b"HTTP/1.1 408 ") and b"connection: close" in answer


def test_a_kept_alive_idle_connection_is_closed_after_the_keep_alive_timeout(server: ApiServer) -> None:
    with _connect(server) as sock:
        sock.send(HEALTHZ)
        assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
        took, answer = _until_closed(sock)
    assert 0.5 < took < 5 and answer == b""  # closed quietly: no request was under way


def test_the_next_request_dribbled_on_a_kept_alive_connection_is_closed_after_the_header_timeout(
    server: ApiServer,
) -> None:
    with _connect(server) as sock:
        sock.send(HEALTHZ)
        assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
        sock.send(b"GET /healthz HTTP/1.1\r\n")
        closed = _dribble([sock], seconds=8)
    assert sock in closed and 0.5 < closed[sock] < 5


def test_a_body_dribbled_a_byte_at_a_time_is_closed_after_the_body_timeout(server: ApiServer) -> None:
    with _connect(server) as sock:
        sock.send(
            b"POST /collaboratives HTTP/1.1\r\nHost: qi\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n"
        )
        start = time.monotonic()
        sent = 0
        while time.monotonic() - start < 8:
            if select.select([sock], [], [], 0.2)[0]:
                break
            sock.send(b" ")
            sent += 1
        took = time.monotonic() - start
    assert sent < 1000 and 1.5 < took < 5, f"open for {took:.1f} s after {sent} bytes"


def _slow_request(server: ApiServer) -> socket.socket:
    """A request in flight: its headers are in, its two-byte body only half sent."""
    sock = _connect(server)
    sock.send(
        b"POST /collaboratives HTTP/1.1\r\nHost: qi\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n{"
    )
    return sock


def test_past_the_concurrency_limit_a_request_is_answered_503_while_those_in_flight_proceed(
    server: ApiServer,
) -> None:
    slow = [_slow_request(server) for _ in range(3)]
    try:
        time.sleep(0.3)
        refused = httpx.get(f"{server.base}/healthz", timeout=5)
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        assert "3 requests" in refused.json()["detail"]
        for sock in slow:
            sock.send(b"}")
        answers = [_read_response(sock) for sock in slow]
        assert all(a.startswith(b"HTTP/1.1 401 ") for a in answers), answers  # served: no token
    finally:
        for sock in slow:
            sock.close()
    assert httpx.get(f"{server.base}/healthz", timeout=5).status_code == 200


def _claims_https_from(server: ApiServer) -> httpx.Response:
    """A request that claims to have come over https from 203.0.113.7; the trailing
    slash makes the app redirect to an absolute URL built from the scheme it believed."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    return httpx.get(f"{server.base}/healthz/", headers=headers, timeout=5)


def test_forwarded_headers_from_an_untrusted_peer_change_neither_scheme_nor_client(server: ApiServer) -> None:
    redirect = _claims_https_from(server)
    assert redirect.status_code == 307
    assert redirect.headers["location"] == f"http://127.0.0.1:{server.port}/healthz"
    time.sleep(0.2)  # let the access log line reach the file
    logged = [line for line in server.log_tail(50).splitlines() if "/healthz/" in line]
    assert logged and "127.0.0.1:" in logged[-1] and "203.0.113.7" not in server.log_tail(50)


def test_forwarded_headers_from_a_trusted_proxy_give_the_scheme_and_client_it_names(tmp_path: Path) -> None:
    proxied = _serve(tmp_path, QI_FORWARDED_ALLOW_IPS="127.0.0.1")
    try:
        redirect = _claims_https_from(proxied)
        time.sleep(0.2)
        logged = proxied.log_tail(50)
    finally:
        proxied.stop()
    assert redirect.headers["location"] == f"https://127.0.0.1:{proxied.port}/healthz"
    assert "203.0.113.7" in logged


def test_every_worker_of_qi_serve_closes_idle_connections_after_the_header_timeout(tmp_path: Path) -> None:
    folder = tmp_path / "workers"
    folder.mkdir()
    workers = ApiServer({"QI_STORE": str(folder / "qi.sqlite3"), **LIMITS}, folder)
    workers.args += ["--workers", "2"]
    workers.start().wait_ready()
    try:
        start = time.monotonic()
        socks = [_connect(workers) for _ in range(6)]  # the kernel spreads them over both workers
        answers = [_until_closed(sock)[1] for sock in socks]
        took = time.monotonic() - start
    finally:
        workers.stop()
    assert 0.5 < took < 5 and all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), answers


async def _scheme_seen(settings: Settings, peer: str) -> str:
    """The scheme the app is handed for a request from `peer` claiming X-Forwarded-Proto: https."""
    seen: dict[str, str] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen["scheme"] = scope["scheme"]

    config = uvicorn.Config(app, **server_options(settings))
    config.load()
    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 5000),
        "headers": [(b"x-forwarded-proto", b"https")],
    }
    await config.loaded_app(scope, None, None)
    return seen["scheme"]


def _scheme_in_own_loop(settings: Settings, peer: str) -> str:
    """Its own event loop, in a thread: Playwright's sync API (the browser tests) leaves
    one running in the main thread, where asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _scheme_seen(settings, peer)).result()


def test_by_default_no_peer_is_trusted_with_forwarded_headers_not_even_loopback() -> None:
    assert _scheme_in_own_loop(Settings(), "127.0.0.1") == "http"


def test_a_trusted_proxy_network_is_believed_and_others_are_not() -> None:
    settings = Settings(forwarded_allow_ips="10.0.0.0/24, 192.0.2.1")
    assert _scheme_in_own_loop(settings, "10.0.0.7") == "https"
    assert _scheme_in_own_loop(settings, "192.0.2.1") == "https"
    assert _scheme_in_own_loop(settings, "10.1.0.7") == "http"


def test_a_trusted_proxy_that_is_not_an_address_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match=r"'proxy\.local' is not an IP address or network"):
        Settings(forwarded_allow_ips="10.0.0.5,proxy.local")
