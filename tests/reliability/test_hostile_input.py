"""Hostile input: malformed, oversized, out-of-range and malicious requests get a clear
4xx and write nothing; accepted injection strings come back inert and escaped."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.http.limits import MAX_JSON_BODY, BodySizeLimit
from aggregates.base import Role
from engine.application import QIEngine
from engine.web_sessions import sign_in
from scripts.drills.hostile import run_hostile_input
from scripts.drills.world import issue
from tests.store.backends import OnPostgreSQL, OnSQLite


class HostileInputDrill:
    examples = 3

    def test_no_hostile_input_gets_a_5xx_or_a_partial_write(self, engine: QIEngine) -> None:
        report = run_hostile_input(engine, examples=self.examples)
        assert report.held, "\n".join(report.failures[:20])
        counts = report.counts
        assert "5xx seen" not in counts
        assert counts["inputs tried"] > 1000 and counts["4xx seen"] > 500 and counts["2xx seen"] > 100
        assert counts.get("schemathesis cases", 0) >= 50 * self.examples
        assert "oversized bodies" not in counts and counts["oversized bodies refused with 413"] > 50
        # The inert check must have had something to check, and pages something to escape.
        assert counts["injections stored"] > 100
        assert counts["stored markup strings shown escaped on a page"] == 3


class TestHostileInputOnSQLite(OnSQLite, HostileInputDrill):
    examples = 3


@pytest.mark.slow
class TestHostileInputOnPostgreSQL(OnPostgreSQL, HostileInputDrill):
    examples = 0


@pytest.fixture
def staff_client(sqlite_engine: QIEngine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    token = issue(sqlite_engine, Role.STAFF, "hostile")
    with TestClient(create_app(sqlite_engine), raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


async def _asgi(
    app: BodySizeLimit, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
) -> tuple[int, int]:
    """Send `chunks` as a body to `app`; (status, chunks the app read)."""
    read = 0
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        nonlocal read
        read += 1
        more = read < len(chunks)
        return {"type": "http.request", "body": chunks[read - 1], "more_body": more}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/collaboratives", "headers": headers}
    await app(scope, receive, send)  # type: ignore[arg-type]
    return int(sent[0]["status"]), read  # type: ignore[call-overload]


def test_a_body_declared_over_the_limit_is_refused_with_413_unread() -> None:
    import anyio

    inner_called = []

    async def inner(scope: object, receive: object, send: object) -> None:
        inner_called.append(True)

    app = BodySizeLimit(inner)  # type: ignore[arg-type]
    headers = [(b"content-type", b"application/json"), (b"content-length", str(MAX_JSON_BODY + 1).encode())]
    # In a thread of its own: an earlier test (Playwright's sync API) may leave an event
    # loop running in this one, and anyio.run refuses to start inside it.
    with ThreadPoolExecutor(1) as thread:
        status, read = thread.submit(anyio.run, _asgi, app, headers, [b"{}"]).result()
    assert (status, read, inner_called) == (413, 0, [])


def test_a_chunked_body_is_cut_off_with_413_once_it_passes_the_limit(
    staff_client: tuple[TestClient, dict[str, str]], sqlite_engine: QIEngine
) -> None:
    client, headers = staff_client
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            sent.append(1)
            yield b" " * 2**16  # 4 MiB in all

    before = sqlite_engine.recorder.max_notification_id()
    response = client.post("/collaboratives", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Content Too Large"
    assert sqlite_engine.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "body",
    [b"[" * 10_000 + b"]" * 10_000, b'{"title":' * 10_000 + b'"t"' + b"}" * 10_000, b'{"title": "\xff\xfe"}'],
    ids=["nested arrays", "nested objects", "invalid UTF-8"],
)
def test_deep_nesting_and_invalid_utf8_get_a_422_not_a_crash(
    staff_client: tuple[TestClient, dict[str, str]], sqlite_engine: QIEngine, body: bytes
) -> None:
    client, headers = staff_client
    before = sqlite_engine.recorder.max_notification_id()
    response = client.post("/collaboratives", content=body, headers=headers)
    assert response.status_code == 422, response.text  # malformed input, like any other syntax error
    assert response.headers["content-type"] == "application/problem+json"
    assert sqlite_engine.recorder.max_notification_id() == before


def test_an_injection_string_is_stored_and_returned_byte_identical(
    staff_client: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = staff_client
    title = "<script>alert(1)</script>'; DROP TABLE x; --\u202e{{7*7}}"
    created = client.post("/collaboratives", json={"title": title}, headers=headers)
    assert created.status_code == 201
    read = client.get(f"/collaboratives/{created.json()['id']}", headers=headers)
    assert read.json()["title"] == title
    page = client.get(
        f"/ui/collaboratives/{created.json()['id']}",
        headers={"Cookie": f"qi_session={sign_in(client.app.state.engine, headers['Authorization'][7:])}"},  # type: ignore[attr-defined]
    )
    assert page.status_code == 200
    assert (
        "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    )


def test_text_with_a_nul_character_is_refused_and_writes_nothing(
    staff_client: tuple[TestClient, dict[str, str]], sqlite_engine: QIEngine
) -> None:
    # Stored, a NUL would stop every PostgreSQL projection reading its event (text cannot hold it).
    client, headers = staff_client
    before = sqlite_engine.recorder.max_notification_id()
    response = client.post("/collaboratives", json={"title": "nul\x00byte"}, headers=headers)
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]
    assert sqlite_engine.recorder.max_notification_id() == before
